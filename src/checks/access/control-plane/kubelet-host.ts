// The kubelet's effective configuration from a node's own view of it: Kubescape's host-sensor
// document `KubeletInfo` (hostdata.kubescape.cloud) carries the kubelet's command line and the bytes of
// the config file `--config` names. The kubelet reads the file first and then lets flags override it;
// without `--config` the command-line defaults apply, which are the insecure ones (anonymous requests
// served, AlwaysAllow authorization, read-only port 10255).
import type { KubeObject } from '../../../core/index.ts';
import { parseYamlStream } from '../../../load/yaml.ts';
import { lastFlag, listFlag, mapFlag, parseFlags, parseGoBool, parseGoInt, type FlagTable } from './flags.ts';

type Fields = Record<string, unknown>;

/** Command-line flags and the config field each overrides (kubelet's `--help`, KubeletConfiguration v1beta1). */
const FLAG_FIELDS: ReadonlyMap<string, { path: readonly string[]; type: 'bool' | 'int' | 'string' | 'list' }> = new Map([
  ['anonymous-auth', { path: ['authentication', 'anonymous', 'enabled'], type: 'bool' }],
  ['authorization-mode', { path: ['authorization', 'mode'], type: 'string' }],
  ['client-ca-file', { path: ['authentication', 'x509', 'clientCAFile'], type: 'string' }],
  ['read-only-port', { path: ['readOnlyPort'], type: 'int' }],
  ['protect-kernel-defaults', { path: ['protectKernelDefaults'], type: 'bool' }],
  ['make-iptables-util-chains', { path: ['makeIPTablesUtilChains'], type: 'bool' }],
  ['streaming-connection-idle-timeout', { path: ['streamingConnectionIdleTimeout'], type: 'string' }],
  ['tls-cert-file', { path: ['tlsCertFile'], type: 'string' }],
  ['tls-private-key-file', { path: ['tlsPrivateKeyFile'], type: 'string' }],
  ['tls-cipher-suites', { path: ['tlsCipherSuites'], type: 'list' }],
  ['rotate-certificates', { path: ['rotateCertificates'], type: 'bool' }],
  ['pod-max-pids', { path: ['podPidsLimit'], type: 'int' }],
]);

const TABLE: FlagTable = {
  dialect: 'pflag',
  booleans: new Set([...FLAG_FIELDS].filter(([, field]) => field.type === 'bool').map(([name]) => name)),
  values: new Set([...[...FLAG_FIELDS].filter(([, field]) => field.type !== 'bool' && field.type !== 'list').map(([name]) => name), 'config']),
  lists: new Map([['tls-cipher-suites', 'slice']]),
  maps: new Set(['feature-gates']),
  shorthands: new Map(),
};

/** Without `--config`, the kubelet runs on its command-line defaults. */
function flagDefaults(): Fields {
  return { authentication: { anonymous: { enabled: true } }, authorization: { mode: 'AlwaysAllow' }, readOnlyPort: 10255 };
}

/** Largest config file read from a host-sensor document. */
const MAX_CONFIG_BYTES = 256 * 1024;

function record(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function setAt(target: Fields, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    const next = record(current[key]);
    current = next ?? (current[key] = {});
  }
  current[path[path.length - 1]!] = value;
}

/**
 * The configuration a `KubeletInfo` document describes, or undefined when it cannot be known: a
 * `--config` file the sensor could not read (or that does not parse) leaves every setting unknown, and
 * Bulwark does not report settings it cannot see.
 */
export function kubeletConfigFromHostSensor(object: KubeObject): Fields | undefined {
  if (object.kind !== 'KubeletInfo' || !object.apiVersion.startsWith('hostdata.kubescape.cloud/')) return undefined;
  const data = record(object.raw['data']);
  const cmdLine = data?.['cmdLine'];
  if (typeof cmdLine !== 'string') return undefined;
  // /proc/PID/cmdline joined by spaces: the program, then its arguments.
  const words = cmdLine.split(/\s+/).filter((word) => word.length > 0);
  // A sensor that could not read the program name starts with the flags.
  const args = words.length > 0 && !words[0]!.startsWith('-') ? words.slice(1) : words;
  const flags = parseFlags(args.map((value, index) => ({ value, path: ['data', 'cmdLine', index] })), TABLE);

  let fields: Fields;
  if (lastFlag(flags, 'config') === undefined) fields = flagDefaults();
  else {
    const content = record(data?.['configFile'])?.['content'];
    if (typeof content !== 'string' || content.length > (MAX_CONFIG_BYTES * 4) / 3 + 4) return undefined;
    const parsed = parseYamlStream(Buffer.from(content, 'base64').toString('utf8'), `${object.source.file}#data.configFile`);
    const value = record(parsed.documents[0]?.value);
    const apiVersion = value?.['apiVersion'];
    if (parsed.errors.length > 0 || value === undefined || typeof apiVersion !== 'string' || !apiVersion.startsWith('kubelet.config.k8s.io/')) return undefined;
    fields = structuredClone(value);
  }

  for (const [name, field] of FLAG_FIELDS) {
    if (field.type === 'list') {
      const items = listFlag(flags, name);
      if (items.length > 0) setAt(fields, field.path, items.map((each) => each.item));
      continue;
    }
    const occurrence = lastFlag(flags, name);
    if (occurrence === undefined) continue;
    const value = field.type === 'bool' ? parseGoBool(occurrence.value) : field.type === 'int' ? parseGoInt(occurrence.value) : occurrence.value;
    // A value the kubelet would refuse to start with decides nothing.
    if (value !== undefined) setAt(fields, field.path, value);
  }
  const gates = mapFlag(flags, 'feature-gates');
  for (const [gate, { value }] of gates) {
    const enabled = parseGoBool(value);
    if (enabled !== undefined) setAt(fields, ['featureGates', gate], enabled);
  }
  return fields;
}
