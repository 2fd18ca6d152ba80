// Reading etcd directly, the way an attacker with a disk or backup copy would see the data: through
// etcd's v3 JSON gateway (`/v3/kv/range`, keys and values base64) over TLS with a client certificate,
// so no etcdctl is needed. Used to prove what the API server really stores (encryption at rest).
import { BulwarkError } from '../src/core/errors.ts';
import { httpsRequest } from './https-client.ts';

export interface EtcdConnection {
  /** `https://127.0.0.1:PORT` */
  endpoint: string;
  /** PEM CA, client certificate and key (also written to the files below for other tools). */
  ca: string;
  cert: string;
  key: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  /** Where the API server keeps its objects: `/registry/<resource>/<namespace>/<name>`. */
  prefix: string;
}

export interface EtcdKeyValue {
  key: string;
  value: Buffer;
}

const REQUEST_TIMEOUT_MS = 5000;
/** Far above etcd's default 1.5 MiB request limit, base64-encoded, times a few values. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
const MAX_KEYS = 10_000;

function base64Field(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new BulwarkError('E_PARSE', `etcd range answer: ${what} is not base64`);
  }
  return Buffer.from(value, 'base64');
}

/** The key-value pairs of a `/v3/kv/range` JSON answer; a malformed answer is an E_PARSE error. */
export function parseRangeResponse(text: string): EtcdKeyValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BulwarkError('E_PARSE', `etcd range answer is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BulwarkError('E_PARSE', 'etcd range answer is not a JSON object');
  }
  const kvs = (parsed as { kvs?: unknown }).kvs;
  // etcd omits empty fields: no "kvs" means no key matched.
  if (kvs === undefined) return [];
  if (!Array.isArray(kvs)) throw new BulwarkError('E_PARSE', 'etcd range answer: "kvs" is not a list');
  return kvs.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw new BulwarkError('E_PARSE', `etcd range answer: kvs[${index}] is not an object`);
    const { key, value } = entry as { key?: unknown; value?: unknown };
    return {
      key: base64Field(key, `kvs[${index}].key`).toString('utf8'),
      // keys_only answers, and empty values, have no "value".
      value: value === undefined ? Buffer.alloc(0) : base64Field(value, `kvs[${index}].value`),
    };
  });
}

/** The key just after every key that starts with `prefix`: etcd's range_end for a prefix scan. */
export function prefixRangeEnd(prefix: string | Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: to the end of the key space
}

async function range(etcd: EtcdConnection, body: Record<string, unknown>): Promise<EtcdKeyValue[]> {
  const response = await httpsRequest(`${etcd.endpoint}/v3/kv/range`, etcd, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    timeoutMs: REQUEST_TIMEOUT_MS,
    maxBytes: MAX_RESPONSE_BYTES,
  });
  if (response.status !== 200) {
    throw new BulwarkError('E_TOOL_FAILED', `etcd ${etcd.endpoint}/v3/kv/range answered ${response.status}: ${response.body.toString('utf8').slice(0, 300)}`);
  }
  return parseRangeResponse(response.body.toString('utf8'));
}

/** The raw bytes stored under `key`, or null when there is no such key. */
export async function etcdGet(etcd: EtcdConnection, key: string): Promise<Buffer | null> {
  const [found] = await range(etcd, { key: Buffer.from(key, 'utf8').toString('base64') });
  return found === undefined ? null : found.value;
}

/** The keys that start with `prefix` (at most `limit`), without their values. */
export async function etcdKeys(etcd: EtcdConnection, prefix: string, limit = MAX_KEYS): Promise<string[]> {
  const found = await range(etcd, {
    key: Buffer.from(prefix, 'utf8').toString('base64'),
    range_end: prefixRangeEnd(prefix).toString('base64'),
    keys_only: true,
    limit: Math.min(Math.max(1, limit), MAX_KEYS),
  });
  return found.map((entry) => entry.key);
}

/** Whether etcd answers its health endpoint as healthy (false on any error: callers poll). */
export async function etcdHealthy(etcd: Pick<EtcdConnection, 'endpoint' | 'ca' | 'cert' | 'key'>, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await httpsRequest(`${etcd.endpoint}/health`, etcd, { timeoutMs, maxBytes: 64 * 1024 });
    return response.status === 200 && /"health"\s*:\s*"true"/.test(response.body.toString('utf8'));
  } catch {
    return false;
  }
}
