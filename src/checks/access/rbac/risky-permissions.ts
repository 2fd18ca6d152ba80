// One check per risky permission (rbac/risks.ts): reported on the rule that grants it, naming who
// holds it; for the default roles (edit, admin) that manifests bind without defining, on the binding.
// Rules granting everything are left to rbac-cluster-admin-binding and rbac-wildcard, and rules
// nobody holds to rbac-unbound-risky-role, so one rule does not raise a dozen findings.
import type { Control, KubeObject } from '../../../core/index.ts';
import type { RiskId } from '../../../rbac/risks.ts';
import { describeGrant, RISKY_PERMISSION_BY_ID } from '../../../rbac/risks.ts';
import type { SetCheck, SetViolation } from '../../check.ts';
import { describeHolders, describeRole, RBAC_KINDS, rbacContext } from './context.ts';
import { boundClusterRole, boundRole, clusterRole, clusterRoleBinding, roleBinding, rule, SA_SUBJECT } from './fixtures.ts';

/** A row of the table below: the control without what every risky-permission check shares. */
interface RiskCheckDefinition extends Omit<Control, 'area' | 'frameworks'> {
  risk: RiskId;
  /** Framework ids besides the NSA-CISA guide's RBAC section, which every row answers to. */
  frameworks: { cis?: string[]; mitre: string[]; kubescape?: string[] };
  fail: string[];
  pass: string[];
}

const RBAC_NSA = ['Authentication and authorization: role-based access control'];

function evaluateRisk(riskId: RiskId) {
  const risk = RISKY_PERMISSION_BY_ID.get(riskId)!;
  return function* evaluate(set: Parameters<SetCheck['evaluateSet']>[0]): Iterable<SetViolation> {
    const context = rbacContext(set);
    const sources = context.riskSources(risk);
    for (const { role, index, grant } of sources.rules) {
      const holders = context.index.holdersOfRule(role, index);
      if (holders.length === 0) continue;
      yield {
        object: role.source!,
        path: ['rules', index],
        message: `${describeRole(role)} rules[${index}] grants ${describeGrant(grant)}, which lets its holders ${risk.consequence}; held by ${describeHolders(holders, role)}`,
      };
    }
    // Default roles are not in the manifests: their grant is reported on the binding that hands it out.
    for (const { binding, role, grants } of sources.defaultRoleBindings) {
      const holders = context.index.holdersOfRole(role).filter((holder) => holder.binding === binding);
      if (holders.length === 0) continue;
      yield {
        object: binding.source as KubeObject,
        path: ['roleRef'],
        message: `binds the default ClusterRole ${role.name}, which grants ${grants.map(describeGrant).join('; ')} and so lets ${describeHolders(holders)} ${risk.consequence}`,
      };
    }
  };
}

function riskCheck(definition: RiskCheckDefinition): SetCheck {
  const { id, risk, title, severity, frameworks, description, remediation, fail, pass } = definition;
  const { cis, mitre, kubescape } = frameworks;
  return {
    id,
    title,
    severity,
    frameworks: { ...(cis === undefined ? {} : { cis }), nsa: RBAC_NSA, mitre, ...(kubescape === undefined ? {} : { kubescape }) },
    description,
    remediation,
    fixtures: { fail, pass },
    area: 'access',
    kinds: RBAC_KINDS,
    evaluateSet: evaluateRisk(risk),
  };
}

const CORE = '[""]';

const DEFINITIONS: RiskCheckDefinition[] = [
  {
    id: 'rbac-secrets-read',
    risk: 'secrets-read',
    title: 'RBAC grants read access to Secrets',
    severity: 'high',
    frameworks: { cis: ['5.1.2'], mitre: ['T1552.007'], kubescape: ['C-0015', 'C-0186'] },
    description:
      '`get`, `list` or `watch` on Secrets hands out every credential they hold: ServiceAccount tokens, registry passwords, TLS keys. `list` and `watch` return the values too. High: one read is usually one step from acting as another identity.',
    remediation:
      'Grant only the Secrets the workload needs, with `resourceNames`, or mount them into the pod instead of reading them through the API; drop `list` and `watch`.',
    fail: [
      boundClusterRole(rule(CORE, '[secrets]', '[get, list]')),
      boundRole(rule('["*"]', '[secrets, configmaps]', '[watch]')),
      `${clusterRole('reader', rule(CORE, '[secrets]', '[get]'))}---\n${roleBinding('shop', 'reader', 'ClusterRole', 'reader', SA_SUBJECT)}`,
      `${clusterRoleBinding('ops', 'edit', SA_SUBJECT)}`,
    ],
    pass: [
      boundClusterRole(rule(CORE, '[secrets]', '[get]', 'resourceNames: [app-tls]')),
      boundClusterRole(rule(CORE, '[configmaps]', '[get, list]')),
      boundClusterRole(rule('[apps]', '[secrets]', '[get]')),
      clusterRole('unbound-reader', rule(CORE, '[secrets]', '[get]')),
      clusterRoleBinding('viewers', 'view', SA_SUBJECT),
    ],
  },
  {
    id: 'rbac-pod-exec',
    risk: 'pod-exec',
    title: 'RBAC grants exec or attach into pods',
    severity: 'high',
    frameworks: { mitre: ['T1609'], kubescape: ['C-0002'] },
    description:
      '`pods/exec`, `pods/attach` and ephemeral containers run commands inside running containers, with their ServiceAccount tokens, mounted Secrets and network position. WebSocket clients ask for `get` (the only verb checked before Kubernetes 1.31), so `get` counts as much as `create`.',
    remediation:
      'Remove `pods/exec`, `pods/attach` and `pods/ephemeralcontainers` from roles of workloads and day-to-day users; grant them through a separate, audited break-glass role.',
    fail: [
      boundClusterRole(rule(CORE, '[pods/exec]', '[create]')),
      boundRole(rule(CORE, '["*/attach"]', '[get]')),
      boundRole(rule(CORE, '[pods/ephemeralcontainers]', '[patch]')),
    ],
    pass: [boundRole(rule(CORE, '[pods, pods/log]', '[get, list]')), boundRole(rule(CORE, '["pods/*"]', '[create]'))],
  },
  {
    id: 'rbac-create-workloads',
    risk: 'create-workloads',
    title: 'RBAC grants creating or changing pods and workloads',
    severity: 'medium',
    frameworks: { cis: ['5.1.4'], mitre: ['T1610'], kubescape: ['C-0188'] },
    description:
      'Whoever can create a pod, or change the pod template of a Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet or ReplicationController (in any API group), runs any image as any ServiceAccount of the namespace and mounts any of its Secrets; where Pod Security does not forbid it, the pod can be privileged and take the node. Medium: deployers need it, so it is common — but it should be held by few identities, never by workloads.',
    remediation:
      'Keep workload-writing rights for the deployment pipeline and namespace owners; give workloads and humans read-only roles, and enforce Pod Security `restricted` where such rights exist.',
    fail: [
      boundClusterRole(rule(CORE, '[pods]', '[create]')),
      boundRole(rule('[apps]', '[deployments]', '[patch, update]')),
      boundRole(rule('["*"]', '[cronjobs]', '[create]')),
    ],
    pass: [boundRole(rule('[apps]', '[deployments, deployments/scale]', '[get, list, watch]')), boundRole(rule('[apps]', '[deployments/scale]', '[update]'))],
  },
  {
    id: 'rbac-escalate-bind',
    risk: 'escalate-bind',
    title: 'RBAC grants escalate or bind on roles',
    severity: 'high',
    frameworks: { cis: ['5.1.8'], mitre: ['T1098.006'], kubescape: ['C-0191'] },
    description:
      '`escalate` lets one write roles granting permissions one does not hold; `bind` lets one bind roles one does not hold. Either switches off the API server\'s protection against privilege escalation through RBAC.',
    remediation: 'Remove `escalate` and `bind`; where a controller must bind roles, limit `bind` with `resourceNames` to the roles it hands out.',
    fail: [boundClusterRole(rule('[rbac.authorization.k8s.io]', '[clusterroles]', '[bind]')), boundRole(rule('[rbac.authorization.k8s.io]', '[roles]', '[escalate]'))],
    pass: [boundClusterRole(rule('[rbac.authorization.k8s.io]', '[roles, rolebindings]', '[get, list, create]'))],
  },
  {
    id: 'rbac-impersonate',
    risk: 'impersonate',
    title: 'RBAC grants impersonation',
    severity: 'high',
    frameworks: { cis: ['5.1.8'], mitre: ['T1078'], kubescape: ['C-0065', 'C-0191'] },
    description:
      '`impersonate` on users, groups, ServiceAccounts, UIDs or user extras lets one send requests as someone else — as the group `system:masters`, for one — and so hold every permission anyone holds.',
    remediation: 'Remove `impersonate`; where a proxy needs it, limit it with `resourceNames` to the identities it serves.',
    fail: [
      boundClusterRole(rule(CORE, '[users, groups]', '[impersonate]')),
      boundClusterRole(rule(CORE, '[groups]', '[impersonate]', 'resourceNames: ["system:masters"]')),
      boundClusterRole(rule('[authentication.k8s.io]', '[userextras/scopes, uids]', '[impersonate]')),
    ],
    pass: [boundClusterRole(rule(CORE, '[users, groups]', '[get, list]'))],
  },
  {
    id: 'rbac-nodes-proxy',
    risk: 'nodes-proxy',
    title: 'RBAC grants the nodes/proxy subresource',
    severity: 'high',
    frameworks: { cis: ['5.1.10'], mitre: ['T1609'] },
    description:
      '`nodes/proxy` reaches the kubelet API through the API server. `get` alone is enough: the kubelet authorizes its exec and run endpoints against `nodes/proxy`, so this runs commands in any pod of the node, and those commands escape the API server\'s audit log.',
    remediation: 'Grant `nodes/metrics`, `nodes/stats` or `nodes/log` to monitoring agents instead of `nodes/proxy`.',
    fail: [boundClusterRole(rule(CORE, '[nodes/proxy]', '[get]'))],
    pass: [boundClusterRole(rule(CORE, '[nodes, nodes/metrics, nodes/stats]', '[get, list]'))],
  },
  {
    id: 'rbac-serviceaccount-token',
    risk: 'serviceaccount-token',
    title: 'RBAC grants creating ServiceAccount tokens',
    severity: 'high',
    frameworks: { cis: ['5.1.13'], mitre: ['T1528'] },
    description: '`create` on `serviceaccounts/token` mints a token for a ServiceAccount: whoever holds it acts as that ServiceAccount, with all its permissions.',
    remediation: 'Remove `serviceaccounts/token` from roles; where a component must mint tokens, limit it with `resourceNames` to its own ServiceAccounts.',
    fail: [boundRole(rule(CORE, '[serviceaccounts/token]', '[create]'))],
    pass: [boundRole(rule(CORE, '[serviceaccounts]', '[get, list]'))],
  },
  {
    id: 'rbac-csr-approval',
    risk: 'csr-approval',
    title: 'RBAC grants approving certificate signing requests',
    severity: 'high',
    frameworks: { cis: ['5.1.11'], mitre: ['T1649'] },
    description:
      'Updating `certificatesigningrequests/approval`, with `approve` on the matching `signers`, approves certificates: for the `kubernetes.io/kube-apiserver-client` signer that is a client certificate for any user or group, `system:masters` included.',
    remediation: 'Leave approval to the controller manager and a narrow approver; limit `approve` on `signers` with `resourceNames` to the signers that are safe to delegate.',
    fail: [
      boundClusterRole(rule('[certificates.k8s.io]', '[certificatesigningrequests/approval]', '[update]')),
      boundClusterRole(rule('[certificates.k8s.io]', '[signers]', '[approve]', 'resourceNames: [kubernetes.io/kube-apiserver-client]')),
    ],
    pass: [boundClusterRole(rule('[certificates.k8s.io]', '[certificatesigningrequests]', '[create, get]'))],
  },
  {
    id: 'rbac-webhook-config-write',
    risk: 'webhook-config-write',
    title: 'RBAC grants writing admission webhook or policy configuration',
    severity: 'high',
    frameworks: { cis: ['5.1.12'], mitre: ['T1562.001'] },
    description:
      'Writing MutatingWebhookConfigurations, ValidatingWebhookConfigurations or admission policies and their bindings switches admission control off, or sends every admitted object — Secrets included — to a webhook of one\'s choosing.',
    remediation: 'Keep these objects writable only by the cluster administrators and the controllers that own them (limit with `resourceNames`).',
    fail: [boundClusterRole(rule('[admissionregistration.k8s.io]', '[validatingwebhookconfigurations]', '[delete, patch]'))],
    pass: [boundClusterRole(rule('[admissionregistration.k8s.io]', '[validatingwebhookconfigurations]', '[get, list, watch]'))],
  },
  {
    id: 'rbac-namespace-write',
    risk: 'namespace-write',
    title: 'RBAC grants updating namespaces',
    severity: 'medium',
    frameworks: { mitre: ['T1562.001'] },
    description:
      'Namespace labels set the Pod Security level (`pod-security.kubernetes.io/enforce`) and are what NetworkPolicy `namespaceSelector`s match: whoever can patch a namespace can lower its Pod Security level and move it into or out of network policies. Medium: it takes a second step (creating pods) to exploit.',
    remediation: 'Let only cluster administrators update namespaces; pin Pod Security levels with an admission policy that forbids changing the labels.',
    fail: [boundClusterRole(rule(CORE, '[namespaces]', '[patch]'))],
    pass: [boundClusterRole(rule(CORE, '[namespaces]', '[get, list, watch]'))],
  },
  {
    id: 'rbac-persistentvolume-create',
    risk: 'persistentvolume-create',
    title: 'RBAC grants creating PersistentVolumes',
    severity: 'medium',
    frameworks: { cis: ['5.1.9'], mitre: ['T1611'] },
    description:
      'A PersistentVolume may be a `hostPath` volume: creating one and claiming it mounts node files into a pod even where Pod Security forbids `hostPath` in pods. Medium: it also takes the right to create a claim and a pod.',
    remediation: 'Let StorageClasses provision volumes; keep `create` on PersistentVolumes for cluster administrators.',
    fail: [boundClusterRole(rule(CORE, '[persistentvolumes]', '[create]'))],
    pass: [boundRole(rule(CORE, '[persistentvolumeclaims]', '[create]'))],
  },
];

export const riskyPermissionChecks: readonly SetCheck[] = DEFINITIONS.map(riskCheck);
