// Builders for the RBAC checks' fixtures: a role with the given rules, bound (or not) to a subject.

const API = 'rbac.authorization.k8s.io/v1';

/** A ClusterRole named `name` with `rules` (YAML list items, already indented by two spaces). */
export function clusterRole(name: string, rules: string, labels = ''): string {
  const meta = labels === '' ? `{name: ${name}}` : `\n  name: ${name}\n  labels: ${labels}`;
  return `apiVersion: ${API}\nkind: ClusterRole\nmetadata: ${meta}\nrules:\n${rules}\n`;
}

export function role(namespace: string, name: string, rules: string): string {
  return `apiVersion: ${API}\nkind: Role\nmetadata: {name: ${name}, namespace: ${namespace}}\nrules:\n${rules}\n`;
}

export function clusterRoleBinding(name: string, roleName: string, subjects: string): string {
  return `apiVersion: ${API}\nkind: ClusterRoleBinding\nmetadata: {name: ${name}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${roleName}"}\nsubjects:\n${subjects}\n`;
}

export function roleBinding(namespace: string, name: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: string): string {
  return `apiVersion: ${API}\nkind: RoleBinding\nmetadata: {name: ${name}, namespace: ${namespace}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: "${roleName}"}\nsubjects:\n${subjects}\n`;
}

export const SA_SUBJECT = '- {kind: ServiceAccount, name: app, namespace: shop}';
export const USER_SUBJECT = '- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}';

/** A ClusterRole with `rules`, bound cluster-wide to a ServiceAccount. */
export function boundClusterRole(rules: string, name = 'risky'): string {
  return `${clusterRole(name, rules)}---\n${clusterRoleBinding(name, name, SA_SUBJECT)}`;
}

/** A Role with `rules` in namespace shop, bound there to a user. */
export function boundRole(rules: string, name = 'risky'): string {
  return `${role('shop', name, rules)}---\n${roleBinding('shop', name, 'Role', name, USER_SUBJECT)}`;
}

/** A rule as a YAML list item. */
export function rule(apiGroups: string, resources: string, verbs: string, extra = ''): string {
  return `- apiGroups: ${apiGroups}\n  resources: ${resources}\n  verbs: ${verbs}${extra === '' ? '' : `\n  ${extra}`}`;
}
