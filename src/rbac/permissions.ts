// Effective permissions of one identity: every rule any binding grants it, aggregated ClusterRoles
// resolved, grouped by where the rule applies (cluster-wide through ClusterRoleBindings, or in one
// namespace through its RoleBindings), as `kubectl auth can-i --list` would show them for each scope.
import type { GrantedRule, RbacIndex } from './effective.ts';
import type { Namespace, UserInfo } from './model.ts';

export interface EffectivePermissions<S = unknown> {
  /** Rules granted through ClusterRoleBindings: they apply in every namespace and to cluster-scoped resources. */
  readonly clusterWide: readonly GrantedRule<S>[];
  /** Rules granted through RoleBindings, per namespace (in name order; null is a manifest's unset namespace, last). */
  readonly namespaces: readonly { readonly namespace: Namespace; readonly rules: readonly GrantedRule<S>[] }[];
}

export function effectivePermissions<S>(index: RbacIndex<S>, user: UserInfo): EffectivePermissions<S> {
  const clusterWide: GrantedRule<S>[] = [];
  const byNamespace = new Map<Namespace, GrantedRule<S>[]>();
  for (const granted of index.grantsFor(user)) {
    const { scope } = granted.holder;
    if (scope.kind === 'cluster') {
      clusterWide.push(granted);
      continue;
    }
    let list = byNamespace.get(scope.namespace);
    if (list === undefined) byNamespace.set(scope.namespace, (list = []));
    list.push(granted);
  }
  const namespaces = [...byNamespace]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([namespace, rules]) => ({ namespace, rules }));
  return { clusterWide, namespaces };
}
