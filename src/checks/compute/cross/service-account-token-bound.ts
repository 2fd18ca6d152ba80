// A mounted token is only worth stealing when its ServiceAccount may do something: this check
// relates the pod, its ServiceAccount and the bindings that name it. Bindings to everyone
// (system:authenticated) are the RBAC checks' to report; here only bindings that name the account
// itself or its ServiceAccount groups count, as those exist because someone meant this identity to act.
import type { KubeObject } from '../../../core/index.ts';
import { fieldOf } from '../../../podspec/index.ts';
import type { Binding } from '../../../rbac/model.ts';
import { isBootstrapPolicy } from '../../../rbac/builtin.ts';
import { ALL_SERVICE_ACCOUNTS, serviceAccountNamespace, serviceAccountUser } from '../../../rbac/subjects.ts';
import type { SetCheck } from '../../check.ts';
import { RBAC_KINDS, rbacContext } from '../../access/rbac/context.ts';
import { workloadIndex, WORKLOAD_KINDS, type Workload } from '../../network/workloads.ts';

const MAX_BINDINGS_NAMED = 3;

function accountName(workload: Workload): string {
  const name = fieldOf(workload.spec, 'serviceAccountName') ?? fieldOf(workload.spec, 'serviceAccount');
  return typeof name === 'string' && name !== '' ? name : 'default';
}

/**
 * Whether the pods get the token: the pod's own setting first, then the ServiceAccount's when the set
 * holds it; an account the set does not hold is created by the API server without the field, which mounts.
 */
function tokenMounted(workload: Workload, account: KubeObject | undefined): boolean {
  const own = fieldOf(workload.spec, 'automountServiceAccountToken');
  if (typeof own === 'boolean') return own;
  return account?.raw['automountServiceAccountToken'] !== false;
}

/**
 * Bindings by the identity a subject of theirs names (`u:` a username, `g:` a ServiceAccount group),
 * each in scan order: a workload's bindings are then a few lookups, not a pass over every binding.
 * The keys follow appliesToUser: a ServiceAccount subject stands for its username.
 */
function bindingsByIdentity(bindings: readonly Binding<KubeObject>[]): Map<string, Binding<KubeObject>[]> {
  const byIdentity = new Map<string, Binding<KubeObject>[]>();
  const add = (key: string, binding: Binding<KubeObject>): void => {
    let list = byIdentity.get(key);
    if (list === undefined) byIdentity.set(key, (list = []));
    if (list.at(-1) !== binding) list.push(binding);
  };
  for (const binding of bindings) {
    for (const subject of binding.subjects) {
      if (subject.kind === 'User') add(`u:${subject.name}`, binding);
      // The bootstrap policy's grants to every ServiceAccount (issuer discovery) exist in every cluster:
      // they would make every mounted token "bound" on a live scan.
      else if (subject.kind === 'Group' && subject.name.startsWith(ALL_SERVICE_ACCOUNTS)) {
        if (binding.source === undefined || !isBootstrapPolicy(binding.source)) add(`g:${subject.name}`, binding);
      }
      else if (subject.kind === 'ServiceAccount') {
        const namespace = serviceAccountNamespace(subject, binding.namespace, binding.kind === 'ClusterRoleBinding');
        if (namespace !== undefined && namespace !== '') add(`u:${serviceAccountUser(namespace, subject.name).name}`, binding);
      }
    }
  }
  return byIdentity;
}

const NO_BINDINGS: readonly Binding<KubeObject>[] = Object.freeze([]);

/**
 * The bindings naming the ServiceAccount itself or one of its ServiceAccount groups, in scan order.
 * Most accounts have none: that answer allocates nothing.
 */
function bindingsNaming(
  byIdentity: ReadonlyMap<string, readonly Binding<KubeObject>[]>,
  order: ReadonlyMap<Binding<KubeObject>, number>,
  namespace: string | null,
  name: string,
): readonly Binding<KubeObject>[] {
  const user = serviceAccountUser(namespace, name);
  let found = byIdentity.get(`u:${user.name}`);
  let merged = false;
  for (const group of user.groups) {
    const more = byIdentity.get(`g:${group}`);
    if (more === undefined) continue;
    if (found === undefined) {
      found = more;
      continue;
    }
    const union = merged ? (found as Binding<KubeObject>[]) : [...found];
    for (const binding of more) if (!union.includes(binding)) union.push(binding);
    found = union;
    merged = true;
  }
  if (found === undefined) return NO_BINDINGS;
  return merged ? (found as Binding<KubeObject>[]).sort((a, b) => order.get(a)! - order.get(b)!) : found;
}

function describeBindings(bindings: readonly Binding<KubeObject>[]): string {
  const names = bindings.map((binding) => `${binding.kind} ${binding.kind === 'RoleBinding' ? `${binding.namespace ?? '(unset)'}/` : ''}${binding.name} → ${binding.roleRef.kind} ${binding.roleRef.name}`);
  const shown = names.slice(0, MAX_BINDINGS_NAMED).join(', ');
  return names.length > MAX_BINDINGS_NAMED ? `${shown} and ${names.length - MAX_BINDINGS_NAMED} more` : shown;
}

const bound = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: web}]
`;
const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n${spec}  containers:\n  - {name: web, image: web}\n`;
const account = (extra = '') => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n${extra}`;

export const serviceAccountTokenBoundCheck: SetCheck = {
  id: 'service-account-token-bound',
  title: 'Pod mounts the token of a ServiceAccount that RBAC grants permissions',
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.1.6'],
    nsa: ['Pod security: protecting Pod service account tokens'],
    mitre: ['T1528'],
    kubescape: ['C-0261'],
  },
  description:
    'The pod gets an API token (it sets `automountServiceAccountToken: true`, or leaves it unset and its ServiceAccount does not opt out) and bindings in the scanned set ' +
    'grant that ServiceAccount permissions, directly or through its `system:serviceaccounts` groups: whoever runs code in the pod acts with them. ' +
    'Bindings to `system:authenticated` are left to the RBAC checks, which report them for every identity. Low: workloads that call the API need this; ' +
    'the finding names the bindings so the permissions can be checked against what the workload does (`rbac-workload-identity` reports the risky ones).',
  remediation:
    'Set `automountServiceAccountToken: false` on pods that do not call the API; for those that do, keep the bindings to the verbs and resources the workload uses, or mount a short-lived projected token with an audience instead.',
  kinds: [...WORKLOAD_KINDS, 'ServiceAccount', ...RBAC_KINDS],
  *evaluateSet(set) {
    const { bindings } = rbacContext(set);
    if (bindings.length === 0) return;
    const byIdentity = bindingsByIdentity(bindings);
    const order = new Map(bindings.map((binding, index) => [binding, index]));
    // Workloads share accounts (`default` above all): each account is looked up once.
    const accounts = new Map<string, { account: KubeObject | undefined; naming: readonly Binding<KubeObject>[] }>();
    for (const workload of workloadIndex(set).all) {
      const name = accountName(workload);
      const key = `${workload.namespace ?? ''}\u0000${name}`;
      let known = accounts.get(key);
      if (known === undefined) {
        known = { account: set.find('ServiceAccount', workload.namespace, name), naming: bindingsNaming(byIdentity, order, workload.namespace, name) };
        accounts.set(key, known);
      }
      const { naming } = known;
      if (naming.length === 0 || !tokenMounted(workload, known.account)) continue;
      const explicit = typeof fieldOf(workload.spec, 'automountServiceAccountToken') === 'boolean';
      yield {
        object: workload.object,
        path: explicit ? [...workload.specPath, 'automountServiceAccountToken'] : [...workload.specPath, 'serviceAccountName'],
        message: `pods of ${workload.object.kind} ${workload.object.name} mount the token of ServiceAccount ${name}, which ${describeBindings(naming)} grant${naming.length === 1 ? 's' : ''} permissions`,
      };
    }
  },
  fixtures: {
    fail: [
      `${pod('')}${account()}${bound}`,
      // A grant to every ServiceAccount made by hand (no bootstrap label) is someone's decision and counts.
      `${pod('')}${account()}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-accounts-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:serviceaccounts"}]
`, `${pod('  automountServiceAccountToken: true\n')}${account('automountServiceAccountToken: false\n')}${bound}`, `${pod('')}${bound}`],
    pass: [
      `${pod('')}${account()}`,
      `${pod('  automountServiceAccountToken: false\n')}${account()}${bound}`,
      `${pod('')}${account('automountServiceAccountToken: false\n')}${bound}`,
      // Another account's binding, and a binding to every authenticated user.
      `${pod('')}${account()}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: discovery}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:authenticated"}, {kind: ServiceAccount, name: web, namespace: other}]
`,
      // The bootstrap policy's issuer-discovery grant to every ServiceAccount, present in every live cluster.
      `${pod('')}${account()}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:service-account-issuer-discovery", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:service-account-issuer-discovery"}
subjects: [{kind: Group, name: "system:serviceaccounts"}]
`,
    ],

  },
};
