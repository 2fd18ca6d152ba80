// Controls only a live cluster can answer: what the API server holds (namespaces without Pod Security
// Admission labels, legacy token Secrets, CertificateSigningRequests, which pods share a node) and
// escalation paths through the RBAC objects it really has. Each is a cross-object check, evaluated by the same engine loop as
// the catalog, so exceptions, overrides and every report format apply to them unchanged.
import 'reflect-metadata';
import { Pkcs10CertificateRequest, X509Certificate } from '@peculiar/x509';
import type { KubeObject } from '../core/index.ts';
import type { ObjectSet, SetCheck, SetViolation } from '../checks/check.ts';
import { RBAC_KINDS, rbacContext } from '../checks/access/rbac/context.ts';
import { escalationPaths, type EscalationPath } from '../rbac/escalation.ts';
import { ALL_SERVICE_ACCOUNTS, AUTHENTICATED, describeSubject, serviceAccountUser } from '../rbac/subjects.ts';
import { asFields, asList, fieldOf } from '../podspec/index.ts';
import { workloadIndex, WORKLOAD_KINDS } from '../checks/network/workloads.ts';
import { IDENTITY_KINDS, serviceAccountGrants } from '../checks/access/rbac/workload-identity.ts';
import type { UserInfo } from '../rbac/model.ts';
import { isBootstrapPolicy } from '../rbac/builtin.ts';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

const PSA = 'pod-security.kubernetes.io/';
const PSA_MODES = ['enforce', 'audit', 'warn'] as const;

export const namespacePodSecurityCheck: SetCheck = {
  id: 'cluster-namespace-pod-security-labels',
  title: 'Namespace lacks Pod Security Admission labels',
  area: 'compute',
  severity: 'medium',
  frameworks: { cis: ['5.2.1'], nsa: ['Pod security: Pod Security Admission'] },
  description:
    'Pod Security Admission enforces a Pod Security Standard per namespace only when the namespace carries `pod-security.kubernetes.io/enforce`; ' +
    '`audit` and `warn` report violations without blocking. Without a `-version` label the level follows the API server\'s version and may change on upgrade.',
  remediation:
    'Label the namespace: `kubectl label ns NAME pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=v1.37` (and audit/warn likewise).',
  kinds: ['Namespace'],
  *evaluateSet(set) {
    for (const namespace of set.ofKind('Namespace')) {
      const labels = fields(fields(namespace.raw['metadata'])?.['labels']) ?? {};
      const missing: string[] = [];
      for (const mode of PSA_MODES) {
        if (typeof labels[PSA + mode] !== 'string') missing.push(PSA + mode);
        else if (typeof labels[`${PSA}${mode}-version`] !== 'string') missing.push(`${PSA}${mode}-version`);
      }
      if (missing.length === 0) continue;
      const enforce = labels[PSA + 'enforce'];
      yield {
        object: namespace,
        path: ['metadata', 'labels'],
        message:
          typeof enforce === 'string'
            ? `namespace enforces Pod Security "${enforce}" but lacks ${missing.join(', ')}`
            : `namespace has no Pod Security Admission enforce label: any pod is admitted (missing ${missing.join(', ')})`,
      };
    }
  },
  fixtures: {
    fail: ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n'],
    pass: [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n' +
        PSA_MODES.map((m) => `    ${PSA}${m}: restricted\n    ${PSA}${m}-version: v1.37\n`).join(''),
    ],
  },
};

export const legacyTokenSecretCheck: SetCheck = {
  id: 'cluster-legacy-service-account-token',
  title: 'Long-lived ServiceAccount token Secret',
  area: 'access',
  severity: 'medium',
  frameworks: { cis: ['5.1.6'], nsa: ['Authentication and authorization: service account tokens'] },
  description:
    'A Secret of type `kubernetes.io/service-account-token` holds a token that never expires and is not bound to a pod: whoever reads it once keeps the ' +
    "ServiceAccount's permissions until the Secret is deleted. Pods get short-lived projected tokens since Kubernetes 1.22.",
  remediation: 'Delete the Secret and use projected tokens (`kubectl create token`, or the automounted projected volume).',
  kinds: ['Secret'],
  *evaluateSet(set) {
    for (const secret of set.ofKind('Secret')) {
      if (secret.raw['type'] !== 'kubernetes.io/service-account-token') continue;
      const account = fields(fields(secret.raw['metadata'])?.['annotations'])?.['kubernetes.io/service-account.name'];
      yield {
        object: secret,
        path: ['type'],
        message: `long-lived token Secret for ServiceAccount ${secret.namespace ?? '(unset)'}/${typeof account === 'string' ? account : '(unnamed)'}: the token never expires`,
      };
    }
  },
  fixtures: {
    fail: [
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-token\n  namespace: shop\n  annotations: {kubernetes.io/service-account.name: ci}\ntype: kubernetes.io/service-account-token\n',
    ],
    pass: ['apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ntype: Opaque\n'],
  },
};

/** `Approved`, `Denied`, `Failed` or undefined (pending). */
function csrState(csr: KubeObject): string | undefined {
  const conditions = fields(csr.raw['status'])?.['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  for (const state of ['Denied', 'Failed', 'Approved']) {
    if (conditions.some((c) => fields(c)?.['type'] === state && fields(c)?.['status'] !== 'False')) return state;
  }
  return undefined;
}

/** Organizations (groups, for client certificates) the certificate or the request names. */
export function certificateGroups(csr: KubeObject): string[] {
  const status = fields(csr.raw['status']);
  const spec = fields(csr.raw['spec']);
  try {
    if (typeof status?.['certificate'] === 'string' && status['certificate'] !== '') {
      const pem = Buffer.from(status['certificate'], 'base64').toString('utf8');
      return new X509Certificate(pem).subjectName.getField('O');
    }
    if (typeof spec?.['request'] === 'string') {
      const pem = Buffer.from(spec['request'], 'base64').toString('utf8');
      return new Pkcs10CertificateRequest(pem).subjectName.getField('O');
    }
  } catch {
    // An unparseable request is refused by the signer: it names no group.
  }
  return [];
}

const PRIVILEGED_GROUPS = new Set(['system:masters']);

export const privilegedCsrCheck: SetCheck = {
  id: 'cluster-csr-privileged-group',
  title: 'Approved CertificateSigningRequest for a privileged group',
  area: 'access',
  severity: 'critical',
  frameworks: { mitre: ['Privilege escalation'], nsa: ['Authentication and authorization'] },
  description:
    'A client certificate whose subject names the `system:masters` group is cluster-admin that RBAC cannot revoke: it stays valid until it expires, ' +
    'whatever bindings say. An approved request for one is either an attack or a serious mistake.',
  remediation: 'Find who approved it (audit log), rotate the cluster CA if the certificate was issued, and restrict `certificatesigningrequests/approval`.',
  kinds: ['CertificateSigningRequest'],
  *evaluateSet(set) {
    for (const csr of set.ofKind('CertificateSigningRequest')) {
      if (csrState(csr) !== 'Approved') continue;
      const groups = certificateGroups(csr).filter((g) => PRIVILEGED_GROUPS.has(g));
      if (groups.length === 0) continue;
      const signer = fields(csr.raw['spec'])?.['signerName'];
      yield {
        object: csr,
        path: ['spec', 'request'],
        message: `approved request (signer ${typeof signer === 'string' ? signer : 'unknown'}) for a certificate in group ${groups.join(', ')}: full cluster-admin no binding can revoke`,
      };
    }
  },
  fixtures: { fail: [], pass: [] }, // the requests are PEM: see checks.test.ts, which builds them
};

export const pendingCsrCheck: SetCheck = {
  id: 'cluster-csr-pending',
  title: 'CertificateSigningRequest awaiting approval',
  area: 'access',
  severity: 'low',
  frameworks: { nsa: ['Authentication and authorization'] },
  description:
    'A pending request waits for someone allowed to approve it; who that is decides who can mint client identities. The message names them.',
  remediation: 'Approve or deny it (`kubectl certificate approve|deny NAME`) and review who holds `certificatesigningrequests/approval`.',
  kinds: ['CertificateSigningRequest', ...RBAC_KINDS],
  *evaluateSet(set) {
    const pending = set.ofKind('CertificateSigningRequest').filter((csr) => csrState(csr) === undefined);
    if (pending.length === 0) return;
    const index = rbacContext(set).index;
    const subjects = (grants: ReturnType<typeof index.whoCan>) =>
      new Set(grants.map((g) => describeSubject(g.holder.subject, g.holder.binding.namespace, g.holder.binding.kind === 'ClusterRoleBinding')));
    // Approving takes both: update on the approval subresource, and approve on the request's signer.
    const mayUpdate = subjects(index.whoCan({ verb: 'update', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', namespace: '', name: '' }));
    for (const csr of pending) {
      const signer = fields(csr.raw['spec'])?.['signerName'];
      const maySign = subjects(index.whoCan({ verb: 'approve', apiGroup: 'certificates.k8s.io', resource: 'signers', subresource: '', namespace: '', name: typeof signer === 'string' ? signer : '' }));
      const names = [...mayUpdate].filter((name) => maySign.has(name)).sort();
      yield {
        object: csr,
        path: ['status'],
        message: `pending request for signer ${typeof signer === 'string' ? signer : 'unknown'}; may approve (RBAC): ${names.length === 0 ? 'nobody but system:masters' : names.slice(0, 8).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '')}`,
      };
    }
  },
  fixtures: {
    fail: ['apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: jane}\nspec: {signerName: kubernetes.io/kube-apiserver-client, request: ""}\n'],
    pass: [
      'apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: jane}\nspec: {signerName: kubernetes.io/kube-apiserver-client}\nstatus:\n  conditions: [{type: Denied, status: "True"}]\n',
    ],
  },
};

/** Paths of two or more steps (a one-step path is a direct grant, which the RBAC controls report). */
function formatSteps(path: EscalationPath<KubeObject>, start: UserInfo, label: string): string {
  return path.steps.map((step, i) => `${i + 1}. ${step.from === start.name ? label : step.from}: ${step.action}`).join('; ');
}

export const escalationPathCheck: SetCheck = {
  id: 'cluster-rbac-escalation-path',
  title: 'Identity can escalate to cluster-admin or a node through RBAC',
  area: 'access',
  severity: 'high',
  frameworks: { mitre: ['Privilege escalation'], nsa: ['Authentication and authorization: role-based access control'] },
  description:
    'An identity that may run pods as, mint tokens for or impersonate a more privileged ServiceAccount can act as it; one that may approve CSRs for the ' +
    '`kubernetes.io/kube-apiserver-client` signer can get a client certificate for any bound user or group but system:masters. A chain of such steps ending at full ' +
    'access, escalate/bind or impersonation of anyone makes the first identity cluster-admin in effect. Patching a namespace it may create pods in lets an ' +
    'identity relabel Pod Security to `privileged` and run a privileged pod: root on a node. The message prints the steps.',
  remediation:
    'Break the first step: narrow the grant that lets the identity create pods, tokens, impersonate, approve client certificates or patch namespaces, or move the privileged identity out of reach.',
  kinds: ['ServiceAccount', ...RBAC_KINDS],
  *evaluateSet(set) {
    const context = rbacContext(set);
    const accounts = new Map<string | null, string[]>();
    for (const sa of set.ofKind('ServiceAccount')) {
      let list = accounts.get(sa.namespace);
      if (list === undefined) accounts.set(sa.namespace, (list = []));
      list.push(sa.name);
    }
    const namespaces = [...accounts.keys()];
    const options = { serviceAccounts: (ns: string | null) => accounts.get(ns) ?? [] };
    const starts: { user: UserInfo; label: string; object: KubeObject; path: (string | number)[] }[] = [];
    for (const sa of set.ofKind('ServiceAccount')) starts.push({ user: serviceAccountUser(sa.namespace, sa.name), label: `ServiceAccount ${sa.namespace ?? '(unset)'}/${sa.name}`, object: sa, path: ['metadata', 'name'] });
    const users = new Set<string>();
    for (const binding of context.bindings) {
      binding.subjects.forEach((subject, i) => {
        if (subject.kind !== 'User' || users.has(subject.name) || binding.source === undefined) return;
        users.add(subject.name);
        starts.push({ user: { name: subject.name, groups: ['system:authenticated'] }, label: `User ${subject.name}`, object: binding.source, path: ['subjects', i] });
      });
    }
    for (const start of starts) {
      for (const path of escalationPaths(context.index, start.user, options, namespaces)) {
        if (path.steps.length < 2) continue;
        yield { object: start.object, path: start.path, message: `${start.label} reaches ${path.goal} in ${path.steps.length} steps: ${formatSteps(path, start.user, start.label)}` } satisfies SetViolation;
      }
    }
  },
  fixtures: {
    fail: [
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: shop}',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: shop}',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: pods, namespace: shop}\nrules: [{apiGroups: [""], resources: [pods], verbs: [create]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci-pods, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: shop}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: deployer-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}\nsubjects: [{kind: ServiceAccount, name: deployer, namespace: shop}]',
      ].join('\n---\n'),
      // A CSR approver for the API server's client signer becomes the group bound to full access.
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: approver, namespace: pki}',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: approve}\nrules: [{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: approve}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: approve}\nsubjects: [{kind: ServiceAccount, name: approver, namespace: pki}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}\nsubjects: [{kind: Group, name: ops}]',
      ].join('\n---\n'),
      // Patching its own namespace and creating pods there: a privileged pod after relabelling.
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: team}',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: owner, namespace: team}\nrules: [{apiGroups: [""], resources: [namespaces], verbs: [patch]}, {apiGroups: [""], resources: [pods], verbs: [create]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: owner, namespace: team}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: owner}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team}]',
      ].join('\n---\n'),
    ],
    pass: [
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: shop}',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: other}',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: pods, namespace: shop}\nrules: [{apiGroups: [""], resources: [pods], verbs: [create]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci-pods, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: shop}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: deployer-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}\nsubjects: [{kind: ServiceAccount, name: deployer, namespace: other}]',
      ].join('\n---\n'),
    ],
  },
};

/** Whether the workload's pods get an API token: a projected token volume, else the pod's setting, else the account's, else yes. */
function mountsToken(spec: Fields, account: KubeObject | undefined): boolean {
  const volumes = asList(fieldOf(spec, 'volumes')) ?? [];
  const projected = volumes.some((volume) =>
    (asList(fieldOf(asFields(fieldOf(asFields(volume), 'projected')), 'sources')) ?? []).some((source) => fieldOf(asFields(source), 'serviceAccountToken') !== undefined),
  );
  if (projected) return true;
  const own = fieldOf(spec, 'automountServiceAccountToken');
  if (typeof own === 'boolean') return own;
  const fromAccount = account?.raw['automountServiceAccountToken'];
  return typeof fromAccount === 'boolean' ? fromAccount : true;
}

/** Every identity (or every ServiceAccount) holds the API server's own default bindings: discovery, issuer discovery, self-reviews. */
const EVERYONE_GROUPS = new Set([AUTHENTICATED, ALL_SERVICE_ACCOUNTS]);

function isPlatformDefaultGrant(subject: { kind: string; name: string }, binding: KubeObject | undefined): boolean {
  if (subject.kind !== 'Group' || !EVERYONE_GROUPS.has(subject.name)) return false;
  return binding !== undefined && isBootstrapPolicy(binding);
}

export const unusedTokenCheck: SetCheck = {
  id: 'cluster-service-account-token-unused',
  title: 'Pod mounts a ServiceAccount token that RBAC grants nothing',
  area: 'access',
  severity: 'low',
  frameworks: { cis: ['5.1.6'], nsa: ['Pod security: protecting Pod service account tokens'], mitre: ['T1528'] },
  description:
    'The pod carries an API token for a ServiceAccount that no RoleBinding or ClusterRoleBinding names (by name, or through `system:serviceaccounts` groups): the ' +
    'token does nothing for the workload but is there for whoever compromises it, and any binding added later arms it. The API server\'s own default bindings to ' +
    '`system:authenticated` or `system:serviceaccounts` (discovery, issuer discovery, labelled `kubernetes.io/bootstrapping: rbac-defaults`) do not count; bindings someone added to those groups do. Judged only when the ServiceAccount and some ClusterRoleBinding were read, so ' +
    'credentials that may not list RBAC objects produce no findings. Advisory.',
  remediation: 'Set `automountServiceAccountToken: false` on the pod template (or the ServiceAccount) when the workload does not call the Kubernetes API.',
  kinds: [...WORKLOAD_KINDS, 'ServiceAccount', ...RBAC_KINDS],
  *evaluateSet(set) {
    // Without bindings the RBAC objects were not read (every cluster has the bootstrap ones): no verdict.
    if (set.ofKind('ClusterRoleBinding').length === 0) return;
    const index = rbacContext(set).index;
    const bound = new Map<string, boolean>();
    for (const workload of workloadIndex(set).all) {
      const named = fieldOf(workload.spec, 'serviceAccountName') ?? fieldOf(workload.spec, 'serviceAccount');
      const name = typeof named === 'string' && named !== '' ? named : 'default';
      const account = set.find('ServiceAccount', workload.namespace, name);
      if (account === undefined || !mountsToken(workload.spec, account)) continue;
      const user = serviceAccountUser(workload.namespace, name);
      let has = bound.get(user.name);
      if (has === undefined) {
        has = index.grantsFor(user).some((g) => !isPlatformDefaultGrant(g.holder.subject, g.holder.binding.source));
        bound.set(user.name, has);
      }
      if (has) continue;
      yield {
        object: workload.object,
        path: [...workload.specPath, 'automountServiceAccountToken'],
        message: `pods mount a token for ServiceAccount ${workload.namespace ?? '(unset)'}/${name}, which no binding grants anything: the token has no use but to an attacker`,
      };
    }
  },
  fixtures: {
    fail: [
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: web}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: system:discovery\n  labels: {kubernetes.io/bootstrapping: rbac-defaults}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: Group, name: system:authenticated}]',
      ].join('\n---\n'),
    ],
    pass: [
      // Bound: the token is what the workload uses to call the API.
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: web}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: web, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: web}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: other}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: jane}]',
      ].join('\n---\n'),
      // No token mounted.
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: web}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: other}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: jane}]',
      ].join('\n---\n'),
      // No RBAC objects read at all: no verdict.
      [
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: web}]',
      ].join('\n---\n'),
    ],
  },
};

/** Why a pod is worth isolating: host access, privilege, or an identity RBAC makes powerful. Empty: an ordinary pod. */
function sensitivity(set: ObjectSet, pod: KubeObject): string[] {
  const view = set.pods(pod)[0];
  if (view === undefined) return [];
  const reasons: string[] = [];
  if (view.containers.some((c) => c.effective.privileged?.value === true)) reasons.push('privileged');
  for (const key of ['hostPID', 'hostIPC', 'hostNetwork']) if (view.spec[key] === true) reasons.push(key);
  if ((asList(view.spec['volumes']) ?? []).some((v) => asFields(fieldOf(asFields(v), 'hostPath')) !== undefined)) reasons.push('hostPath volume');
  const named = view.spec['serviceAccountName'] ?? view.spec['serviceAccount'];
  const account = typeof named === 'string' && named !== '' ? named : 'default';
  if (serviceAccountGrants(set, pod.namespace, account).length > 0 && mountsToken(view.spec, set.find('ServiceAccount', pod.namespace, account))) {
    reasons.push(`ServiceAccount ${account} with risky RBAC`);
  }
  return reasons;
}

function controllerOwner(set: ObjectSet, object: KubeObject): KubeObject | undefined {
  const owners = asList(fieldOf(asFields(object.raw['metadata']), 'ownerReferences')) ?? [];
  for (const owner of owners) {
    const ref = asFields(owner);
    if (fieldOf(ref, 'controller') !== true) continue;
    const kind = fieldOf(ref, 'kind');
    const name = fieldOf(ref, 'name');
    if (typeof kind === 'string' && typeof name === 'string') return set.find(kind, object.namespace, name);
  }
  return undefined;
}

/** Platform agents (kube-proxy, CNI, CSI node plugins) run on every node by design: not tenants. */
function isPlatformDaemon(pod: KubeObject): boolean {
  if (pod.namespace !== 'kube-system') return false;
  const owners = asList(fieldOf(asFields(pod.raw['metadata']), 'ownerReferences')) ?? [];
  return owners.some((o) => fieldOf(asFields(o), 'controller') === true && fieldOf(asFields(o), 'kind') === 'DaemonSet');
}

function nodeOf(pod: KubeObject): string | undefined {
  const phase = fieldOf(asFields(pod.raw['status']), 'phase');
  if (phase === 'Succeeded' || phase === 'Failed') return undefined; // finished: shares nothing any more
  const node = fieldOf(asFields(pod.raw['spec']), 'nodeName');
  return typeof node === 'string' && node !== '' ? node : undefined;
}

export const sensitiveWorkloadSharesNodeCheck: SetCheck = {
  id: 'cluster-sensitive-workload-shares-node',
  title: 'Sensitive workload shares a node with workloads of other namespaces',
  area: 'compute',
  severity: 'medium',
  frameworks: { nsa: ['Pod security: isolate sensitive workloads'], mitre: ['T1611'] },
  description:
    'A privileged pod, one with hostPID/hostIPC/hostNetwork or a hostPath volume, or one whose mounted ServiceAccount token RBAC makes powerful, is what an attacker ' +
    'who escapes an ordinary container on the same node reaches next: its host access, its token in the node\'s filesystem. Judged on live pods by `spec.nodeName`: ' +
    'reported when a non-sensitive pod of another namespace runs on the same node. Pods not yet scheduled and finished pods are not judged (where they may land ' +
    'depends on the scheduler, and judging taints and affinity offline reports nearly every cluster). DaemonSet pods of kube-system are not counted as other ' +
    'tenants: they run on every node by design. The finding is on the pod\'s controller when it was read.',
  remediation:
    'Give sensitive workloads their own nodes: taint them (`kubectl taint nodes N dedicated=infra:NoSchedule`), add the matching toleration and a required ' +
    'nodeAffinity (or nodeSelector) to the sensitive workloads only; or drop the privilege that makes them sensitive.',
  kinds: [...WORKLOAD_KINDS, ...IDENTITY_KINDS],
  *evaluateSet(set) {
    const byNode = new Map<string, { pod: KubeObject; reasons: string[] }[]>();
    for (const pod of set.ofKind('Pod')) {
      const node = nodeOf(pod);
      if (node === undefined) continue;
      let list = byNode.get(node);
      if (list === undefined) byNode.set(node, (list = []));
      list.push({ pod, reasons: sensitivity(set, pod) });
    }
    const reported = new Set<string>();
    for (const [node, pods] of byNode) {
      const tenants = pods.filter((p) => p.reasons.length === 0 && !isPlatformDaemon(p.pod));
      if (tenants.length === 0) continue;
      for (const { pod, reasons } of pods) {
        if (reasons.length === 0) continue;
        const others = [...new Set(tenants.filter((t) => t.pod.namespace !== pod.namespace).map((t) => t.pod.namespace ?? '(unset)'))].sort();
        if (others.length === 0) continue;
        // Report through the top controller read (Pod → ReplicaSet → Deployment), once per node.
        let target = pod;
        for (let depth = 0, owner = controllerOwner(set, pod); owner !== undefined && depth < 4; depth++, owner = controllerOwner(set, owner)) target = owner;
        const key = `${target.kind}\u0000${target.namespace}\u0000${target.name}\u0000${node}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const specPath = set.pods(target)[0]?.specPath ?? ['spec'];
        yield {
          object: target,
          path: target === pod ? ['spec', 'nodeName'] : [...specPath, 'affinity'],
          message:
            `${reasons.join(', ')} pod ${pod.namespace ?? '(unset)'}/${pod.name} runs on node ${node} together with pods of namespace${others.length === 1 ? '' : 's'} ` +
            `${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}: no taint or affinity keeps it apart`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: infra}\nspec:\n  nodeName: n1\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  nodeName: n1\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: logs, namespace: infra}\nspec:\n  nodeName: n1\n  hostPID: true\n  volumes: [{name: v, hostPath: {path: /var/log}}]\n  containers: [{name: a, image: a}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  nodeName: n1\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
      // A powerful identity: its token sits on the node.
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: deploy, namespace: ci}\nspec:\n  nodeName: n1\n  serviceAccountName: deployer\n  containers: [{name: a, image: a}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: deployer}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  nodeName: n1\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
    ],
    pass: [
      // Different nodes.
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: infra}\nspec:\n  nodeName: n1\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  nodeName: n2\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
      // Same namespace, kube-system DaemonSet pods, and a finished pod are not other tenants.
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: infra}\nspec:\n  nodeName: n1\n  hostNetwork: true\n  containers: [{name: a, image: a}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: helper, namespace: infra}\nspec:\n  nodeName: n1\n  containers: [{name: h, image: h}]',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-proxy-x\n  namespace: kube-system\n  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: kube-proxy, uid: "1", controller: true}]\nspec:\n  nodeName: n1\n  containers: [{name: p, image: p}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: job, namespace: shop}\nspec:\n  nodeName: n1\n  containers: [{name: j, image: j}]\nstatus: {phase: Succeeded}',
      ].join('\n---\n'),
      // Not scheduled yet: not judged offline.
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: infra}\nspec:\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
      // A ServiceAccount with risky RBAC whose token is not mounted is not sensitive.
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: deploy, namespace: ci}\nspec:\n  nodeName: n1\n  serviceAccountName: deployer\n  automountServiceAccountToken: false\n  containers: [{name: a, image: a}]',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: deployer}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  nodeName: n1\n  containers: [{name: w, image: w}]',
      ].join('\n---\n'),
    ],
  },
};

/** The cluster-only controls, run after the catalog's on every `cluster scan`. */
export const clusterChecks: readonly SetCheck[] = [namespacePodSecurityCheck, legacyTokenSecretCheck, privilegedCsrCheck, pendingCsrCheck, escalationPathCheck, unusedTokenCheck, sensitiveWorkloadSharesNodeCheck];

/** Ids configuration may name; `cluster-unencrypted-at-rest` runs only with --etcd-endpoint. */
export const clusterControlIds: ReadonlySet<string> = new Set([...clusterChecks.map((c) => c.id), 'cluster-unencrypted-at-rest']);

export type { ObjectSet };
