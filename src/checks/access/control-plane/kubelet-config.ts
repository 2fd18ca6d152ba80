// KubeletConfiguration files (kubelet.config.k8s.io), as CIS Kubernetes Benchmark v1.10 section 4.2
// asks for them. Read as written, or from the ConfigMap kubeadm stores them in (`kubelet-config` in
// kube-system, key `kubelet`). Unset fields take the config file's defaults, which differ from the
// kubelet's command-line defaults (anonymous authentication is off in a file, on as a flag).
import type { Control, FieldPath, KubeObject } from '../../../core/index.ts';
import { parseYamlStream } from '../../../load/yaml.ts';
import { showValue } from '../../../podspec/index.ts';
import type { Check, CheckFixtures, Violation } from '../../check.ts';
import { kubeletConfigFromHostSensor } from './kubelet-host.ts';

type Fields = Readonly<Record<string, unknown>>;

/** A kubelet configuration and the path, inside the scanned object, its fields are reported at. */
interface KubeletConfig {
  readonly fields: Fields;
  /** Prefix for field paths: `[]` for a KubeletConfiguration object, `['data', 'kubelet']` inside a ConfigMap. */
  readonly at: FieldPath;
  readonly embedded: boolean;
  readonly label: string;
}

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isKubeletConfig(value: Fields | undefined): boolean {
  return value?.['kind'] === 'KubeletConfiguration' && typeof value['apiVersion'] === 'string' && value['apiVersion'].startsWith('kubelet.config.k8s.io/');
}

/** Embedded configurations are parsed once per object; large ones are not read at all. */
const MAX_EMBEDDED_BYTES = 256 * 1024;
const cache = new WeakMap<KubeObject, KubeletConfig | null>();

export function kubeletConfigOf(object: KubeObject): KubeletConfig | undefined {
  if (object.kind !== 'KubeletConfiguration' && object.kind !== 'ConfigMap' && object.kind !== 'KubeletInfo') return undefined;
  const cached = cache.get(object);
  if (cached !== undefined) return cached ?? undefined;
  let found: KubeletConfig | null = null;
  if (object.kind === 'KubeletInfo') {
    const effective = kubeletConfigFromHostSensor(object);
    if (effective !== undefined) found = { fields: effective, at: ['data'], embedded: true, label: `kubelet on ${object.name || 'the node'} (command line and config file)` };
  } else if (isKubeletConfig(object.raw)) found = { fields: object.raw, at: [], embedded: false, label: `KubeletConfiguration ${object.name || '(unnamed)'}` };
  else if (object.kind === 'ConfigMap' && object.apiVersion === 'v1' && /^kubelet-config(-\d+\.\d+)?$/.test(object.name)) {
    const text = fields(object.raw['data'])?.['kubelet'];
    if (typeof text === 'string' && text.length <= MAX_EMBEDDED_BYTES) {
      const parsed = parseYamlStream(text, `${object.source.file}#data.kubelet`);
      const value = fields(parsed.documents[0]?.value);
      if (parsed.errors.length === 0 && isKubeletConfig(value)) found = { fields: value!, at: ['data', 'kubelet'], embedded: true, label: `KubeletConfiguration in ConfigMap ${object.name}` };
    }
  }
  cache.set(object, found);
  return found ?? undefined;
}

function read(config: KubeletConfig, path: readonly string[]): unknown {
  let current: unknown = config.fields;
  for (const key of path) {
    const next = fields(current);
    if (next === undefined || !Object.hasOwn(next, key)) return undefined;
    current = next[key];
  }
  return current === null ? undefined : current;
}

/** Where to point: the field itself in a file, the embedded document in a ConfigMap. */
function pathOf(config: KubeletConfig, path: readonly (string | number)[]): FieldPath {
  if (config.embedded) return config.at;
  return path.length === 0 ? ['kind'] : path;
}

interface KubeletRule {
  (config: KubeletConfig): { path: readonly (string | number)[]; message: string } | undefined;
}

interface KubeletCheckDefinition extends Omit<Control, 'area'> {
  rule: KubeletRule;
  fixtures: CheckFixtures;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

function kubeletCheck(definition: KubeletCheckDefinition): Check {
  const { rule, ...control } = definition;
  return {
    ...control,
    area: 'access',
    evaluate(context): Iterable<Violation> {
      const config = kubeletConfigOf(context.object);
      if (config === undefined) return NO_VIOLATIONS;
      const found = rule(config);
      return found === undefined ? NO_VIOLATIONS : [{ path: pathOf(config, found.path), message: `${config.label}: ${found.message}` }];
    },
  };
}

/** The field's value must be `wanted`; unset means `defaultValue`. */
function requireValue(path: string[], wanted: unknown, defaultValue: unknown, describe: (value: unknown) => string): KubeletRule {
  return (config) => {
    const value = read(config, path);
    const effective = value === undefined ? defaultValue : value;
    if (effective === wanted) return undefined;
    return { path: value === undefined ? path.slice(0, -1) : path, message: describe(value) };
  };
}

const HARDENED = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
readOnlyPort: 0
protectKernelDefaults: true
rotateCertificates: true
serverTLSBootstrap: true
streamingConnectionIdleTimeout: 5m
podPidsLimit: 4096
tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
`;

/** The hardened configuration with top-level lines replaced or added (`key: value`). */
function config(...lines: string[]): string {
  let text = HARDENED;
  for (const line of lines) {
    const key = line.slice(0, line.indexOf(':'));
    const pattern = new RegExp(`^${key}:.*(\\n  .*)*\\n`, 'm');
    text = pattern.test(text) ? text.replace(pattern, line === `${key}:` ? '' : `${line}\n`) : `${text}${line}\n`;
  }
  return text;
}

function inConfigMap(text: string): string {
  const indented = text.split('\n').map((line) => (line === '' ? line : `    ${line}`)).join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kubelet-config, namespace: kube-system}\ndata:\n  kubelet: |\n${indented}`;
}

const NSA = ['Network separation and hardening: worker node segmentation'];
const STRONG_KUBELET_CIPHERS = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
]);

/** Go durations that are zero: `0`, `0s`, `0m0s`, … */
function isZeroDuration(value: unknown): boolean {
  if (value === 0) return true;
  return typeof value === 'string' && /^[+-]?(0+(\.0*)?(ns|us|µs|ms|s|m|h)?)+$/.test(value);
}

const DEFINITIONS: KubeletCheckDefinition[] = [
  {
    id: 'kubelet-anonymous-auth',
    title: 'Kubelet serves anonymous requests',
    severity: 'high',
    frameworks: { cis: ['4.2.1'], nsa: NSA, mitre: ['T1609'], kubescape: ['C-0069', 'C-0172'] },
    description:
      'With `authentication.anonymous.enabled: true`, anyone who reaches the kubelet port (10250) is served as `system:anonymous`; together with a permissive authorization mode that is exec in every pod of the node. High: the kubelet API is the node.',
    remediation: 'Set `authentication.anonymous.enabled: false` (the config file default).',
    rule: requireValue(['authentication', 'anonymous', 'enabled'], false, false, () => 'authentication.anonymous.enabled is true'),
    fixtures: {
      pass: [HARDENED, config('authentication:\n  x509: {clientCAFile: /ca.crt}')],
      fail: [config('authentication:\n  anonymous: {enabled: true}\n  x509: {clientCAFile: /ca.crt}'), inConfigMap(config('authentication:\n  anonymous:\n    enabled: true'))],
    },
  },
  {
    id: 'kubelet-authorization-always-allow',
    title: 'Kubelet authorizes every request (AlwaysAllow)',
    severity: 'high',
    frameworks: { cis: ['4.2.2'], nsa: NSA, mitre: ['T1609'], kubescape: ['C-0173'] },
    description: '`authorization.mode: AlwaysAllow` lets every authenticated caller use the whole kubelet API — exec, logs, port-forward in every pod of the node — without asking the API server.',
    remediation: 'Set `authorization.mode: Webhook` (the config file default).',
    rule: requireValue(['authorization', 'mode'], 'Webhook', 'Webhook', (value) => `authorization.mode is ${JSON.stringify(value)}`),
    fixtures: { pass: [HARDENED], fail: [config('authorization: {mode: AlwaysAllow}')] },
  },
  {
    id: 'kubelet-client-ca',
    title: 'Kubelet does not authenticate client certificates',
    severity: 'high',
    frameworks: { cis: ['4.2.3'], nsa: NSA, kubescape: ['C-0174', 'C-0070'] },
    description: 'Without `authentication.x509.clientCAFile` the kubelet accepts no client certificate, so the API server cannot authenticate to it with `--kubelet-client-certificate` and requests fall back to tokens or anonymity.',
    remediation: 'Set `authentication.x509.clientCAFile` to the cluster CA.',
    rule: (config) => {
      const value = read(config, ['authentication', 'x509', 'clientCAFile']);
      if (typeof value === 'string' && value.length > 0) return undefined;
      return { path: ['authentication'], message: 'authentication.x509.clientCAFile is not set' };
    },
    fixtures: { pass: [HARDENED], fail: [config('authentication:\n  anonymous: {enabled: false}')] },
  },
  {
    id: 'kubelet-read-only-port',
    title: 'Kubelet serves its read-only port',
    severity: 'medium',
    frameworks: { cis: ['4.2.4'], nsa: NSA, mitre: ['T1613'], kubescape: ['C-0175'] },
    description: 'A non-zero `readOnlyPort` (10255 is customary) serves pod specs, environment variables included, and node metrics without authentication or authorization. Medium: read-only, but often full of secrets in env.',
    remediation: 'Set `readOnlyPort: 0` (the config file default).',
    rule: (config) => {
      const value = read(config, ['readOnlyPort']);
      if (value === undefined || value === 0) return undefined;
      return { path: ['readOnlyPort'], message: `readOnlyPort is ${JSON.stringify(value)}: unauthenticated read access` };
    },
    fixtures: { pass: [HARDENED, config('readOnlyPort:')], fail: [config('readOnlyPort: 10255')] },
  },
  {
    id: 'kubelet-streaming-idle-timeout',
    title: 'Kubelet never times out idle streaming connections',
    severity: 'low',
    frameworks: { cis: ['4.2.5'], nsa: NSA, mitre: ['T1499'], kubescape: ['C-0176'] },
    description: '`streamingConnectionIdleTimeout: 0` keeps idle exec, attach and port-forward sessions open forever: forgotten sessions stay usable and accumulate. Low.',
    remediation: 'Set `streamingConnectionIdleTimeout` to a few minutes (`5m`); the default is `4h`.',
    rule: (config) => {
      const value = read(config, ['streamingConnectionIdleTimeout']);
      if (!isZeroDuration(value)) return undefined;
      return { path: ['streamingConnectionIdleTimeout'], message: `streamingConnectionIdleTimeout is ${JSON.stringify(value)} (never)` };
    },
    fixtures: { pass: [HARDENED], fail: [config('streamingConnectionIdleTimeout: 0s')] },
  },
  {
    id: 'kubelet-protect-kernel-defaults',
    title: 'Kubelet may change kernel parameters',
    severity: 'low',
    frameworks: { nsa: NSA, kubescape: ['C-0177'] },
    description:
      'Without `protectKernelDefaults: true` the kubelet changes kernel tunables it disagrees with instead of refusing to start, silently undoing the node\'s hardening (CIS Benchmark 4.2.6 up to v1.9). Low: it needs node tuning to matter.',
    remediation: 'Set `protectKernelDefaults: true` and tune the node\'s sysctls to what the kubelet expects.',
    rule: requireValue(['protectKernelDefaults'], true, false, (value) => (value === undefined ? 'protectKernelDefaults is not set (default false)' : `protectKernelDefaults is ${JSON.stringify(value)}`)),
    fixtures: { pass: [HARDENED], fail: [config('protectKernelDefaults:')] },
  },
  {
    id: 'kubelet-iptables-util-chains',
    title: 'Kubelet does not manage its iptables chains',
    severity: 'low',
    frameworks: { cis: ['4.2.6'], nsa: NSA, kubescape: ['C-0178'] },
    description: '`makeIPTablesUtilChains: false` stops the kubelet from keeping its iptables rules in sync with pod networking needs; rules drift from what pods expect. Low.',
    remediation: 'Remove `makeIPTablesUtilChains: false` (the default is `true`).',
    rule: requireValue(['makeIPTablesUtilChains'], true, true, () => 'makeIPTablesUtilChains is false'),
    fixtures: { pass: [HARDENED], fail: [config('makeIPTablesUtilChains: false')] },
  },
  {
    id: 'kubelet-tls-certificate',
    title: 'Kubelet serves with a self-signed certificate',
    severity: 'low',
    frameworks: { cis: ['4.2.9'], nsa: NSA, mitre: ['T1557'], kubescape: ['C-0181'] },
    description:
      'Without `tlsCertFile`/`tlsPrivateKeyFile` and without `serverTLSBootstrap: true`, the kubelet serves a self-signed certificate that the API server cannot verify (`--kubelet-certificate-authority`). Low: it takes a position on the node network to abuse.',
    remediation: 'Set `serverTLSBootstrap: true` (and approve the kubelet-serving CSRs), or set `tlsCertFile` and `tlsPrivateKeyFile`.',
    rule: (config) => {
      if (read(config, ['serverTLSBootstrap']) === true) return undefined;
      const cert = read(config, ['tlsCertFile']);
      const key = read(config, ['tlsPrivateKeyFile']);
      if (typeof cert === 'string' && cert !== '' && typeof key === 'string' && key !== '') return undefined;
      return { path: [], message: 'neither serverTLSBootstrap nor tlsCertFile and tlsPrivateKeyFile are set' };
    },
    fixtures: { pass: [HARDENED, config('serverTLSBootstrap:', 'tlsCertFile: /k.crt', 'tlsPrivateKeyFile: /k.key')], fail: [config('serverTLSBootstrap:')] },
  },
  {
    id: 'kubelet-rotate-certificates',
    title: 'Kubelet does not rotate its client certificate',
    severity: 'medium',
    frameworks: { cis: ['4.2.10'], nsa: NSA, kubescape: ['C-0182'] },
    description: 'Without `rotateCertificates: true` (the config file default is false) the kubelet keeps its client certificate until it expires; a stolen one stays valid for its whole life, and expiry takes the node down.',
    remediation: 'Set `rotateCertificates: true`.',
    rule: requireValue(['rotateCertificates'], true, false, (value) => (value === undefined ? 'rotateCertificates is not set (default false)' : `rotateCertificates is ${JSON.stringify(value)}`)),
    fixtures: { pass: [HARDENED], fail: [config('rotateCertificates: false'), config('rotateCertificates:')] },
  },
  {
    id: 'kubelet-server-certificate-rotation',
    title: 'Kubelet serving-certificate rotation is switched off',
    severity: 'low',
    frameworks: { cis: ['4.2.11'], nsa: NSA, kubescape: ['C-0183'] },
    description: '`featureGates.RotateKubeletServerCertificate: false` stops the kubelet from renewing its serving certificate through the API.',
    remediation: 'Remove `RotateKubeletServerCertificate: false` from `featureGates`.',
    rule: (config) => {
      if (read(config, ['featureGates', 'RotateKubeletServerCertificate']) !== false) return undefined;
      return { path: ['featureGates', 'RotateKubeletServerCertificate'], message: 'featureGates.RotateKubeletServerCertificate is false' };
    },
    fixtures: { pass: [HARDENED], fail: [config('featureGates: {RotateKubeletServerCertificate: false}')] },
  },
  {
    id: 'kubelet-tls-cipher-suites',
    title: 'Kubelet allows weak or default TLS cipher suites',
    severity: 'medium',
    frameworks: { cis: ['4.2.12'], nsa: NSA, mitre: ['T1040'], kubescape: ['C-0184'] },
    description: 'Without `tlsCipherSuites`, or with suites lacking forward secrecy or using CBC, 3DES or RC4, connections to the kubelet API — exec sessions included — are weaker than they need to be.',
    remediation: 'Set `tlsCipherSuites` to ECDHE suites with AES-GCM or ChaCha20-Poly1305.',
    rule: (config) => {
      const value = read(config, ['tlsCipherSuites']);
      if (!Array.isArray(value) || value.length === 0) return { path: [], message: 'tlsCipherSuites is not set (Go defaults apply)' };
      const weak = value.filter((item) => typeof item !== 'string' || !STRONG_KUBELET_CIPHERS.has(item));
      if (weak.length === 0) return undefined;
      return { path: ['tlsCipherSuites', value.indexOf(weak[0])], message: `tlsCipherSuites allows weak suites: ${weak.map((item) => (typeof item === 'string' ? item : showValue(item))).join(', ')}` };
    },
    fixtures: { pass: [HARDENED], fail: [config('tlsCipherSuites:'), config('tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]')] },
  },
  {
    id: 'kubelet-pod-pids-limit',
    title: 'Kubelet sets no limit on processes per pod',
    severity: 'low',
    frameworks: { cis: ['4.2.13'], nsa: NSA, mitre: ['T1499'] },
    description: 'Without `podPidsLimit` (the default `-1` is unlimited) one pod can fork until the node runs out of process IDs, taking every other pod down. Low: availability.',
    remediation: 'Set `podPidsLimit` to a bound that fits the workloads (e.g. 4096).',
    rule: (config) => {
      const value = read(config, ['podPidsLimit']);
      if (typeof value === 'number' && value > 0) return undefined;
      return { path: value === undefined ? [] : ['podPidsLimit'], message: value === undefined ? 'podPidsLimit is not set (unlimited)' : `podPidsLimit is ${JSON.stringify(value)} (unlimited)` };
    },
    fixtures: { pass: [HARDENED], fail: [config('podPidsLimit:'), config('podPidsLimit: -1')] },
  },
];

export const kubeletChecks: readonly Check[] = DEFINITIONS.map(kubeletCheck);
