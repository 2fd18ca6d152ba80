// What a workload's pods may do through the API: the ServiceAccount they run as, whether its token is
// mounted, and the risky permissions RBAC grants it anywhere. Shared by the workload-identity check
// and the threat model.
import type { KubeObject, ObjectRef } from '../../../core/index.ts';
import { objectRef } from '../../../core/index.ts';
import { asFields, asList, fieldOf } from '../../../podspec/index.ts';
import { describeScope } from '../../../rbac/effective.ts';
import { describeGrant, riskyGrants } from '../../../rbac/risks.ts';
import { isFullAccessRule } from '../../../rbac/rule-matches.ts';
import { serviceAccountUser } from '../../../rbac/subjects.ts';
import type { ObjectSet, SetCheck } from '../../check.ts';
import type { Workload } from '../../network/workloads.ts';
import { workloadIndex, WORKLOAD_KINDS } from '../../network/workloads.ts';
import { describeRole, RBAC_KINDS, rbacContext } from './context.ts';

export interface IdentityGrant {
  /** `full access` or a risky permission id (`secrets-read`). */
  readonly risk: string;
  /** A few words: `read Secrets`. */
  readonly label: string;
  /** What exactly: `get, list secrets`. */
  readonly detail: string;
  /** `cluster-wide`, `in namespace shop`. */
  readonly scope: string;
  /** `RoleBinding api → ClusterRole edit`. */
  readonly via: string;
  /** The binding and the role that grant it, for pointing at their findings. */
  readonly objects: readonly ObjectRef[];
}

/**
 * `read Secrets, exec into pods in namespace shop (RoleBinding api → ClusterRole edit); do everything
 * cluster-wide (…)`: grants grouped by where they apply and what grants them.
 */
export function summarizeGrants(grants: readonly IdentityGrant[], maxGroups = 3): string {
  const groups = new Map<string, string[]>();
  for (const grant of grants) {
    const key = `${grant.scope} (${grant.via})`;
    let labels = groups.get(key);
    if (labels === undefined) groups.set(key, (labels = []));
    if (!labels.includes(grant.label)) labels.push(grant.label);
  }
  const parts = [...groups].map(([where, labels]) => `${labels.join(', ')} ${where}`);
  const shown = parts.slice(0, maxGroups).join('; ');
  return parts.length > maxGroups ? `${shown} and more through ${parts.length - maxGroups} other binding${parts.length - maxGroups === 1 ? '' : 's'}` : shown;
}

export interface WorkloadIdentity {
  readonly namespace: string | null;
  readonly serviceAccount: string;
  /** Whether the pods get the token (pod setting, else the ServiceAccount's, else yes). */
  readonly tokenMounted: boolean;
  readonly grants: readonly IdentityGrant[];
}

function serviceAccountName(workload: Workload): string {
  const name = fieldOf(workload.spec, 'serviceAccountName') ?? fieldOf(workload.spec, 'serviceAccount');
  return typeof name === 'string' && name !== '' ? name : 'default';
}

function tokenMounted(workload: Workload, serviceAccount: KubeObject | undefined): boolean {
  const volumes = asList(fieldOf(workload.spec, 'volumes')) ?? [];
  const projected = volumes.some((volume) =>
    (asList(fieldOf(asFields(fieldOf(asFields(volume), 'projected')), 'sources')) ?? []).some((source) => fieldOf(asFields(source), 'serviceAccountToken') !== undefined),
  );
  if (projected) return true;
  const own = fieldOf(workload.spec, 'automountServiceAccountToken');
  if (typeof own === 'boolean') return own;
  const fromAccount = serviceAccount?.raw['automountServiceAccountToken'];
  return typeof fromAccount === 'boolean' ? fromAccount : true;
}

const cache = new WeakMap<ObjectSet, Map<string, readonly IdentityGrant[]>>();

/** The risky grants of one ServiceAccount, computed once per run and namespace/name. */
export function serviceAccountGrants(set: ObjectSet, namespace: string | null, name: string): readonly IdentityGrant[] {
  let perSet = cache.get(set);
  if (perSet === undefined) cache.set(set, (perSet = new Map()));
  const key = `${namespace ?? '\u0001'}\u0000${name}`;
  const cached = perSet.get(key);
  if (cached !== undefined) return cached;
  const context = rbacContext(set);
  const grants: IdentityGrant[] = [];
  if (!context.mayHold(namespace, name)) {
    perSet.set(key, grants);
    return grants;
  }
  for (const granted of context.index.grantsFor(serviceAccountUser(namespace, name))) {
    const { holder } = granted;
    const via = `${holder.binding.kind} ${holder.binding.name} → ${describeRole(holder.via)}`;
    const objects: ObjectRef[] = [];
    if (holder.binding.source !== undefined) objects.push(objectRef(holder.binding.source));
    if (granted.origin.source !== undefined) objects.push(objectRef(granted.origin.source));
    const scope = describeScope(holder.scope);
    if (isFullAccessRule(granted.rule)) {
      grants.push({ risk: 'full access', label: 'do everything', detail: 'every verb on every resource', scope, via, objects });
      continue;
    }
    // Default roles (no source object) are not in the context's per-rule cache.
    const risky = granted.origin.source === undefined ? riskyGrants(granted.rule) : context.grantsOf(granted.origin, granted.index);
    for (const grant of risky) {
      grants.push({ risk: grant.risk.id, label: grant.risk.label, detail: describeGrant(grant), scope, via, objects });
    }
  }
  perSet.set(key, grants);
  return grants;
}

export function workloadIdentity(set: ObjectSet, workload: Workload): WorkloadIdentity {
  const name = serviceAccountName(workload);
  const account = set.find('ServiceAccount', workload.namespace, name);
  return {
    namespace: workload.namespace,
    serviceAccount: name,
    tokenMounted: tokenMounted(workload, account),
    grants: serviceAccountGrants(set, workload.namespace, name),
  };
}

export const IDENTITY_KINDS: readonly string[] = [...RBAC_KINDS, 'ServiceAccount'];

export const workloadIdentityCheck: SetCheck = {
  id: 'rbac-workload-identity',
  title: 'Workload runs with a ServiceAccount holding risky permissions',
  area: 'access',
  severity: 'high',
  frameworks: { nsa: ['Authentication and authorization: role-based access control'], mitre: ['T1528', 'T1078'], kubescape: ['C-0272', 'C-0267'] },
  description:
    'Pods get their ServiceAccount\'s token; whoever runs code in one — through a bug in the application, a malicious dependency — holds what RBAC grants that ServiceAccount. A workload whose identity can read Secrets, create pods, exec, impersonate or bind roles turns one application compromise into a cluster compromise. High: that one bug away.',
  remediation:
    'Give each workload its own ServiceAccount with only what it calls; set `automountServiceAccountToken: false` where it calls nothing; move privileged automation into separate, unexposed workloads.',
  kinds: [...WORKLOAD_KINDS, ...IDENTITY_KINDS],
  *evaluateSet(set) {
    for (const workload of workloadIndex(set).all) {
      // Grants first: most ServiceAccounts hold nothing, and then nothing else needs reading.
      if (serviceAccountGrants(set, workload.namespace, serviceAccountName(workload)).length === 0) continue;
      const identity = workloadIdentity(set, workload);
      if (!identity.tokenMounted) continue;
      yield {
        object: workload.object,
        path: [...workload.specPath, 'serviceAccountName'],
        message: `${workload.object.kind} ${workload.object.name} runs as ServiceAccount ${identity.namespace ?? '(unset)'}/${identity.serviceAccount}, with its token mounted, which may ${summarizeGrants(identity.grants)}`,
      };
    }
  },
  fixtures: {
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: test-pd, namespace: default}
spec:
  containers: [{name: app, image: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pods}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods}
subjects: [{kind: ServiceAccount, name: default, namespace: default}]
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ci}
spec:
  selector: {matchLabels: {app: ci}}
  template:
    metadata: {labels: {app: ci}}
    spec:
      serviceAccountName: deployer
      containers: [{name: ci, image: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer}]
`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: test-pd, namespace: default}
spec:
  automountServiceAccountToken: false
  containers: [{name: app, image: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: default}]
`,
      `apiVersion: v1
kind: Pod
metadata: {name: test-pd, namespace: default}
spec:
  containers: [{name: app, image: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: jane, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: jane}]
`,
    ],
  },
};
