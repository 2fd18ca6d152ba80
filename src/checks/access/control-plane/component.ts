// Which control-plane binary a container runs, and the flags it runs with. Static pods written by
// kubeadm run `kube-apiserver`, `kube-controller-manager`, `kube-scheduler` and `etcd` as the first
// word of `command`; other installers put the flags in `args`. Detection is by that first word (its
// basename), not by names or labels, which anyone may set.
import type { FieldPath } from '../../../core/index.ts';
import { asFields, asList, fieldOf, type ContainerView, type PodView } from '../../../podspec/index.ts';
import { parseFlags, type Argument, type FlagTable, type ParsedFlags } from './flags.ts';

export type ComponentName = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd';

export interface Invocation {
  readonly component: ComponentName;
  readonly container: ContainerView;
  readonly flags: ParsedFlags;
  /** Where to point when a flag is missing: the container's `command`. */
  readonly commandPath: FieldPath;
  /** Container `env` values (etcd reads `ETCD_*` for flags not given on the command line). */
  readonly env: ReadonlyMap<string, { value: string; path: FieldPath }>;
}

const COMMON_BOOLEANS = ['help', 'version', 'logtostderr', 'alsologtostderr', 'add-dir-header', 'skip-headers', 'skip-log-headers', 'one-output', 'profiling', 'contention-profiling'];

function table(booleans: string[], values: string[], lists: [string, 'slice' | 'array'][], maps: string[] = ['feature-gates']): FlagTable {
  return {
    dialect: 'pflag',
    booleans: new Set([...COMMON_BOOLEANS, ...booleans]),
    values: new Set(values),
    lists: new Map(lists),
    maps: new Set(maps),
    shorthands: new Map([['v', 'v'], ['h', 'help']]),
  };
}

// The flags the checks read, and the booleans and lists around them, as each binary declares them.
const TABLES: Readonly<Record<ComponentName, FlagTable>> = {
  'kube-apiserver': table(
    [
      'anonymous-auth', 'service-account-lookup', 'allow-privileged', 'enable-bootstrap-token-auth', 'enable-aggregator-routing',
      'enable-priority-and-fairness', 'enable-garbage-collector', 'enable-logs-handler', 'audit-log-compress', 'audit-webhook-truncate-enabled',
      'service-account-extend-token-expiration', 'watch-cache', 'permit-port-sharing', 'permit-address-sharing', 'disable-http2-serving',
      'shutdown-send-retry-after', 'kubelet-https', 'enable-swagger-ui', 'storage-backend-compaction',
    ],
    [
      'token-auth-file', 'kubelet-client-certificate', 'kubelet-client-key', 'kubelet-certificate-authority', 'audit-log-path', 'audit-log-maxage',
      'audit-log-maxbackup', 'audit-log-maxsize', 'audit-policy-file', 'audit-webhook-config-file', 'request-timeout', 'etcd-certfile', 'etcd-keyfile',
      'etcd-cafile', 'tls-cert-file', 'tls-private-key-file', 'client-ca-file', 'encryption-provider-config', 'insecure-port', 'insecure-bind-address',
      'secure-port', 'bind-address', 'authorization-config', 'authentication-config', 'service-account-signing-key-file', 'tls-min-version',
      'admission-control-config-file', 'advertise-address', 'v',
    ],
    [
      ['authorization-mode', 'slice'], ['enable-admission-plugins', 'slice'], ['disable-admission-plugins', 'slice'], ['admission-control', 'slice'],
      ['tls-cipher-suites', 'slice'], ['service-account-key-file', 'array'], ['service-account-issuer', 'array'], ['api-audiences', 'slice'],
      ['etcd-servers', 'slice'], ['cors-allowed-origins', 'slice'], ['kubelet-preferred-address-types', 'slice'], ['tls-sni-cert-key', 'array'],
      ['requestheader-allowed-names', 'slice'], ['requestheader-username-headers', 'slice'], ['requestheader-group-headers', 'slice'],
      ['requestheader-extra-headers-prefix', 'slice'], ['etcd-servers-overrides', 'slice'],
    ],
    ['feature-gates', 'runtime-config'],
  ),
  'kube-controller-manager': table(
    ['use-service-account-credentials', 'allocate-node-cidrs', 'configure-cloud-routes', 'leader-elect', 'enable-dynamic-provisioning', 'enable-garbage-collector', 'enable-hostpath-provisioner', 'enable-taint-manager'],
    ['service-account-private-key-file', 'root-ca-file', 'bind-address', 'secure-port', 'terminated-pod-gc-threshold', 'kubeconfig', 'cluster-signing-cert-file', 'cluster-signing-key-file', 'v'],
    [['controllers', 'slice'], ['tls-cipher-suites', 'slice']],
  ),
  'kube-scheduler': table(['leader-elect'], ['bind-address', 'secure-port', 'kubeconfig', 'config', 'v'], [['tls-cipher-suites', 'slice']]),
  etcd: {
    dialect: 'goflag',
    booleans: new Set(['client-cert-auth', 'auto-tls', 'peer-client-cert-auth', 'peer-auto-tls', 'enable-v2', 'enable-pprof', 'debug', 'strict-reconfig-check', 'force-new-cluster', 'help', 'h', 'version']),
    values: new Set(['cert-file', 'key-file', 'peer-cert-file', 'peer-key-file', 'trusted-ca-file', 'peer-trusted-ca-file', 'data-dir', 'name', 'config-file', 'listen-client-urls', 'listen-peer-urls', 'advertise-client-urls', 'initial-advertise-peer-urls', 'initial-cluster', 'snapshot-count', 'listen-metrics-urls']),
    lists: new Map([['cipher-suites', 'slice']]),
    maps: new Set(),
    shorthands: new Map(),
  },
};

const COMPONENTS = new Set<string>(Object.keys(TABLES));

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

function strings(list: readonly unknown[] | undefined, base: FieldPath): Argument[] {
  const out: Argument[] = [];
  if (list === undefined) return out;
  for (let i = 0; i < list.length; i++) {
    const value = list[i];
    // Unquoted YAML scalars (`- --secure-port=6443` is a string, `- 6443` is not) are read as their text.
    if (typeof value === 'string') out.push({ value, path: [...base, i] });
    else if (typeof value === 'number' || typeof value === 'boolean') out.push({ value: String(value), path: [...base, i] });
  }
  return out;
}

function invocationOf(container: ContainerView): Invocation | undefined {
  const command = asList(fieldOf(container.raw, 'command'));
  if (command === undefined || command.length === 0) return undefined;
  const commandPath: FieldPath = [...container.path, 'command'];
  const words = strings(command, commandPath);
  if (words.length === 0) return undefined;
  let program = basename(words[0]!.value);
  let first = 1;
  // hyperkube bundled every component behind one binary: `hyperkube kube-apiserver --…`.
  if (program === 'hyperkube' && words.length > 1) {
    program = basename(words[1]!.value);
    first = 2;
  }
  if (!COMPONENTS.has(program)) return undefined;
  const component = program as ComponentName;
  const args = [...words.slice(first), ...strings(asList(fieldOf(container.raw, 'args')), [...container.path, 'args'])];
  const env = new Map<string, { value: string; path: FieldPath }>();
  const envList = asList(fieldOf(container.raw, 'env'));
  envList?.forEach((item, index) => {
    const entry = asFields(item);
    const name = fieldOf(entry, 'name');
    const value = fieldOf(entry, 'value');
    if (typeof name === 'string' && typeof value === 'string') env.set(name, { value, path: [...container.path, 'env', index, 'value'] });
  });
  return { component, container, flags: parseFlags(args, TABLES[component]), commandPath, env };
}

const NONE: readonly Invocation[] = Object.freeze([]);
// The checks run object by object, each asking about the same pod templates in turn: the last answer
// serves all but the first of them, with no entry kept per object of the scan.
let lastPods: readonly PodView[] | undefined;
let lastFound: readonly Invocation[] = NONE;

/** Every control-plane binary the object's pod templates run, parsed once per object. */
export function invocations(pods: readonly PodView[]): readonly Invocation[] {
  if (pods.length === 0) return NONE;
  if (pods === lastPods) return lastFound;
  let out: Invocation[] | undefined;
  for (const pod of pods) {
    for (const container of pod.containers) {
      if (container.group === 'ephemeralContainers') continue;
      const invocation = invocationOf(container);
      if (invocation !== undefined) (out ??= []).push(invocation);
    }
  }
  lastPods = pods;
  lastFound = out ?? NONE;
  return lastFound;
}

export function flagTable(component: ComponentName): FlagTable {
  return TABLES[component];
}
