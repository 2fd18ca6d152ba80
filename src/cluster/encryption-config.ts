// Encryption at rest when etcd cannot be read (managed and locked-down clusters): judged from the
// API server's own configuration instead. The kube-apiserver pods of kube-system go through the
// catalog's control-plane checks like any pod (is --encryption-provider-config set at all?); the
// EncryptionConfiguration that flag names is read where the API shows it (a ConfigMap or Secret
// volume) or from a copy the user passes (--encryption-config, an EncryptionConfiguration or a
// host-sensor ControlPlaneInfo document), and goes through the catalog's encryption controls.
// What stays unknown is a coverage gap that says why. Key material is blanked as soon as it is read.
import type { Diagnostic, KubeObject } from '../core/index.ts';
import { BulwarkError } from '../core/index.ts';
import { loadInputs, parseYamlStream, type LoadedUnit } from '../load/index.ts';
import { ApiError, type ClusterClient } from './client.ts';
import { NO_POSITIONS } from './collect.ts';
import { apiServerPods, controlPlanePods, describeSource, flagFile, type FileSource } from './control-plane.ts';

export interface EncryptionConfigOptions {
  /** A local copy of the file --encryption-provider-config names (or a host-sensor ControlPlaneInfo document). */
  file?: string | undefined;
  cwd: string;
  /** etcd was read: it proved what is stored, so nothing unknown here is a gap. */
  provenByEtcd: boolean;
  /** Pods could not be listed (a coverage gap already): no kube-apiserver pod could be found. */
  podsUnreadable: boolean;
  /** Where cluster-read objects are located (`cluster://<context>`). */
  clusterFile: string;
}

export interface ApiServerEncryption {
  /** `kube-system/kube-apiserver-cp-1` */
  pod: string;
  /** The --encryption-provider-config value; null when not set (Secrets are stored unencrypted). */
  config: string | null;
  /** Where that file was read from, or why it could not be. */
  source: string | null;
  read: boolean;
}

export interface EncryptionAtRest {
  /** etcd: read from etcd; configuration: judged from the API server's configuration; none: not judged. */
  verifiedBy: 'etcd' | 'configuration' | 'none';
  apiServers: ApiServerEncryption[];
  /** What could not be verified, and why (also warned about as coverage gaps). */
  gaps: string[];
}

export interface EncryptionConfigResult {
  /** Objects for the catalog: EncryptionConfigurations read from the cluster, and the local copy. */
  units: LoadedUnit[];
  state: EncryptionAtRest;
  diagnostics: Diagnostic[];
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const ENCRYPTION_GROUP = 'apiserver.config.k8s.io/';

/** A copy with every `secret` string blanked: the checks count keys, they never need one. */
export function redactKeys(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((item) => redactKeys(item, depth + 1));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'secret' && typeof item === 'string' ? '' : redactKeys(item, depth + 1)]));
}

function isEncryptionConfiguration(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { kind, apiVersion } = value as { kind?: unknown; apiVersion?: unknown };
  return kind === 'EncryptionConfiguration' && typeof apiVersion === 'string' && apiVersion.startsWith(ENCRYPTION_GROUP);
}

type Read = { ok: true; text: string } | { ok: false; why: string };

function decoded(bytes: Buffer, what: string): Read {
  if (bytes.length > MAX_CONFIG_BYTES) return { ok: false, why: `${what} is larger than ${MAX_CONFIG_BYTES} bytes` };
  return { ok: true, text: bytes.toString('utf8') };
}

/** The bytes of one ConfigMap or Secret key, from what the scan read or (Secrets, blanked there) from the API. */
async function readKey(client: ClusterClient, objects: readonly KubeObject[], source: Extract<FileSource, { key: string }>): Promise<Read> {
  const what = describeSource(source);
  let raw: Readonly<Record<string, unknown>> | undefined;
  if (source.kind === 'configmap') raw = objects.find((o) => o.kind === 'ConfigMap' && o.apiVersion === 'v1' && o.namespace === source.namespace && o.name === source.name)?.raw;
  if (raw === undefined) {
    const path = `/api/v1/namespaces/${encodeURIComponent(source.namespace)}/${source.kind === 'configmap' ? 'configmaps' : 'secrets'}/${encodeURIComponent(source.name)}`;
    try {
      raw = (await client.get(path)) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return { ok: false, why: `${what} is forbidden for these credentials (get ${source.kind === 'configmap' ? 'configmaps' : 'secrets'} in ${source.namespace})` };
      if (error instanceof ApiError && error.status === 404) return { ok: false, why: `${what} does not exist` };
      throw error;
    }
  }
  const data = raw?.['data'];
  const value = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[source.key] : undefined;
  if (source.kind === 'configmap') {
    if (typeof value === 'string') return decoded(Buffer.from(value, 'utf8'), what);
    const binary = (raw?.['binaryData'] as Record<string, unknown> | undefined)?.[source.key];
    if (typeof binary === 'string') return decoded(Buffer.from(binary, 'base64'), what);
  } else if (typeof value === 'string') return decoded(Buffer.from(value, 'base64'), what);
  return { ok: false, why: `${what} has no such key` };
}

/** The EncryptionConfiguration in a key's text, as an object located in the cluster (no lines). */
function configurationObject(text: string, source: Extract<FileSource, { key: string }>, file: string): KubeObject | string {
  const parsed = parseYamlStream(text, `${describeSource(source)}`);
  const value = parsed.documents[0]?.value;
  if (parsed.errors.length > 0) return `${describeSource(source)} is not valid YAML (${parsed.errors[0]!.message})`;
  if (!isEncryptionConfiguration(value)) return `${describeSource(source)} holds no EncryptionConfiguration (apiserver.config.k8s.io)`;
  return {
    apiVersion: value['apiVersion'] as string,
    kind: 'EncryptionConfiguration',
    namespace: source.namespace,
    // Named after what holds it: that is what an operator edits.
    name: source.name,
    raw: redactKeys(value) as Record<string, unknown>,
    source: { kind: 'cluster', file, document: 0, line: 0, column: 0 },
    positions: NO_POSITIONS,
  };
}

/** The local copy: only EncryptionConfiguration and host-sensor ControlPlaneInfo documents count. */
async function readLocalCopy(file: string, cwd: string): Promise<{ unit: LoadedUnit | undefined; diagnostics: Diagnostic[] }> {
  const loaded = await loadInputs([file], { cwd, maxFileBytes: MAX_CONFIG_BYTES });
  const diagnostics = loaded.diagnostics.map((d) => (d.level === 'error' ? { ...d, message: `--encryption-config: ${d.message}` } : d));
  if (loaded.files === 0) return { unit: undefined, diagnostics };
  const objects = loaded.objects
    .filter((o) => (o.kind === 'EncryptionConfiguration' && o.apiVersion.startsWith(ENCRYPTION_GROUP)) || (o.kind === 'ControlPlaneInfo' && o.apiVersion.startsWith('hostdata.kubescape.cloud/')))
    .map((o) => ({ ...o, raw: redactKeys(o.raw) as Record<string, unknown> }));
  if (objects.length === 0) {
    diagnostics.push({ level: 'error', code: 'E_INPUT', message: `--encryption-config: ${file} holds no EncryptionConfiguration (apiserver.config.k8s.io) nor host-sensor ControlPlaneInfo document`, location: { file } });
    return { unit: undefined, diagnostics };
  }
  return { unit: { file: objects[0]!.source.file, objects, diagnostics: [], read: true }, diagnostics };
}

export async function readApiServerEncryption(client: ClusterClient, objects: readonly KubeObject[], options: EncryptionConfigOptions): Promise<EncryptionConfigResult> {
  const units: LoadedUnit[] = [];
  const diagnostics: Diagnostic[] = [];
  const apiServers: ApiServerEncryption[] = [];
  const gaps: string[] = [];
  const fromCluster: KubeObject[] = [];
  const readSources = new Map<string, true | string>();
  /** Pods whose file the API does not show, by where it is. */
  const offCluster: { pod: string; where: string }[] = [];
  let judged = false;

  const local = options.file === undefined ? undefined : await readLocalCopy(options.file, options.cwd);
  if (local !== undefined) {
    diagnostics.push(...local.diagnostics);
    if (local.unit !== undefined) {
      units.push(local.unit);
      judged = true;
    }
  }

  const servers = apiServerPods(controlPlanePods(objects));
  for (const server of servers) {
    const { pod } = server;
    const name = `${pod.kind === 'Pod' ? '' : `${pod.kind} `}${pod.namespace}/${pod.name}`;
    if (server.invocation === undefined) {
      gaps.push(`${pod.kind} ${pod.namespace}/${pod.name} is labelled kube-apiserver but none of its containers runs a kube-apiserver command`);
      continue;
    }
    const file = flagFile(server, 'encryption-provider-config');
    if (file === undefined) {
      // Verified: nothing is encrypted (apiserver-encryption-provider-config reports it).
      apiServers.push({ pod: name, config: null, source: null, read: false });
      judged = true;
      continue;
    }
    const where = describeSource(file.source);
    if (file.source.kind === 'host' || file.source.kind === 'elsewhere') {
      apiServers.push({ pod: name, config: file.path, source: where, read: local?.unit !== undefined });
      offCluster.push({ pod: name, where: `${file.path} from ${where}` });
      continue;
    }
    const key = `${file.source.kind}\u0000${file.source.namespace}\u0000${file.source.name}\u0000${file.source.key}`;
    let outcome = readSources.get(key);
    if (outcome === undefined) {
      const read = await readKey(client, objects, file.source);
      const object = read.ok ? configurationObject(read.text, file.source, options.clusterFile) : read.why;
      if (typeof object === 'string') outcome = object;
      else {
        fromCluster.push(object);
        outcome = true;
        diagnostics.push({ level: 'note', code: 'E_INPUT', message: `encryption at rest: kube-apiserver ${name} reads its EncryptionConfiguration (${file.path}) from ${where}`, location: { file: options.clusterFile } });
      }
      readSources.set(key, outcome);
    }
    apiServers.push({ pod: name, config: file.path, source: where, read: outcome === true });
    if (outcome === true) judged = true;
    else gaps.push(`kube-apiserver ${name} names ${file.path}, but ${outcome}`);
  }
  if (fromCluster.length > 0) units.push({ file: options.clusterFile, objects: fromCluster, diagnostics: [], read: true });

  if (local?.unit === undefined && offCluster.length > 0) {
    const pods = offCluster.map((o) => o.pod);
    gaps.push(
      `kube-apiserver ${pods.slice(0, 3).join(', ')}${pods.length > 3 ? ` and ${pods.length - 3} more` : ''} ${pods.length === 1 ? 'reads its' : 'read their'} EncryptionConfiguration ` +
        `${offCluster[0]!.where}, which the API does not show: pass a copy with --encryption-config FILE, or read etcd with --etcd-endpoint`,
    );
  }
  if (servers.length === 0 && local?.unit === undefined) {
    gaps.push(
      options.podsUnreadable
        ? 'pods cannot be listed with these credentials, so the kube-apiserver pods of kube-system (and the file --encryption-provider-config names) were not found'
        : 'no kube-apiserver pod in kube-system: the control plane is managed or runs outside the cluster; check the provider\'s secrets encryption setting ' +
            '(EKS: envelope encryption with KMS, GKE: application-layer secrets encryption, AKS: KMS etcd encryption), or pass --encryption-config FILE or --etcd-endpoint',
    );
  }

  const reported = options.provenByEtcd ? [] : gaps;
  for (const gap of reported) diagnostics.push({ level: 'warning', code: 'E_INPUT', message: `coverage gap: encryption at rest not verified: ${gap}`, location: { file: options.clusterFile } });
  return {
    units,
    diagnostics,
    state: { verifiedBy: options.provenByEtcd ? 'etcd' : judged ? 'configuration' : 'none', apiServers, gaps: reported },
  };
}

/** etcd failures that leave the configuration to judge from (unreachable, refused, not etcd); setup mistakes stay errors. */
export function isEtcdUnreachable(error: unknown): error is BulwarkError {
  return error instanceof BulwarkError && (error.code === 'E_TOOL_FAILED' || error.code === 'E_PARSE');
}
