// Namespaces without the objects that bound what their workloads may consume: a ResourceQuota (the
// namespace's total) and a LimitRange (defaults and bounds per container).
import type { SetCheck } from '../../check.ts';

const NSA = ['Network separation and hardening: resource policies'];
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

function missingPerNamespace(kind: 'ResourceQuota' | 'LimitRange') {
  return function* (set: Parameters<SetCheck['evaluateSet']>[0]) {
    const covered = new Set(set.ofKind(kind).map((object) => object.namespace));
    for (const namespace of set.ofKind('Namespace')) {
      if (namespace.apiVersion !== 'v1' || SYSTEM_NAMESPACES.has(namespace.name) || covered.has(namespace.name)) continue;
      yield { object: namespace, path: ['metadata', 'name'], message: `namespace ${namespace.name} has no ${kind} in the scanned set` };
    }
  };
}

const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;

export const namespaceResourceQuotaCheck: SetCheck = {
  id: 'namespace-no-resourcequota',
  title: 'Namespace has no ResourceQuota',
  area: 'compute',
  severity: 'low',
  frameworks: { nsa: NSA, mitre: ['T1496'] },
  description:
    'Without a ResourceQuota nothing bounds what a namespace\'s workloads consume in total — CPU, memory, pods, Services, storage: one runaway or hijacked workload (crypto-mining) starves every other tenant of the cluster. Low: availability and cost, not access. Only Namespace objects in the scanned set are judged.',
  remediation: 'Add a ResourceQuota to the namespace with `requests.cpu`, `requests.memory`, `limits.memory` and `pods` sized for its workloads.',
  kinds: ['Namespace', 'ResourceQuota'],
  evaluateSet: missingPerNamespace('ResourceQuota'),
  fixtures: {
    fail: [namespace('shop')],
    pass: [`${namespace('shop')}---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota, namespace: shop}\nspec:\n  hard: {requests.cpu: "10", pods: "50"}\n`, namespace('kube-system')],
  },
};

export const namespaceLimitRangeCheck: SetCheck = {
  id: 'namespace-no-limitrange',
  title: 'Namespace has no LimitRange',
  area: 'compute',
  severity: 'low',
  frameworks: { nsa: NSA, mitre: ['T1496'] },
  description:
    'Without a LimitRange, containers that set no requests or limits get none: they are scheduled as if they needed nothing and may take a whole node. Low: availability, not access. Only Namespace objects in the scanned set are judged.',
  remediation: 'Add a LimitRange with `defaultRequest`, `default` (limits) and `max` for containers.',
  kinds: ['Namespace', 'LimitRange'],
  evaluateSet: missingPerNamespace('LimitRange'),
  fixtures: {
    fail: [namespace('shop')],
    pass: [`${namespace('shop')}---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: shop}\nspec:\n  limits: [{type: Container, default: {memory: 256Mi}}]\n`],
  },
};
