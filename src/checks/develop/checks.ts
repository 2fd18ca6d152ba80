// Cross-object checks that read as a threat model: exposed workloads that reach the node or the API,
// and references that lead nowhere (Services and policies selecting no pods, bindings to missing
// roles or ServiceAccounts) — the leftovers where the next mistake lands.
import type { KubeObject } from '../../core/index.ts';
import { isBuiltinClusterRoleName, isBuiltinRoleName } from '../../rbac/builtin.ts';
import { serviceAccountNamespace } from '../../rbac/subjects.ts';
import type { ObjectSet, SetCheck } from '../check.ts';
import { RBAC_KINDS, rbacContext } from '../access/rbac/context.ts';
import { summarizeGrants } from '../access/rbac/workload-identity.ts';
import { partSelects, policyIndex, POLICY_KINDS } from '../network/policies.ts';
import { serviceIndex } from '../network/services.ts';
import { describeNamespace, workloadIndex, WORKLOAD_KINDS } from '../network/workloads.ts';
import { isDangerous, THREAT_MODEL_KINDS, threatPaths } from './threat-model.ts';
import { deploymentFixture, serviceFixture } from '../network/fixtures.ts';

export const exposedWorkloadCheck: SetCheck = {
  id: 'develop-exposed-workload',
  title: 'Exposed workload can reach the node or the cluster API',
  area: 'develop',
  severity: 'critical',
  frameworks: { nsa: ['Pod security: pod security enforcement', 'Authentication and authorization: role-based access control'], mitre: ['T1190', 'T1611', 'T1078'] },
  description:
    'A workload reachable from outside the cluster (LoadBalancer or NodePort Service, or an Ingress or Gateway route to its Service) that runs privileged, shares host namespaces, mounts host paths, adds node-level capabilities, or carries a ServiceAccount token with risky RBAC: one remote-code-execution bug in the application is then the node or the cluster. Critical: each step is already in place; only the bug is missing.',
  remediation:
    'Break the chain where it is cheapest: drop the privilege or host access, unmount the token (`automountServiceAccountToken: false`) or narrow its RBAC, or keep the workload behind an internal Service. `bulwark scan --threat-model` shows every step with its findings.',
  kinds: THREAT_MODEL_KINDS,
  *evaluateSet(set) {
    for (const path of threatPaths(set)) {
      if (!isDangerous(path)) continue;
      const steps: string[] = [];
      if (path.hostAccess.length > 0) steps.push(path.hostAccess.map((access) => access.what).join(', '));
      if (path.identity.tokenMounted && path.identity.grants.length > 0) {
        steps.push(`its ServiceAccount ${path.identity.serviceAccount} may ${summarizeGrants(path.identity.grants, 2)}`);
      }
      const via = path.exposures.slice(0, 2).map((exposure) => exposure.via).join(', ');
      yield {
        object: path.workload,
        path: ['spec'],
        message: `${path.workload.kind} ${path.workload.name} is exposed through ${via}${path.exposures.length > 2 ? ` and ${path.exposures.length - 2} more` : ''}; ${steps.join('; ')}`,
      };
    }
  },
  fixtures: {
    fail: [
      `${deploymentFixture('web', { namespace: 'shop', pod: 'containers:\n- name: web\n  image: web\n  securityContext: {privileged: true}' })}---
${serviceFixture('web', { namespace: 'shop', type: 'LoadBalancer', port: 443 })}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  tls: [{hosts: [api.example.com], secretName: api-tls}]
  rules:
  - host: api.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: api}]
`,
    ],
    pass: [
      `${deploymentFixture('web', { namespace: 'shop', pod: 'containers:\n- name: web\n  image: web\n  securityContext: {privileged: true}' })}---
${serviceFixture('web', { namespace: 'shop', port: 443 })}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      automountServiceAccountToken: false
      containers: [{name: api, image: api}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  selector: {app: api}
  ports: [{port: 80}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: api, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: api}]
`,
    ],
  },
};

export const serviceSelectsNothingCheck: SetCheck = {
  id: 'develop-service-selects-nothing',
  title: 'Service selects no pods',
  area: 'develop',
  severity: 'low',
  frameworks: {},
  description:
    'A Service whose selector matches no pod template in its namespace has no endpoints: a typo in a label, or a leftover that the next workload with matching labels — any workload — silently joins. Reported only when the namespace has workloads in the scanned set, so Services for pods deployed elsewhere are not flagged. Low: no exposure today.',
  remediation: 'Fix the selector to match the pod template labels, or delete the Service.',
  kinds: ['Service', ...WORKLOAD_KINDS],
  *evaluateSet(set) {
    const services = serviceIndex(set);
    const workloads = workloadIndex(set);
    for (const service of services.services) {
      if (service.selector === undefined) continue;
      const candidates = workloads.inNamespace(service.object.namespace);
      if (candidates.length === 0 || services.selected(service).length > 0) continue;
      yield {
        object: service.object,
        path: ['spec', 'selector'],
        message: `Service ${service.object.name} selects no pod template of the ${candidates.length} workload${candidates.length === 1 ? '' : 's'} in ${describeNamespace(service.object.namespace)}`,
      };
    }
  },
  fixtures: {
    fail: [
      `${deploymentFixture('web')}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: wbe}
  ports: [{port: 80}]
`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers: [{name: web, image: web}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`,
      `apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
`,
    ],
  },
};

export const policySelectsNothingCheck: SetCheck = {
  id: 'develop-networkpolicy-selects-nothing',
  title: 'NetworkPolicy selects no pods',
  area: 'develop',
  severity: 'low',
  frameworks: { nsa: ['Network separation and hardening: network policies'] },
  description:
    'A NetworkPolicy whose pod selector matches no workload in its namespace protects nothing — usually a label typo that leaves the intended pods open. Reported only when the namespace has workloads in the scanned set. Low: the pods it was meant for are reported by the coverage checks.',
  remediation: 'Fix `spec.podSelector` to match the pod template labels, or delete the policy.',
  kinds: [...POLICY_KINDS, ...WORKLOAD_KINDS],
  *evaluateSet(set) {
    const workloads = workloadIndex(set);
    for (const policy of policyIndex(set).policies) {
      if (policy.object.kind !== 'NetworkPolicy') continue;
      const part = policy.parts[0];
      if (part === undefined || part.pods === undefined || part.pods.everything) continue;
      const candidates = workloads.inNamespace(policy.namespace);
      if (candidates.length === 0 || candidates.some((workload) => partSelects(policy, part, workload, set))) continue;
      yield {
        object: policy.object,
        path: ['spec', 'podSelector'],
        message: `NetworkPolicy ${policy.object.name} selects none of the ${candidates.length} workload${candidates.length === 1 ? '' : 's'} in ${describeNamespace(policy.namespace)}`,
      };
    }
  },
  fixtures: {
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: web, image: web}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: website}}
`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: web, image: web}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchExpressions: [{key: app, operator: Exists}]}
`,
    ],
  },
};

/**
 * Whether the set holds a namespace's objects of a kind (so a missing one is really missing): the
 * namespace itself is scanned, or some object of the kind is in it. The namespaces are gathered once
 * per kind; looking through the kind's objects per binding was quadratic in the size of the scan.
 */
function scannedNamespaces(set: ObjectSet): (kind: 'Role' | 'ServiceAccount', namespace: string | null) => boolean {
  const byKind = new Map<string, Set<string | null>>();
  return (kind, namespace) => {
    if (namespace !== null && set.find('Namespace', null, namespace) !== undefined) return true;
    let namespaces = byKind.get(kind);
    if (namespaces === undefined) byKind.set(kind, (namespaces = new Set(set.ofKind(kind).map((object) => object.namespace))));
    return namespaces.has(namespace);
  };
}

export const danglingBindingCheck: SetCheck = {
  id: 'develop-binding-dangling-reference',
  title: 'Binding references a role or ServiceAccount that does not exist',
  area: 'develop',
  severity: 'low',
  frameworks: { nsa: ['Authentication and authorization: role-based access control'], mitre: ['T1098.006'] },
  description:
    'A binding to a role that does not exist grants nothing until someone creates a role of that name — then its subjects hold whatever that role says. A binding to a missing ServiceAccount does the same for whoever creates the account, or a pod running as it. Reported only where the scanned set holds that namespace\'s (or the cluster\'s) roles and ServiceAccounts, and never for roles every cluster has (cluster-admin, admin, edit, view, `system:*`). Low: a loaded reference, not an open door.',
  remediation: 'Delete the binding, or fix the name it references.',
  kinds: [...RBAC_KINDS, 'ServiceAccount', 'Namespace'],
  *evaluateSet(set) {
    const { index, bindings } = rbacContext(set);
    const clusterRolesScanned = set.ofKind('ClusterRole').length > 0;
    const namespaceScanned = scannedNamespaces(set);
    for (const binding of bindings) {
      const object = binding.source as KubeObject;
      const resolution = index.resolve(binding);
      const { kind, name } = binding.roleRef;
      if (resolution.status === 'missing') {
        const scanned = kind === 'ClusterRole' ? clusterRolesScanned && !isBuiltinClusterRoleName(name) : namespaceScanned('Role', binding.namespace) && !isBuiltinRoleName(binding.namespace, name);
        if (scanned) {
          yield { object, path: ['roleRef', 'name'], message: `${binding.kind} ${binding.name} references ${kind} ${name}, which is not in the scanned set: whoever creates it decides what the subjects get` };
        }
      }
      for (let i = 0; i < binding.subjects.length; i++) {
        const subject = binding.subjects[i]!;
        if (subject.kind !== 'ServiceAccount' || subject.name === 'default') continue;
        const namespace = serviceAccountNamespace(subject, binding.namespace, binding.kind === 'ClusterRoleBinding');
        if (namespace === undefined) continue;
        if (namespace === 'kube-system' || !namespaceScanned('ServiceAccount', namespace)) continue;
        if (set.find('ServiceAccount', namespace, subject.name) !== undefined) continue;
        yield {
          object,
          path: ['subjects', i, 'name'],
          message: `${binding.kind} ${binding.name} binds ServiceAccount ${subject.name} in ${describeNamespace(namespace)}, which is not in the scanned set`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: readers}
subjects: [{kind: User, name: jane}]
`,
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: webb}]
`,
    ],
    pass: [
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ops, namespace: tools}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: operator-from-another-chart}
subjects: [{kind: User, name: jane}]
`,
      `apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
subjects: [{kind: ServiceAccount, name: web}]
`,
    ],
  },
};
