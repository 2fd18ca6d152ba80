// Whether NetworkPolicies cover what runs: a default deny per namespace, and no workload left
// outside every policy. Pods on the host network are outside NetworkPolicy by design and not counted.
import type { KubeObject } from '../../core/index.ts';
import type { ObjectSet, SetCheck, SetViolation } from '../check.ts';
import { defaultDeny, isolationOf, POLICY_KINDS } from './policies.ts';
import { describeNamespace, describeWorkloads, workloadIndex, WORKLOAD_KINDS } from './workloads.ts';
import { deploymentFixture } from './fixtures.ts';

const NSA = ['Network separation and hardening: network policies'];
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Namespaces to judge: those with workloads, and those whose Namespace object was scanned. */
function namespacesOf(set: ObjectSet): { namespace: string | null; anchor: KubeObject; workloads: ReturnType<ReturnType<typeof workloadIndex>['inNamespace']> }[] {
  const workloads = workloadIndex(set);
  const out = new Map<string | null, { namespace: string | null; anchor: KubeObject; workloads: ReturnType<typeof workloads.inNamespace> }>();
  for (const object of set.ofKind('Namespace')) {
    if (object.apiVersion !== 'v1') continue;
    const inside = workloads.inNamespace(object.name);
    if (SYSTEM_NAMESPACES.has(object.name) && inside.length === 0) continue;
    out.set(object.name, { namespace: object.name, anchor: object, workloads: inside });
  }
  for (const namespace of workloads.namespaces) {
    if (out.has(namespace)) continue;
    const inside = workloads.inNamespace(namespace).filter((workload) => !workload.hostNetwork);
    if (inside.length === 0) continue;
    out.set(namespace, { namespace, anchor: inside[0]!.object, workloads: inside });
  }
  return [...out.values()];
}

export const noDefaultDenyCheck: SetCheck = {
  id: 'network-no-default-deny',
  title: 'Namespace has no default-deny NetworkPolicy',
  area: 'network',
  severity: 'medium',
  frameworks: { cis: ['5.3.2'], nsa: NSA, mitre: ['T1046'], kubescape: ['C-0054', 'C-0206'] },
  description:
    'Without a policy that selects every pod of the namespace for Ingress (and one for Egress), every pod accepts connections from anywhere and reaches anything: one compromised pod can probe and attack the whole cluster, and exfiltrate freely. Medium: it is what turns one foothold into lateral movement.',
  remediation:
    'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to each namespace, then allow the flows each workload needs (DNS egress included).',
  kinds: ['Namespace', ...WORKLOAD_KINDS, ...POLICY_KINDS],
  *evaluateSet(set) {
    for (const { namespace, anchor, workloads } of namespacesOf(set)) {
      const deny = defaultDeny(namespace, set);
      const missing = [deny.ingress === undefined ? 'ingress' : undefined, deny.egress === undefined ? 'egress' : undefined].filter((d) => d !== undefined);
      if (missing.length === 0) continue;
      const what = workloads.length === 0 ? 'has no workloads in the scanned set yet' : `runs ${describeWorkloads(workloads)}`;
      yield {
        object: anchor,
        path: anchor.kind === 'Namespace' ? ['metadata', 'name'] : ['metadata'],
        message: `${describeNamespace(namespace)} ${what} and no NetworkPolicy denies ${missing.join(' or ')} by default`,
      } satisfies SetViolation;
    }
  },
  fixtures: {
    fail: [
      `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${deploymentFixture('web', { namespace: 'shop' })}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers: [{name: debug, image: busybox}]
`,
    ],
    pass: [
      `${deploymentFixture('web', { namespace: 'shop' })}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`,
      `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  containers: [{name: debug, image: busybox}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: default-deny}
spec:
  endpointSelector: {}
  ingress: [{}]
  egress: [{}]
`,
    ],
  },
};

export const podUnrestrictedCheck: SetCheck = {
  id: 'network-pod-unrestricted',
  title: 'Workload is selected by no NetworkPolicy',
  area: 'network',
  severity: 'low',
  frameworks: { nsa: NSA, mitre: ['T1046'], kubescape: ['C-0260', 'C-0030'] },
  description:
    'Pods that no NetworkPolicy selects accept every connection and may open any: nothing limits who reaches them or where they go. Low: the namespace-level finding (network-no-default-deny) carries the weight; this one names the workloads left open.',
  remediation: 'Add a NetworkPolicy selecting the workload\'s pod labels with the ingress and egress it needs, or a default deny for its namespace.',
  kinds: [...WORKLOAD_KINDS, ...POLICY_KINDS, 'Namespace'],
  *evaluateSet(set) {
    for (const workload of workloadIndex(set).all) {
      if (workload.hostNetwork) continue;
      if (isolationOf(workload, set).selectedBy.length > 0) continue;
      yield {
        object: workload.object,
        path: [...workload.metadataPath, 'labels'],
        message: `no NetworkPolicy selects the pods of ${workload.object.kind} ${workload.object.name} in ${describeNamespace(workload.namespace)}: all ingress and egress allowed`,
      };
    }
  },
  fixtures: {
    fail: [
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {job: report}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: report}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: default, labels: {app: api}}
spec:
  containers: [{name: api, image: api}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: frontends, namespace: default}
spec:
  endpointSelector:
    matchExpressions: [{key: role, operator: In, values: [frontend]}]
  ingress: [{}]
`,
    ],
    pass: [
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {job: report}}
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: report}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: report}
spec:
  podSelector:
    matchExpressions: [{key: job, operator: In, values: [report, other]}]
  policyTypes: [Egress]
`,
      `apiVersion: v1
kind: Pod
metadata: {name: node-agent}
spec:
  hostNetwork: true
  containers: [{name: agent, image: agent}]
`,
    ],
  },
};
