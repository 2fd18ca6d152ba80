// Replicated Deployments and StatefulSets that no PodDisruptionBudget covers: a node drain or an
// eviction may take all their replicas down at once.
import { compileLabelSelector, selects } from '../../../labels/selector.ts';
import { asFields, fieldOf } from '../../../podspec/index.ts';
import type { SetCheck } from '../../check.ts';
import { workloadIndex } from '../../network/workloads.ts';

/**
 * A budget's selector as the disruption controller reads it: in policy/v1 an empty selector selects
 * every pod of the namespace, in policy/v1beta1 none; an absent one selects none.
 */
function budgetSelector(object: { apiVersion: string; raw: Readonly<Record<string, unknown>> }) {
  const raw = fieldOf(asFields(object.raw['spec']), 'selector');
  const selector = compileLabelSelector(raw, ['spec', 'selector']);
  if (selector.kind !== 'selector') return undefined;
  if (selector.everything && object.apiVersion === 'policy/v1beta1') return undefined;
  return selector;
}

export const disruptionBudgetCheck: SetCheck = {
  id: 'workload-no-disruption-budget',
  title: 'Replicated workload has no PodDisruptionBudget',
  area: 'compute',
  severity: 'low',
  frameworks: { mitre: ['T1499'] },
  description:
    'Running two or more replicas is meant to survive losing one; without a PodDisruptionBudget, a node drain, a cluster upgrade or the eviction API may remove every replica at the same time. Low: availability during maintenance.',
  remediation: 'Add a PodDisruptionBudget (policy/v1) selecting the pod template labels, with `maxUnavailable: 1` or a `minAvailable` below the replica count.',
  kinds: ['Deployment', 'StatefulSet', 'PodDisruptionBudget'],
  *evaluateSet(set) {
    // By namespace: a budget only selects pods of its own, and a scan holds many of both.
    const budgets = new Map<string | null, NonNullable<ReturnType<typeof budgetSelector>>[]>();
    for (const object of set.ofKind('PodDisruptionBudget')) {
      const selector = object.apiVersion.startsWith('policy/') ? budgetSelector(object) : undefined;
      if (selector === undefined) continue;
      const inNamespace = budgets.get(object.namespace);
      if (inNamespace === undefined) budgets.set(object.namespace, [selector]);
      else inNamespace.push(selector);
    }
    for (const workload of workloadIndex(set).all) {
      const { kind } = workload.object;
      if (kind !== 'Deployment' && kind !== 'StatefulSet') continue;
      const replicas = fieldOf(asFields(workload.object.raw['spec']), 'replicas');
      if (typeof replicas !== 'number' || replicas < 2) continue;
      if (budgets.get(workload.namespace)?.some((selector) => selects(selector, workload.labels))) continue;
      yield {
        object: workload.object,
        path: ['spec', 'replicas'],
        message: `${kind} ${workload.object.name} runs ${replicas} replicas and no PodDisruptionBudget selects its pods`,
      };
    }
  },
  fixtures: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: db}}
`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: db}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: db}}
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: job-runner}
spec:
  replicas: 1
  selector: {matchLabels: {app: runner}}
  template:
    metadata: {labels: {app: runner}}
    spec:
      containers: [{name: runner, image: runner}]
`,
    ],
  },
};
