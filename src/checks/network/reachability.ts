// Which pods can open a connection to which, as Kubernetes NetworkPolicy decides it: a connection
// from A to B on port N is allowed when A's egress allows it (A selected by no policy with Egress, or
// some egress rule naming B and N) and B's ingress allows it (likewise). Peers are podSelector,
// namespaceSelector (alone: every pod of the matching namespaces; together: the matching pods of the
// matching namespaces) and ipBlock; ports have a protocol (TCP by default), a number or a container
// port name (resolved on the destination pod, as the data plane does), and an optional endPort.
//
// Only networking.k8s.io NetworkPolicies are modelled. Pods that a Cilium or admin policy also
// selects are answered as NetworkPolicy alone would (see `otherPolicies`), and pods on the host
// network are outside NetworkPolicy (always reachable, never restricted).
//
// Sources that are not workloads of the set are abstract: "a pod in any namespace other than B's,
// with any labels" (what a compromised pod elsewhere would be) and "an address outside the cluster".
// An abstract source matches a peer only when the peer must match it whatever its labels are.
import type { KubeObject } from '../../core/index.ts';
import { compileLabelSelector, SELECT_EVERYTHING, selects, type Selector } from '../../labels/selector.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';
import { namespaceLabels, policyTypes } from './policies.ts';
import { workloadIndex, type Workload } from './workloads.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A port a container declares (`ports[]`), by which named ports are resolved. */
export interface ContainerPort {
  readonly name: string | undefined;
  readonly port: number;
  readonly protocol: Protocol;
}

export type Peer =
  | { readonly kind: 'pods'; readonly namespaces: Selector | 'own'; readonly pods: Selector }
  | { readonly kind: 'ipBlock'; readonly cidr: string; readonly except: readonly string[] };

export interface PortRule {
  readonly protocol: Protocol;
  /** undefined: every port of the protocol. */
  readonly port: number | string | undefined;
  readonly endPort: number | undefined;
}

export interface TrafficRule {
  /** undefined: every source (or destination). */
  readonly peers: readonly Peer[] | undefined;
  /** undefined: every port. */
  readonly ports: readonly PortRule[] | undefined;
}

export interface CompiledPolicy {
  readonly object: KubeObject;
  readonly namespace: string | null;
  readonly pods: Selector | undefined;
  readonly ingress: readonly TrafficRule[] | undefined;
  readonly egress: readonly TrafficRule[] | undefined;
}

/** Something that opens a connection: a workload of the set, or an abstract source. */
export type Source = { readonly kind: 'workload'; readonly workload: Workload } | { readonly kind: 'any-namespace' } | { readonly kind: 'external' };

function protocolOf(value: unknown): Protocol | undefined {
  if (value === undefined || value === null) return 'TCP';
  return value === 'TCP' || value === 'UDP' || value === 'SCTP' ? value : undefined;
}

function compilePorts(raw: unknown): PortRule[] | undefined {
  const list = asList(raw);
  if (list === undefined || list.length === 0) return undefined;
  const out: PortRule[] = [];
  for (const item of list) {
    const entry = asFields(item);
    const protocol = protocolOf(fieldOf(entry, 'protocol'));
    if (protocol === undefined) continue;
    const port = fieldOf(entry, 'port');
    const endPort = fieldOf(entry, 'endPort');
    if (port !== undefined && typeof port !== 'number' && typeof port !== 'string') continue;
    out.push({ protocol, port: port as number | string | undefined, endPort: typeof endPort === 'number' && typeof port === 'number' ? endPort : undefined });
  }
  // Every entry invalid: the API server refuses the policy; read as "no port", allowing nothing.
  return out;
}

function compilePeers(raw: unknown, key: 'from' | 'to'): Peer[] | undefined {
  const list = asList(raw);
  if (list === undefined || list.length === 0) return undefined;
  const out: Peer[] = [];
  list.forEach((item, index) => {
    const entry = asFields(item);
    const ipBlock = asFields(fieldOf(entry, 'ipBlock'));
    if (ipBlock !== undefined) {
      const cidr = fieldOf(ipBlock, 'cidr');
      const except = (asList(fieldOf(ipBlock, 'except')) ?? []).filter((range): range is string => typeof range === 'string');
      if (typeof cidr === 'string') out.push({ kind: 'ipBlock', cidr, except });
      return;
    }
    const podRaw = fieldOf(entry, 'podSelector');
    const namespaceRaw = fieldOf(entry, 'namespaceSelector');
    if (podRaw === undefined && namespaceRaw === undefined) return;
    const pods = podRaw === undefined ? undefined : compileLabelSelector(podRaw, [key, index, 'podSelector'], 'everything');
    const namespaces = namespaceRaw === undefined ? undefined : compileLabelSelector(namespaceRaw, [key, index, 'namespaceSelector'], 'everything');
    if (pods?.kind === 'problem' || namespaces?.kind === 'problem') return;
    out.push({ kind: 'pods', namespaces: namespaces ?? 'own', pods: pods ?? SELECT_EVERYTHING });
  });
  return out;
}

function compileRules(raw: unknown, key: 'from' | 'to'): TrafficRule[] {
  return (asList(raw) ?? []).map((item) => {
    const rule = asFields(item);
    return { peers: compilePeers(fieldOf(rule, key), key), ports: compilePorts(fieldOf(rule, 'ports')) };
  });
}

/** A networking.k8s.io NetworkPolicy, compiled; undefined for anything else. */
export function compilePolicy(object: KubeObject): CompiledPolicy | undefined {
  if (object.kind !== 'NetworkPolicy' || !(object.apiVersion.startsWith('networking.k8s.io/') || object.apiVersion.startsWith('extensions/'))) return undefined;
  const spec = asFields(object.raw['spec']);
  const types = policyTypes(spec);
  const pods = compileLabelSelector(fieldOf(spec, 'podSelector'), ['spec', 'podSelector'], 'everything');
  return {
    object,
    namespace: object.namespace,
    pods: pods.kind === 'selector' ? pods : undefined,
    ingress: types.ingress ? compileRules(fieldOf(spec, 'ingress'), 'from') : undefined,
    egress: types.egress ? compileRules(fieldOf(spec, 'egress'), 'to') : undefined,
  };
}

/** The ports a workload's containers declare. */
export function containerPorts(workload: Workload): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    for (const item of asList(fieldOf(workload.spec, list)) ?? []) {
      for (const portItem of asList(fieldOf(asFields(item), 'ports')) ?? []) {
        const entry = asFields(portItem);
        const port = fieldOf(entry, 'containerPort');
        const protocol = protocolOf(fieldOf(entry, 'protocol'));
        const name = fieldOf(entry, 'name');
        if (typeof port !== 'number' || protocol === undefined) continue;
        out.push({ name: typeof name === 'string' && name !== '' ? name : undefined, port, protocol });
      }
    }
  }
  return out;
}

/**
 * Whether a port rule admits `port`/`protocol` on the destination. A named port matches when the
 * destination declares that name with that number and protocol; an address outside the set
 * (`destination` undefined) has no names.
 */
export function portAllows(rule: PortRule, port: number, protocol: Protocol, destination: readonly ContainerPort[] | undefined): boolean {
  if (rule.protocol !== protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'number') return rule.endPort === undefined ? rule.port === port : rule.port <= port && port <= rule.endPort;
  return destination?.some((declared) => declared.name === rule.port && declared.port === port && declared.protocol === protocol) ?? false;
}

function portsAllow(ports: readonly PortRule[] | undefined, port: number, protocol: Protocol, destination: readonly ContainerPort[] | undefined): boolean {
  return ports === undefined || ports.some((rule) => portAllows(rule, port, protocol, destination));
}

const ALL_ADDRESSES = new Set(['0.0.0.0/0', '::/0']);

/**
 * Whether a peer of a policy in `policyNamespace` matches the endpoint. A pod matches an ipBlock only
 * when the block is every address with nothing excepted (pod IPs are not known here, and whether a
 * CNI applies ipBlocks to pod traffic varies); an external address matches any ipBlock (some address
 * in it is outside the cluster) and no pod peer.
 */
function peerMatches(peer: Peer, policyNamespace: string | null, endpoint: Source, set: ObjectSet): boolean {
  if (peer.kind === 'ipBlock') {
    if (endpoint.kind === 'external') return true;
    // Pod and node addresses are not known here: only a block of every address surely holds them.
    return ALL_ADDRESSES.has(peer.cidr) && peer.except.length === 0;
  }
  if (endpoint.kind === 'external') return false;
  if (endpoint.kind === 'any-namespace') return peer.namespaces !== 'own' && peer.namespaces.everything && peer.pods.everything;
  const workload = endpoint.workload;
  // A pod on the host network speaks with the node's address: no pod peer names it.
  if (workload.hostNetwork) return false;
  if (peer.namespaces === 'own') {
    if (workload.namespace !== policyNamespace) return false;
  } else {
    const labels = namespaceLabels(set, workload.namespace);
    if (labels === undefined ? !peer.namespaces.everything : !selects(peer.namespaces, labels)) return false;
  }
  return selects(peer.pods, workload.labels);
}

function rulesAllow(rules: readonly TrafficRule[], policyNamespace: string | null, peer: Source, port: number, protocol: Protocol, destination: readonly ContainerPort[] | undefined, set: ObjectSet): boolean {
  for (const rule of rules) {
    if (!portsAllow(rule.ports, port, protocol, destination)) continue;
    if (rule.peers === undefined || rule.peers.some((candidate) => peerMatches(candidate, policyNamespace, peer, set))) return true;
  }
  return false;
}

export interface Reachability {
  readonly policies: readonly CompiledPolicy[];
  /** The NetworkPolicies that select the workload (in its namespace). */
  selecting(workload: Workload): readonly CompiledPolicy[];
  /** Whether the workload's ingress lets `source` connect on the port. */
  ingressAllows(destination: Workload, source: Source, port: number, protocol: Protocol): boolean;
  /** Whether the workload's egress lets it connect to `destination` on the port. */
  egressAllows(source: Workload, destination: Workload, port: number, protocol: Protocol): boolean;
  /** Both directions: whether `source` can open a connection to `destination` on the port. */
  canReach(source: Source, destination: Workload, port: number, protocol: Protocol): boolean;
  /** "Which pods can reach P on port N": the workloads of the set, then the abstract sources that can. */
  sourcesOf(destination: Workload, port: number, protocol: Protocol): { workloads: Workload[]; anyNamespace: boolean; external: boolean };
}

const cache = new WeakMap<ObjectSet, Reachability>();

export function reachability(set: ObjectSet): Reachability {
  const cached = cache.get(set);
  if (cached !== undefined) return cached;
  const policies: CompiledPolicy[] = [];
  const byNamespace = new Map<string | null, CompiledPolicy[]>();
  for (const object of set.ofKind('NetworkPolicy')) {
    const policy = compilePolicy(object);
    if (policy === undefined) continue;
    policies.push(policy);
    let list = byNamespace.get(policy.namespace);
    if (list === undefined) byNamespace.set(policy.namespace, (list = []));
    list.push(policy);
  }
  const selectingCache = new Map<Workload, readonly CompiledPolicy[]>();
  const portsCache = new Map<Workload, readonly ContainerPort[]>();
  const selecting = (workload: Workload): readonly CompiledPolicy[] => {
    let found = selectingCache.get(workload);
    if (found === undefined) {
      found = workload.hostNetwork ? [] : (byNamespace.get(workload.namespace) ?? []).filter((policy) => policy.pods !== undefined && selects(policy.pods, workload.labels));
      selectingCache.set(workload, found);
    }
    return found;
  };
  const portsOf = (workload: Workload): readonly ContainerPort[] => {
    let found = portsCache.get(workload);
    if (found === undefined) portsCache.set(workload, (found = containerPorts(workload)));
    return found;
  };
  const ingressAllows = (destination: Workload, source: Source, port: number, protocol: Protocol): boolean => {
    const isolating = selecting(destination).filter((policy) => policy.ingress !== undefined);
    if (isolating.length === 0) return true;
    return isolating.some((policy) => rulesAllow(policy.ingress!, policy.namespace, source, port, protocol, portsOf(destination), set));
  };
  const egressAllows = (source: Workload, destination: Workload, port: number, protocol: Protocol): boolean => {
    const isolating = selecting(source).filter((policy) => policy.egress !== undefined);
    if (isolating.length === 0) return true;
    const target: Source = { kind: 'workload', workload: destination };
    return isolating.some((policy) => rulesAllow(policy.egress!, policy.namespace, target, port, protocol, portsOf(destination), set));
  };
  const canReach = (source: Source, destination: Workload, port: number, protocol: Protocol): boolean => {
    if (source.kind === 'workload' && !egressAllows(source.workload, destination, port, protocol)) return false;
    return ingressAllows(destination, source, port, protocol);
  };
  const index: Reachability = {
    policies,
    selecting,
    ingressAllows,
    egressAllows,
    canReach,
    sourcesOf(destination, port, protocol) {
      const workloads = workloadIndex(set).all.filter((workload) => workload !== destination && canReach({ kind: 'workload', workload }, destination, port, protocol));
      return {
        workloads,
        anyNamespace: canReach({ kind: 'any-namespace' }, destination, port, protocol),
        external: canReach({ kind: 'external' }, destination, port, protocol),
      };
    },
  };
  cache.set(set, index);
  return index;
}
