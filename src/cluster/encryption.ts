// Encryption at rest, proven from what etcd actually holds: each stored value of the chosen
// resources is read raw over etcd's v3 JSON gateway (TLS, client certificate) and classified by its
// envelope. `k8s:enc:<provider>:v1:<key>:` is encrypted by that provider and key; anything else (the
// `k8s\0` protobuf envelope, JSON) is plaintext, readable by whoever gets a disk or a backup.
// Values are never kept: only the envelope header is looked at.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { BulwarkError, type Control } from '../core/index.ts';

export interface EtcdOptions {
  /** `https://host:2379` */
  endpoint: string;
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Key prefix the API server stores under (`--etcd-prefix`, default /registry). */
  prefix?: string;
  /** Resources to read (etcd path segment: `secrets`, `configmaps`); default secrets. */
  resources?: readonly string[];
  timeoutMs?: number;
}

export type StoredState =
  | { state: 'encrypted'; provider: string; keyName: string }
  | { state: 'plaintext'; format: 'protobuf' | 'json' | 'unknown' };

export interface StoredObject {
  resource: string;
  /** null for cluster-scoped resources. */
  namespace: string | null;
  name: string;
  stored: StoredState;
}

export interface EncryptionReport {
  objects: StoredObject[];
  /** resource → provider:key → count, and plaintext counts. */
  summary: Record<string, { encrypted: Record<string, number>; plaintext: number }>;
}

const PAGE = 500;
const MAX_OBJECTS = 1_000_000;
/** Enough of each value to read the envelope header (provider and key names are short). */
const HEADER_BYTES = 256;

/** The envelope of one raw value. */
export function classifyValue(value: Buffer): StoredState {
  const head = value.subarray(0, HEADER_BYTES).toString('latin1');
  if (head.startsWith('k8s:enc:')) {
    // k8s:enc:aescbc:v1:key1:<ciphertext>, k8s:enc:kms:v2:<provider>:<…>
    // For kms the fifth part is the KMS provider's name, for the others the key's name.
    const parts = head.split(':');
    const provider = parts[2] ?? '';
    return { state: 'encrypted', provider: provider === 'kms' && parts[3] === 'v2' ? 'kmsv2' : provider, keyName: parts[4] ?? '' };
  }
  if (head.startsWith('k8s\u0000')) return { state: 'plaintext', format: 'protobuf' };
  if (head.trimStart().startsWith('{')) return { state: 'plaintext', format: 'json' };
  return { state: 'plaintext', format: 'unknown' };
}

/** `/registry/secrets/shop/db` → namespace and name (cluster-scoped: one segment). */
export function parseKey(key: string, prefix: string, resource: string): { namespace: string | null; name: string } | undefined {
  const rest = key.slice(`${prefix}/${resource}/`.length).split('/');
  if (rest.length === 2) return { namespace: rest[0]!, name: rest[1]! };
  if (rest.length === 1) return { namespace: null, name: rest[0]! };
  return undefined;
}

function rangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

interface Tls {
  cert: string;
  key: string;
  ca: string;
}

function post(endpoint: URL, path: string, body: unknown, tls: Tls, timeoutMs: number): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: endpoint.hostname.replace(/^\[|\]$/g, ''),
        port: endpoint.port === '' ? 2379 : Number(endpoint.port),
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
        ...tls,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 512 * 1024 * 1024) req.destroy(new BulwarkError('E_TOO_LARGE', 'etcd answer larger than 512 MiB'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new BulwarkError('E_TOOL_FAILED', `etcd ${endpoint.origin}${path} answered ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new BulwarkError('E_PARSE', `etcd ${path} answer is not JSON`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new BulwarkError('E_TOOL_FAILED', `etcd did not answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(error instanceof BulwarkError ? error : new BulwarkError('E_TOOL_FAILED', `cannot reach etcd at ${endpoint.origin}: ${error.message}`, { cause: error })));
    req.end(payload);
  });
}

/** The key-value pairs of a `/v3/kv/range` answer; anything malformed is an E_PARSE error. */
export function parseRange(answer: unknown): { key: Buffer; value: Buffer }[] {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) throw new BulwarkError('E_PARSE', 'etcd range answer is not an object');
  const kvs = (answer as { kvs?: unknown }).kvs;
  if (kvs === undefined) return [];
  if (!Array.isArray(kvs)) throw new BulwarkError('E_PARSE', 'etcd range answer: kvs is not a list');
  return kvs.map((kv: unknown, i) => {
    const { key, value } = (kv ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) throw new BulwarkError('E_PARSE', `etcd range answer: kvs[${i}] has no base64 key/value`);
    return { key: Buffer.from(key, 'base64'), value: Buffer.from(value ?? '', 'base64') };
  });
}

export async function readEncryptionState(options: EtcdOptions): Promise<EncryptionReport> {
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    throw new BulwarkError('E_USAGE', `--etcd-endpoint "${options.endpoint}" is not a URL (https://host:2379)`);
  }
  if (endpoint.protocol !== 'https:') throw new BulwarkError('E_USAGE', '--etcd-endpoint must be https://: etcd holds every Secret, so it is read over TLS only');
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new BulwarkError('E_IO', `cannot read ${flag} ${file}: ${(error as Error).message}`, { location: { file } });
    }
  };
  const tls: Tls = { cert: await read(options.certFile, '--etcd-cert'), key: await read(options.keyFile, '--etcd-key'), ca: await read(options.caFile, '--etcd-ca') };
  const prefix = (options.prefix ?? '/registry').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const objects: StoredObject[] = [];
  const summary: EncryptionReport['summary'] = {};
  for (const resource of options.resources ?? ['secrets']) {
    if (!/^[a-z0-9.-]+$/.test(resource)) throw new BulwarkError('E_USAGE', `"${resource}" is not a resource name (secrets, configmaps, …)`);
    const entry = (summary[resource] = { encrypted: {} as Record<string, number>, plaintext: 0 });
    const start = Buffer.from(`${prefix}/${resource}/`);
    const end = rangeEnd(start);
    let from = start;
    for (;;) {
      const page = parseRange(await post(endpoint, '/v3/kv/range', { key: from.toString('base64'), range_end: end.toString('base64'), limit: PAGE }, tls, timeoutMs));
      for (const { key, value } of page) {
        const where = parseKey(key.toString('utf8'), prefix, resource);
        if (where === undefined) continue;
        const stored = classifyValue(value);
        objects.push({ resource, ...where, stored });
        if (stored.state === 'encrypted') {
          const label = `${stored.provider}:${stored.keyName}`;
          entry.encrypted[label] = (entry.encrypted[label] ?? 0) + 1;
        } else entry.plaintext++;
        if (objects.length > MAX_OBJECTS) throw new BulwarkError('E_TOO_LARGE', `more than ${MAX_OBJECTS} objects in etcd`);
      }
      if (page.length < PAGE) break;
      // The next page starts just after the last key.
      from = Buffer.concat([page[page.length - 1]!.key, Buffer.from([0])]);
    }
  }
  return { objects, summary };
}

/** The control `--etcd-endpoint` answers (listed by `bulwark controls`; evaluated only with etcd's answer). */
export const unencryptedAtRestControl: Control = {
  id: 'cluster-unencrypted-at-rest',
  title: 'Stored in etcd without encryption',
  area: 'storage',
  severity: 'high',
  frameworks: { cis: ['1.2.27', '1.2.28'], nsa: ['Encryption at rest'] },
  description:
    'Read from etcd itself (`bulwark cluster scan --etcd-endpoint`): the value has no `k8s:enc:` envelope, so anyone with a copy of etcd\'s disk or a backup reads it. When other values of the same resource ' +
    'are encrypted, this one was written before encryption was enabled (or while `identity` came first) and stays plaintext until it is rewritten.',
  remediation: 'Put an encrypting provider (aescbc, aesgcm, secretbox or kms v2) first in the EncryptionConfiguration, then rewrite every object: `kubectl get secrets -A -o json | kubectl replace -f -`.',
};

/**
 * A cross-object check over the Secrets (and other resources) the scan read, answered from etcd:
 * built at run time, like a user's policy, so the engine reports it like any other control.
 */
export function encryptionCheck(report: EncryptionReport): import('../checks/check.ts').SetCheck {
  const byObject = new Map<string, StoredObject>();
  for (const object of report.objects) byObject.set(`${object.resource}\u0000${object.namespace}\u0000${object.name}`, object);
  const kindToResource: Record<string, string> = { Secret: 'secrets', ConfigMap: 'configmaps' };
  return {
    ...unencryptedAtRestControl,
    kinds: Object.keys(kindToResource),
    *evaluateSet(set) {
      for (const [kind, resource] of Object.entries(kindToResource)) {
        const counts = report.summary[resource];
        if (counts === undefined) continue;
        const someEncrypted = Object.keys(counts.encrypted).length > 0;
        for (const object of set.ofKind(kind)) {
          const stored = byObject.get(`${resource}\u0000${object.namespace}\u0000${object.name}`);
          if (stored === undefined || stored.stored.state !== 'plaintext') continue;
          yield {
            object,
            path: ['metadata', 'name'],
            message: someEncrypted
              ? `stored in etcd as plaintext (${stored.stored.format}) while other ${resource} are encrypted (${Object.keys(counts.encrypted).join(', ')}): written before encryption was enabled; rewrite it`
              : `stored in etcd as plaintext (${stored.stored.format}): no ${resource} are encrypted at rest`,
          };
        }
      }
    },
    fixtures: { fail: [], pass: [] }, // answered from etcd, not from objects: see encryption.test.ts and test/integration/cluster-encryption.test.ts
  };
}
