// EncryptionConfiguration files (apiserver.config.k8s.io): how the API server encrypts Secrets in
// etcd. For each resource the first `resources[]` entry naming it decides, and within it the first
// provider encrypts new writes (the others only decrypt). Key material is never echoed in a message.
import type { Control, FieldPath, KubeObject } from '../../../core/index.ts';
import { parseYamlStream } from '../../../load/yaml.ts';
import type { Check, CheckFixtures, Violation } from '../../check.ts';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isEncryptionConfiguration(object: KubeObject): boolean {
  return object.kind === 'EncryptionConfiguration' && object.apiVersion.startsWith('apiserver.config.k8s.io/');
}

/** Where Kubescape's host-sensor `ControlPlaneInfo` keeps the bytes of the file `--encryption-provider-config` names. */
const HOST_SENSOR_CONTENT: FieldPath = ['data', 'APIServerInfo', 'encryptionProviderConfigFile', 'content'];
const MAX_EMBEDDED_BYTES = 256 * 1024;

/** The EncryptionConfiguration inside a host-sensor `ControlPlaneInfo` document, when it holds one that parses. */
function hostSensorConfiguration(object: KubeObject): { fields: Fields; file: string } | undefined {
  if (object.kind !== 'ControlPlaneInfo' || !object.apiVersion.startsWith('hostdata.kubescape.cloud/')) return undefined;
  const file = fields(fields(fields(object.raw['data'])?.['APIServerInfo'])?.['encryptionProviderConfigFile']);
  const content = file?.['content'];
  if (typeof content !== 'string' || content.length > (MAX_EMBEDDED_BYTES * 4) / 3 + 4) return undefined;
  const parsed = parseYamlStream(Buffer.from(content, 'base64').toString('utf8'), `${object.source.file}#encryptionProviderConfigFile`);
  const value = fields(parsed.documents[0]?.value);
  const apiVersion = value?.['apiVersion'];
  if (parsed.errors.length > 0 || value === undefined || value['kind'] !== 'EncryptionConfiguration' || typeof apiVersion !== 'string' || !apiVersion.startsWith('apiserver.config.k8s.io/')) return undefined;
  const path = file?.['path'];
  return { fields: value, file: `encryption config ${typeof path === 'string' ? path : '(unnamed file)'}` };
}

const PROVIDERS = ['identity', 'aescbc', 'aesgcm', 'secretbox', 'kms'] as const;
type ProviderName = (typeof PROVIDERS)[number];

interface SecretsEntry {
  /** Index in `resources`. */
  index: number;
  /** The name that matched: `secrets`, `*.` or `*.*`. */
  matched: string;
  /** The first provider, or undefined when the list is empty or unreadable. */
  first: { name: ProviderName | string; config: Fields | undefined; index: number } | undefined;
}

/** The entry that decides how Secrets are stored: the first one naming `secrets`, `*.` or `*.*`. */
function secretsEntry(object: KubeObject): SecretsEntry | undefined {
  const list = object.raw['resources'];
  if (!Array.isArray(list)) return undefined;
  for (let index = 0; index < list.length; index++) {
    const entry = fields(list[index]);
    const names = entry?.['resources'];
    if (!Array.isArray(names)) continue;
    const matched = names.find((name) => name === 'secrets' || name === '*.' || name === '*.*');
    if (typeof matched !== 'string') continue;
    const providers = entry?.['providers'];
    let first: SecretsEntry['first'];
    if (Array.isArray(providers) && providers.length > 0) {
      const provider = fields(providers[0]);
      const name = provider === undefined ? undefined : Object.keys(provider)[0];
      if (name !== undefined) first = { name, config: fields(provider![name]), index: 0 };
    }
    return { index, matched, first };
  }
  return undefined;
}

interface EncryptionCheckDefinition extends Omit<Control, 'area'> {
  rule(object: KubeObject): Violation | undefined;
  fixtures: CheckFixtures;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

function encryptionCheck(definition: EncryptionCheckDefinition): Check {
  const { rule, ...control } = definition;
  return {
    ...control,
    area: 'storage',
    evaluate(context) {
      if (isEncryptionConfiguration(context.object)) {
        const violation = rule(context.object);
        return violation === undefined ? NO_VIOLATIONS : [violation];
      }
      const embedded = hostSensorConfiguration(context.object);
      if (embedded === undefined) return NO_VIOLATIONS;
      // The file is judged as if it stood alone; the finding points at the document's copy of it.
      const violation = rule({ ...context.object, raw: embedded.fields });
      return violation === undefined ? NO_VIOLATIONS : [{ path: HOST_SENSOR_CONTENT, message: `${embedded.file}: ${violation.message}` }];
    },
  };
}

function providerPath(entry: SecretsEntry): FieldPath {
  return ['resources', entry.index, 'providers', 0];
}

function configuration(...entries: string[]): string {
  return `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${entries.join('\n')}\n`;
}

const KMS_V2 = `  - resources: [secrets]
    providers:
    - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms/socket.sock, timeout: 3s}
    - identity: {}`;
const AESCBC = `  - resources: [secrets]
    providers:
    - aescbc:
        keys:
        - {name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==}
    - identity: {}`;
const IDENTITY_FIRST = `  - resources: [secrets, configmaps]
    providers:
    - identity: {}
    - aesgcm:
        keys:
        - {name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==}`;
const CONFIGMAPS_ONLY = `  - resources: [configmaps]
    providers:
    - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms/socket.sock}`;

const NSA = ['Network separation and hardening: encryption'];

const DEFINITIONS: EncryptionCheckDefinition[] = [
  {
    id: 'encryption-secrets-not-covered',
    title: 'EncryptionConfiguration does not cover Secrets',
    severity: 'high',
    frameworks: { cis: ['1.2.28'], nsa: NSA, mitre: ['T1552'], kubescape: ['C-0142'] },
    description: 'An EncryptionConfiguration without an entry for `secrets` (or `*.` / `*.*`) leaves Secrets in plain text in etcd, whatever else it encrypts.',
    remediation: 'Add `secrets` to a `resources` entry whose first provider is `kms` (apiVersion v2).',
    rule(object) {
      if (secretsEntry(object) !== undefined) return undefined;
      return { path: ['resources'], message: 'no resources entry names secrets (or *. or *.*): Secrets are stored unencrypted' };
    },
    fixtures: { pass: [configuration(KMS_V2), configuration(CONFIGMAPS_ONLY, '  - resources: ["*.*"]\n    providers:\n    - kms: {apiVersion: v2, name: k, endpoint: unix:///k.sock}')], fail: [configuration(CONFIGMAPS_ONLY)] },
  },
  {
    id: 'encryption-identity-first',
    title: 'EncryptionConfiguration writes Secrets unencrypted (identity first)',
    severity: 'high',
    frameworks: { cis: ['1.2.28'], nsa: NSA, mitre: ['T1552'], kubescape: ['C-0142'] },
    description: 'The first provider of an entry encrypts every new write; with `identity` first, Secrets are written to etcd in plain text and the providers after it only decrypt old data.',
    remediation: 'Move `identity` last (it is needed only to read data written before encryption was enabled), with a `kms` v2 provider first.',
    rule(object) {
      const entry = secretsEntry(object);
      if (entry === undefined || entry.first === undefined) {
        if (entry === undefined) return undefined;
        return { path: ['resources', entry.index], message: `resources[${entry.index}] (${entry.matched}) lists no provider` };
      }
      if (entry.first.name !== 'identity') return undefined;
      return { path: providerPath(entry), message: `resources[${entry.index}] (${entry.matched}) has identity as its first provider: Secrets are written in plain text` };
    },
    fixtures: { pass: [configuration(KMS_V2)], fail: [configuration(IDENTITY_FIRST)] },
  },
  {
    id: 'encryption-local-key-provider',
    title: 'EncryptionConfiguration keeps the Secrets key in the file',
    severity: 'medium',
    frameworks: { nsa: NSA, mitre: ['T1552'] },
    description:
      'With `aescbc`, `aesgcm` or `secretbox` first, the key that protects every Secret sits in this file on each control-plane disk — usually backed up together with etcd, so the backup carries its own key. `aescbc` is also exposed to padding-oracle attacks and `aesgcm` needs rotating every 200,000 writes. Medium: it protects etcd data and snapshots taken alone, not a control-plane disk.',
    remediation: 'Use a `kms` provider with `apiVersion: v2` (the key stays in an external KMS or HSM); keep the local-key provider second only while existing data is rewritten.',
    rule(object) {
      const entry = secretsEntry(object);
      if (entry?.first === undefined || !['aescbc', 'aesgcm', 'secretbox'].includes(entry.first.name)) return undefined;
      const keys = entry.first.config?.['keys'];
      const count = Array.isArray(keys) ? keys.length : 0;
      return {
        path: providerPath(entry),
        message: `resources[${entry.index}] (${entry.matched}) encrypts with ${entry.first.name} and ${count} key${count === 1 ? '' : 's'} stored in this file`,
      };
    },
    fixtures: { pass: [configuration(KMS_V2)], fail: [configuration(AESCBC)] },
  },
  {
    id: 'encryption-kms-v1',
    title: 'EncryptionConfiguration uses the deprecated KMS v1 API',
    severity: 'low',
    frameworks: { nsa: NSA },
    description: 'KMS v1 (the default when `apiVersion` is omitted) is deprecated and disabled by default since Kubernetes 1.29; it calls the KMS for every object and cannot rotate keys without rewriting data. Low: it still encrypts.',
    remediation: 'Set `apiVersion: v2` on the kms provider (with a KMS v2 plugin).',
    rule(object) {
      const entry = secretsEntry(object);
      if (entry?.first?.name !== 'kms') return undefined;
      const version = entry.first.config?.['apiVersion'];
      if (version === 'v2') return undefined;
      return { path: [...providerPath(entry), 'kms'], message: `resources[${entry.index}] (${entry.matched}) uses KMS ${version === undefined ? 'v1 (apiVersion not set)' : JSON.stringify(version)}` };
    },
    fixtures: { pass: [configuration(KMS_V2)], fail: [configuration('  - resources: [secrets]\n    providers:\n    - kms: {name: vault, endpoint: unix:///k.sock, cachesize: 1000}')] },
  },
];

export const encryptionChecks: readonly Check[] = DEFINITIONS.map(encryptionCheck);

