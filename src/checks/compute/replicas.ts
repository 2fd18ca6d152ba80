// A single replica cannot survive a node drain or failure. Most single-replica Deployments are
// deliberate (a singleton, a small tool), so only workloads whose own template asks for high
// availability are reported: those that spread their pods or run at a cluster-critical priority.
import { asFields, asList, fieldOf, type PodView } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { NO_VIOLATIONS } from './workload.ts';

const CRITICAL_PRIORITY = new Set(['system-cluster-critical', 'system-node-critical']);

/** What in the pod template says its replicas are meant to run on more than one node, or undefined. */
function availabilityIntent(pod: PodView): string | undefined {
  const affinity = asFields(fieldOf(pod.spec, 'affinity'));
  if (asFields(fieldOf(affinity, 'podAntiAffinity')) !== undefined) return 'podAntiAffinity';
  const spread = asList(fieldOf(pod.spec, 'topologySpreadConstraints'));
  if (spread !== undefined && spread.length > 0) return 'topologySpreadConstraints';
  const priority = fieldOf(pod.spec, 'priorityClassName');
  if (typeof priority === 'string' && CRITICAL_PRIORITY.has(priority)) return `priorityClassName ${priority}`;
  return undefined;
}

export const singleReplicaCheck: Check = {
  id: 'single-replica',
  title: 'Highly available workload runs one replica',
  area: 'compute',
  severity: 'low',
  frameworks: {},
  description:
    'A Deployment or StatefulSet whose template spreads its pods (anti-affinity, topology spread) or runs at a cluster-critical priority is meant to stay up, ' +
    'yet with `replicas: 1` a node drain, an eviction or a failure takes it down. Low: an availability advisory. Workloads without such a sign, and those with ' +
    '`replicas` left to an autoscaler (unset), are not reported.',
  remediation: 'Set `replicas` to 2 or more (and add a PodDisruptionBudget), or remove the spreading rules if one replica is intended.',
  evaluate(context) {
    const { object, pods } = context;
    if (pods.length === 0 || (object.kind !== 'Deployment' && object.kind !== 'StatefulSet')) return NO_VIOLATIONS;
    const replicas = fieldOf(asFields(fieldOf(object.raw, 'spec')), 'replicas');
    if (replicas !== 1) return NO_VIOLATIONS;
    const intent = availabilityIntent(pods[0]!);
    if (intent === undefined) return NO_VIOLATIONS;
    return [{ path: ['spec', 'replicas'], message: `${object.kind} runs 1 replica although its pods set ${intent}` }];
  },
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: tool}
spec:
  replicas: 1
  selector: {matchLabels: {app: tool}}
  template:
    metadata: {labels: {app: tool}}
    spec:
      containers:
      - {name: tool, image: tool}
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: dns}
spec:
  replicas: 3
  selector: {matchLabels: {app: dns}}
  template:
    metadata: {labels: {app: dns}}
    spec:
      priorityClassName: system-cluster-critical
      containers:
      - {name: dns, image: dns}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: api}}}
      containers:
      - {name: api, image: api}
`,
    ],
  },
};
