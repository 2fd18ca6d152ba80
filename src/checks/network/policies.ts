// Network policies as the data plane reads them: which pods a policy selects and whether it isolates
// their ingress, egress or both. Kubernetes NetworkPolicy semantics exactly (an absent podSelector is
// the empty selector; policyTypes defaults to Ingress, plus Egress when egress rules exist); Cilium
// (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and the admin policy APIs (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, and ClusterNetworkPolicy that replaces them) as far as selection and
// isolation go.
import type { FieldPath, KubeObject } from '../../core/index.ts';
import { compileLabelSelector, labelsOf, selects, SELECT_EVERYTHING, type Labels, type Selector } from '../../labels/selector.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';
import type { Workload } from './workloads.ts';

export const POLICY_KINDS: readonly string[] = [
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
];

/** One selection inside a policy (Cilium's `specs` list holds several). */
export interface PolicyPart {
  /** Which pods: compiled, or undefined when the selector is invalid (then it selects nothing). */
  readonly pods: Selector | undefined;
  /** For admin policies: which namespaces (by their labels); undefined = the policy's own namespace. */
  readonly namespaces: Selector | undefined;
  readonly selectorPath: FieldPath;
  readonly ingress: boolean;
  readonly egress: boolean;
}

export interface Policy {
  readonly object: KubeObject;
  /** null for cluster-wide policies, and for namespaced ones written without a namespace. */
  readonly namespace: string | null;
  readonly clusterWide: boolean;
  readonly parts: readonly PolicyPart[];
}

function compile(raw: unknown, path: FieldPath, absent: 'nothing' | 'everything'): Selector | undefined {
  const selector = compileLabelSelector(raw, path, absent);
  return selector.kind === 'selector' ? selector : undefined;
}

/** NetworkPolicy `policyTypes`, with the API server's defaulting. */
export function policyTypes(spec: Readonly<Record<string, unknown>> | undefined): { ingress: boolean; egress: boolean } {
  const types = asList(fieldOf(spec, 'policyTypes'));
  if (types !== undefined && types.length > 0) return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
  const egress = asList(fieldOf(spec, 'egress'));
  return { ingress: true, egress: egress !== undefined && egress.length > 0 };
}

/** Cilium label keys may carry a source prefix (`k8s:app`, `any:app`); pods' labels never do. */
function stripCiliumSources(raw: unknown): unknown {
  const selector = asFields(raw);
  if (selector === undefined) return raw;
  const strip = (key: string) => key.replace(/^(k8s|any|container|reserved):/, '');
  const matchLabels = asFields(selector['matchLabels']);
  const out: Record<string, unknown> = { ...selector };
  if (matchLabels !== undefined) out['matchLabels'] = Object.fromEntries(Object.entries(matchLabels).map(([k, v]) => [strip(k), v]));
  const expressions = asList(selector['matchExpressions']);
  if (expressions !== undefined) out['matchExpressions'] = expressions.map((e) => { const f = asFields(e); return f === undefined ? e : { ...f, key: typeof f['key'] === 'string' ? strip(f['key']) : f['key'] }; });
  return out;
}

function ciliumPart(rule: Readonly<Record<string, unknown>> | undefined, path: FieldPath): PolicyPart | undefined {
  if (rule === undefined || fieldOf(rule, 'nodeSelector') !== undefined) return undefined; // host policies select nodes
  const defaultDeny = asFields(fieldOf(rule, 'enableDefaultDeny'));
  const has = (key: string) => Array.isArray(fieldOf(rule, key));
  return {
    pods: compile(stripCiliumSources(fieldOf(rule, 'endpointSelector')), [...path, 'endpointSelector'], 'nothing'),
    namespaces: undefined,
    selectorPath: [...path, 'endpointSelector'],
    ingress: (has('ingress') || has('ingressDeny')) && fieldOf(defaultDeny, 'ingress') !== false,
    egress: (has('egress') || has('egressDeny')) && fieldOf(defaultDeny, 'egress') !== false,
  };
}

function adminPart(spec: Readonly<Record<string, unknown>> | undefined): PolicyPart | undefined {
  const subject = asFields(fieldOf(spec, 'subject'));
  const ingress = (asList(fieldOf(spec, 'ingress'))?.length ?? 0) > 0;
  const egress = (asList(fieldOf(spec, 'egress'))?.length ?? 0) > 0;
  const namespaces = fieldOf(subject, 'namespaces');
  if (namespaces !== undefined) {
    return { pods: SELECT_EVERYTHING, namespaces: compile(namespaces, ['spec', 'subject', 'namespaces'], 'nothing'), selectorPath: ['spec', 'subject'], ingress, egress };
  }
  const pods = asFields(fieldOf(subject, 'pods'));
  if (pods === undefined) return undefined;
  return {
    pods: compile(fieldOf(pods, 'podSelector'), ['spec', 'subject', 'pods', 'podSelector'], 'nothing'),
    namespaces: compile(fieldOf(pods, 'namespaceSelector'), ['spec', 'subject', 'pods', 'namespaceSelector'], 'nothing'),
    selectorPath: ['spec', 'subject'],
    ingress,
    egress,
  };
}

/** The policy's selections, or undefined for objects that are not network policies. Never throws. */
export function parsePolicy(object: KubeObject): Policy | undefined {
  const spec = asFields(object.raw['spec']);
  switch (object.kind) {
    case 'NetworkPolicy': {
      if (!object.apiVersion.startsWith('networking.k8s.io/') && !object.apiVersion.startsWith('extensions/')) return undefined;
      const types = policyTypes(spec);
      // podSelector is a struct, not a pointer: left out, it is the empty selector and selects every pod.
      const part: PolicyPart = {
        pods: compile(fieldOf(spec, 'podSelector'), ['spec', 'podSelector'], 'everything'),
        namespaces: undefined,
        selectorPath: ['spec', 'podSelector'],
        ...types,
      };
      return { object, namespace: object.namespace, clusterWide: false, parts: [part] };
    }
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy': {
      if (!object.apiVersion.startsWith('cilium.io/')) return undefined;
      const parts: PolicyPart[] = [];
      const single = ciliumPart(spec, ['spec']);
      if (single !== undefined) parts.push(single);
      asList(object.raw['specs'])?.forEach((rule, index) => {
        const part = ciliumPart(asFields(rule), ['specs', index]);
        if (part !== undefined) parts.push(part);
      });
      const clusterWide = object.kind === 'CiliumClusterwideNetworkPolicy';
      return { object, namespace: clusterWide ? null : object.namespace, clusterWide, parts };
    }
    case 'AdminNetworkPolicy':
    case 'BaselineAdminNetworkPolicy':
    case 'ClusterNetworkPolicy': {
      if (!object.apiVersion.startsWith('policy.networking.k8s.io/')) return undefined;
      const part = adminPart(spec);
      return { object, namespace: null, clusterWide: true, parts: part === undefined ? [] : [part] };
    }
    default:
      return undefined;
  }
}

/**
 * A namespace's labels for namespace selectors: its own when the Namespace object was scanned, and
 * always `kubernetes.io/metadata.name`, which the API server sets on every namespace.
 */
export function namespaceLabels(set: ObjectSet, namespace: string | null): Labels | undefined {
  if (namespace === null) return undefined;
  const object = set.find('Namespace', null, namespace);
  const own = labelsOf(fieldOf(asFields(object?.raw['metadata']), 'labels'));
  return { ...own, 'kubernetes.io/metadata.name': namespace };
}

/** Cilium matches the namespace as a label too. */
function ciliumLabels(workload: Workload): Labels {
  return workload.namespace === null ? workload.labels : { ...workload.labels, 'io.kubernetes.pod.namespace': workload.namespace };
}

/** Whether the part selects the workload's pods. */
export function partSelects(policy: Policy, part: PolicyPart, workload: Workload, set: ObjectSet): boolean {
  if (part.pods === undefined) return false;
  if (!policy.clusterWide) return policy.namespace === workload.namespace && selects(part.pods, policy.object.kind === 'NetworkPolicy' ? workload.labels : ciliumLabels(workload));
  if (part.namespaces !== undefined) {
    const labels = namespaceLabels(set, workload.namespace);
    // An unknown namespace matches only a selector that matches every namespace.
    if (labels === undefined ? !part.namespaces.everything : !selects(part.namespaces, labels)) return false;
  }
  return selects(part.pods, policy.object.kind.startsWith('Cilium') ? ciliumLabels(workload) : workload.labels);
}

/** Whether the part selects every pod of the namespace (a default policy). */
export function partCoversNamespace(policy: Policy, part: PolicyPart, namespace: string | null): boolean {
  if (part.pods === undefined || !part.pods.everything) return false;
  if (policy.object.apiVersion.startsWith('policy.networking.k8s.io/')) return false;
  return policy.clusterWide || policy.namespace === namespace;
}

export interface PolicyIndex {
  readonly policies: readonly Policy[];
  /** Namespaced policies of one namespace, then every cluster-wide one. */
  applicable(namespace: string | null): readonly Policy[];
}

const cache = new WeakMap<ObjectSet, PolicyIndex>();

export function policyIndex(set: ObjectSet): PolicyIndex {
  let index = cache.get(set);
  if (index !== undefined) return index;
  const policies: Policy[] = [];
  const byNamespace = new Map<string | null, Policy[]>();
  const clusterWide: Policy[] = [];
  for (const kind of POLICY_KINDS) {
    for (const object of set.ofKind(kind)) {
      const policy = parsePolicy(object);
      if (policy === undefined) continue;
      policies.push(policy);
      if (policy.clusterWide) clusterWide.push(policy);
      else {
        let list = byNamespace.get(policy.namespace);
        if (list === undefined) byNamespace.set(policy.namespace, (list = []));
        list.push(policy);
      }
    }
  }
  const applicable = new Map<string | null, readonly Policy[]>();
  index = {
    policies,
    applicable(namespace) {
      let found = applicable.get(namespace);
      if (found === undefined) applicable.set(namespace, (found = [...(byNamespace.get(namespace) ?? []), ...clusterWide]));
      return found;
    },
  };
  cache.set(set, index);
  return index;
}

/** Which directions the policies isolate for one workload, and which policies select it. */
export function isolationOf(workload: Workload, set: ObjectSet): { ingress: boolean; egress: boolean; selectedBy: Policy[] } {
  let ingress = false;
  let egress = false;
  const selectedBy: Policy[] = [];
  for (const policy of policyIndex(set).applicable(workload.namespace)) {
    let selected = false;
    for (const part of policy.parts) {
      if (!partSelects(policy, part, workload, set)) continue;
      selected = true;
      ingress ||= part.ingress;
      egress ||= part.egress;
    }
    if (selected) selectedBy.push(policy);
  }
  return { ingress, egress, selectedBy };
}

/** Whether some policy isolates every pod of the namespace, per direction (its default deny). */
export function defaultDeny(namespace: string | null, set: ObjectSet): { ingress: Policy | undefined; egress: Policy | undefined } {
  let ingress: Policy | undefined;
  let egress: Policy | undefined;
  for (const policy of policyIndex(set).applicable(namespace)) {
    for (const part of policy.parts) {
      if (!partCoversNamespace(policy, part, namespace)) continue;
      if (part.ingress) ingress ??= policy;
      if (part.egress) egress ??= policy;
    }
  }
  return { ingress, egress };
}
