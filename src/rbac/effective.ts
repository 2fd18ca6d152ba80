// The RBAC graph of a set of roles and bindings, indexed once: which rules each binding grants (after
// aggregation), who holds each written rule, what an identity may do (effective permissions), and who
// may make a given request (who-can). Pure and synchronous; the manifest scan and the live-cluster scan
// build it from their own objects.
import { BUILTIN_CLUSTER_ROLES } from './builtin.ts';
import { ownRules, resolveClusterRoles, type ResolvedRule } from './aggregate.ts';
import type { Binding, Namespace, Request, Role, Subject, UserInfo } from './model.ts';
import { isResourceRequest } from './model.ts';
import { ruleAllows } from './rule-matches.ts';
import { appliesToUser, SERVICE_ACCOUNT_PREFIX, UNSET_NAMESPACE } from './subjects.ts';

export type { ResolvedRule } from './aggregate.ts';

/** Where a binding's grant applies: everywhere (ClusterRoleBinding) or in one namespace. */
export type Scope = { readonly kind: 'cluster' } | { readonly kind: 'namespace'; readonly namespace: Namespace };

/** One subject of one binding: someone who holds whatever the bound role grants, in its scope. */
export interface Holder<S = unknown> {
  readonly binding: Binding<S>;
  readonly subject: Subject;
  /** Index in the binding's `subjects`, for pointing at it. */
  readonly subjectIndex: number;
  readonly scope: Scope;
  /** The role the binding references (for an aggregated rule, not the role it was written in). */
  readonly via: Role<S>;
}

/** How a binding's roleRef resolves. */
export type RoleResolution<S> =
  | { readonly status: 'found'; readonly role: Role<S>; readonly rules: readonly ResolvedRule<S>[] }
  /** A ClusterRole every cluster has (`system:…`) whose rules are not modelled. */
  | { readonly status: 'builtin-unmodelled' }
  /** Not in the input (nor a default); the binding grants nothing until such a role is created. */
  | { readonly status: 'missing' }
  /** A roleRef the API server refuses (unknown kind, a Role from a ClusterRoleBinding, no name). */
  | { readonly status: 'invalid'; readonly reason: string };

/** A rule an identity holds, and the binding that gives it. */
export interface GrantedRule<S = unknown> extends ResolvedRule<S> {
  readonly holder: Holder<S>;
}

export interface Decision<S = unknown> {
  readonly allowed: boolean;
  /** Every grant that allows the request, in binding order (the authorizer stops at the first). */
  readonly grants: readonly GrantedRule<S>[];
}

export interface RbacIndexOptions {
  /**
   * Add the default ClusterRoles (cluster-admin, admin, edit, view and their aggregation sources) where
   * the input does not define them. On for manifests; a live cluster's own roles make it unnecessary.
   */
  builtins?: boolean;
}

export interface RbacIndex<S = unknown> {
  readonly roles: readonly Role<S>[];
  readonly bindings: readonly Binding<S>[];
  resolve(binding: Binding<S>): RoleResolution<S>;
  /** The rules a role grants: its own, or for an aggregated ClusterRole the aggregated ones. */
  rulesOf(role: Role<S>): readonly ResolvedRule<S>[];
  /** Everyone holding the rule written at `role.rules[index]`, directly or through aggregation. */
  holdersOfRule(role: Role<S>, index: number): readonly Holder<S>[];
  /** Everyone holding any rule of the role (directly bound, or bound to a role aggregating it). */
  holdersOfRole(role: Role<S>): readonly Holder<S>[];
  /** Aggregated ClusterRoles that pick up this role's rules. */
  aggregatedInto(role: Role<S>): readonly Role<S>[];
  /** Effective permissions: every rule the identity holds in a namespace ('' = cluster-scoped requests). */
  rulesFor(user: UserInfo, namespace: Namespace): readonly GrantedRule<S>[];
  /** Every rule the identity holds anywhere: ClusterRoleBindings and the RoleBindings of every namespace. */
  grantsFor(user: UserInfo): readonly GrantedRule<S>[];
  /** The authorizer's decision for one request, with every grant that allows it. */
  authorize(user: UserInfo, request: Request): Decision<S>;
  /** Who may make the request: every binding subject holding a rule that allows it. */
  whoCan(request: Request): readonly GrantedRule<S>[];
}

const NO_HOLDERS: readonly Holder<never>[] = Object.freeze([]);
/** Marks "every binding, whatever its namespace" for grantsTo. */
const EVERYWHERE = Symbol('everywhere');
const NO_RULES: readonly ResolvedRule<never>[] = Object.freeze([]);

function roleKey(namespace: Namespace, name: string): string {
  return `${namespace ?? '\u0001'}\u0000${name}`;
}

export function createRbacIndex<S>(roles: readonly Role<S>[], bindings: readonly Binding<S>[], options: RbacIndexOptions = {}): RbacIndex<S> {
  const clusterRoles = new Map<string, Role<S>>();
  if (options.builtins ?? true) for (const role of BUILTIN_CLUSTER_ROLES as readonly Role<S>[]) clusterRoles.set(role.name, role);
  const namespaced = new Map<string, Role<S>>();
  // Later definitions win, as applying the stream in order would leave them.
  for (const role of roles) {
    if (role.kind === 'ClusterRole') clusterRoles.set(role.name, role);
    else namespaced.set(roleKey(role.namespace, role.name), role);
  }
  const clusterRules = resolveClusterRoles(clusterRoles);

  const rulesOf = (role: Role<S>): readonly ResolvedRule<S>[] => {
    if (role.kind === 'ClusterRole') {
      // A ClusterRole shadowed by a later definition of the same name grants what that one grants.
      const current = clusterRoles.get(role.name);
      return current === role ? (clusterRules.get(role.name) ?? NO_RULES) : role.aggregation === undefined ? ownRules(role) : NO_RULES;
    }
    return ownRules(role);
  };

  const resolutions = new Map<Binding<S>, RoleResolution<S>>();
  const resolve = (binding: Binding<S>): RoleResolution<S> => {
    let found = resolutions.get(binding);
    if (found !== undefined) return found;
    const { kind, name } = binding.roleRef;
    if (name.length === 0) found = { status: 'invalid', reason: 'roleRef has no name' };
    else if (kind === 'ClusterRole') {
      const role = clusterRoles.get(name);
      if (role !== undefined) found = { status: 'found', role, rules: clusterRules.get(name) ?? NO_RULES };
      else found = name.startsWith('system:') ? { status: 'builtin-unmodelled' } : { status: 'missing' };
    } else if (kind === 'Role') {
      if (binding.kind === 'ClusterRoleBinding') found = { status: 'invalid', reason: 'a ClusterRoleBinding can only reference a ClusterRole' };
      else {
        const role = namespaced.get(roleKey(binding.namespace, name));
        found = role === undefined ? { status: 'missing' } : { status: 'found', role, rules: ownRules(role) };
      }
    } else found = { status: 'invalid', reason: `roleRef.kind ${JSON.stringify(kind)} is neither Role nor ClusterRole` };
    resolutions.set(binding, found);
    return found;
  };

  const scopeOf = (binding: Binding<S>): Scope =>
    binding.kind === 'ClusterRoleBinding' ? CLUSTER : { kind: 'namespace', namespace: binding.namespace };

  // Holders of every written rule, built once: binding → resolved rules → origin role and index.
  let ruleHolders: Map<Role<S>, Holder<S>[][]> | undefined;
  let roleHolders: Map<Role<S>, Holder<S>[]> | undefined;
  const buildHolders = () => {
    ruleHolders = new Map();
    roleHolders = new Map();
    for (const binding of bindings) {
      const resolution = resolve(binding);
      if (resolution.status !== 'found') continue;
      const scope = scopeOf(binding);
      const clusterScoped = binding.kind === 'ClusterRoleBinding';
      const holders: Holder<S>[] = [];
      binding.subjects.forEach((subject, subjectIndex) => {
        if (canMatch(subject, clusterScoped)) holders.push({ binding, subject, subjectIndex, scope, via: resolution.role });
      });
      if (holders.length === 0) continue;
      const seenOrigins = new Set<Role<S>>();
      for (const resolved of resolution.rules) {
        let perRule = ruleHolders.get(resolved.origin);
        if (perRule === undefined) ruleHolders.set(resolved.origin, (perRule = []));
        (perRule[resolved.index] ??= []).push(...holders);
        seenOrigins.add(resolved.origin);
      }
      seenOrigins.add(resolution.role);
      for (const origin of seenOrigins) {
        let list = roleHolders.get(origin);
        if (list === undefined) roleHolders.set(origin, (list = []));
        list.push(...holders);
      }
    }
  };

  let aggregators: Map<Role<S>, Role<S>[]> | undefined;

  // Bindings that can apply in a namespace: every ClusterRoleBinding, and the RoleBindings of it.
  const clusterBindings = bindings.filter((binding) => binding.kind === 'ClusterRoleBinding');
  const bindingsByNamespace = new Map<Namespace, Binding<S>[]>();
  for (const binding of bindings) {
    if (binding.kind !== 'RoleBinding') continue;
    let list = bindingsByNamespace.get(binding.namespace);
    if (list === undefined) bindingsByNamespace.set(binding.namespace, (list = []));
    list.push(binding);
  }
  const applicable = (namespace: Namespace): Binding<S>[] =>
    namespace === '' ? clusterBindings : [...clusterBindings, ...(bindingsByNamespace.get(namespace) ?? [])];

  // Bindings by the identities their subjects stand for, so one identity's grants are found without
  // walking every binding: `u` + username (Users, and ServiceAccounts by their username), `g` + group.
  let bySubject: Map<string, Binding<S>[]> | undefined;
  const order = new Map<Binding<S>, number>();
  const subjectKey = (subject: Subject, binding: Binding<S>): string | undefined => {
    const clusterScoped = binding.kind === 'ClusterRoleBinding';
    if (!canMatch(subject, clusterScoped)) return undefined;
    if (subject.kind === 'User') return `u\u0000${subject.name}`;
    if (subject.kind === 'Group') return `g\u0000${subject.name}`;
    const namespace = subject.namespace.length > 0 ? subject.namespace : binding.namespace;
    return `u\u0000${SERVICE_ACCOUNT_PREFIX}${namespace ?? UNSET_NAMESPACE}:${subject.name}`;
  };
  const candidates = (user: UserInfo): Binding<S>[] => {
    if (bySubject === undefined) {
      bySubject = new Map();
      bindings.forEach((binding, index) => {
        order.set(binding, index);
        for (const subject of binding.subjects) {
          const key = subjectKey(subject, binding);
          if (key === undefined) continue;
          let list = bySubject!.get(key);
          if (list === undefined) bySubject!.set(key, (list = []));
          if (list[list.length - 1] !== binding) list.push(binding);
        }
      });
    }
    const found = new Set<Binding<S>>(bySubject.get(`u\u0000${user.name}`));
    for (const group of user.groups) for (const binding of bySubject.get(`g\u0000${group}`) ?? []) found.add(binding);
    return [...found].sort((a, b) => order.get(a)! - order.get(b)!);
  };
  const appliesIn = (binding: Binding<S>, namespace: Namespace): boolean =>
    binding.kind === 'ClusterRoleBinding' || (namespace !== '' && binding.namespace === namespace);

  const grantsTo = (user: UserInfo | undefined, namespace: Namespace | typeof EVERYWHERE, request: Request | undefined): GrantedRule<S>[] => {
    const out: GrantedRule<S>[] = [];
    const considered =
      user === undefined
        ? namespace === EVERYWHERE
          ? bindings
          : applicable(namespace)
        : candidates(user).filter((binding) => namespace === EVERYWHERE || appliesIn(binding, namespace));
    for (const binding of considered) {
      const resolution = resolve(binding);
      if (resolution.status !== 'found') continue;
      const clusterScoped = binding.kind === 'ClusterRoleBinding';
      const scope = scopeOf(binding);
      binding.subjects.forEach((subject, subjectIndex) => {
        if (user === undefined ? !canMatch(subject, clusterScoped) : !appliesToUser(user, subject, binding.namespace, clusterScoped)) return;
        const holder: Holder<S> = { binding, subject, subjectIndex, scope, via: resolution.role };
        for (const resolved of resolution.rules) {
          if (request === undefined || ruleAllows(resolved.rule, request)) out.push({ ...resolved, holder });
        }
      });
    }
    return out;
  };

  return {
    roles,
    bindings,
    resolve,
    rulesOf,
    holdersOfRule(role, index) {
      if (ruleHolders === undefined) buildHolders();
      return ruleHolders!.get(role)?.[index] ?? NO_HOLDERS;
    },
    holdersOfRole(role) {
      if (roleHolders === undefined) buildHolders();
      return roleHolders!.get(role) ?? NO_HOLDERS;
    },
    aggregatedInto(role) {
      if (aggregators === undefined) {
        aggregators = new Map();
        for (const aggregator of clusterRoles.values()) {
          for (const resolved of clusterRules.get(aggregator.name) ?? []) {
            if (resolved.origin === aggregator) continue;
            let list = aggregators.get(resolved.origin);
            if (list === undefined) aggregators.set(resolved.origin, (list = []));
            if (!list.includes(aggregator)) list.push(aggregator);
          }
        }
      }
      return aggregators.get(role) ?? [];
    },
    rulesFor: (user, namespace) => grantsTo(user, namespace, undefined),
    grantsFor: (user) => grantsTo(user, EVERYWHERE, undefined),
    authorize(user, request) {
      const namespace = isResourceRequest(request) ? request.namespace : '';
      const grants = grantsTo(user, namespace, request);
      return { allowed: grants.length > 0, grants };
    },
    whoCan(request) {
      const namespace = isResourceRequest(request) ? request.namespace : '';
      return grantsTo(undefined, namespace, request);
    },
  };
}

const CLUSTER: Scope = Object.freeze({ kind: 'cluster' });

/** Whether some identity could match the subject (an unknown kind, or a namespaceless ServiceAccount of a ClusterRoleBinding, matches nobody). */
export function canMatch(subject: Subject, clusterScoped: boolean): boolean {
  switch (subject.kind) {
    case 'User':
    case 'Group':
      return subject.name.length > 0;
    case 'ServiceAccount':
      return subject.name.length > 0 && (subject.namespace.length > 0 || !clusterScoped);
    default:
      return false;
  }
}

/** `cluster-wide`, `in namespace shop`, `in the namespace it is applied to`. */
export function describeScope(scope: Scope): string {
  if (scope.kind === 'cluster') return 'cluster-wide';
  return scope.namespace === null ? 'in the namespace it is applied to' : `in namespace ${scope.namespace}`;
}
