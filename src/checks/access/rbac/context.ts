// The RBAC view of one scanned set, built once and shared by every RBAC check of the run: roles and
// bindings parsed from the manifests, the index (aggregation, holders), and each rule's risky grants.
import type { KubeObject } from '../../../core/index.ts';
import { createRbacIndex, describeScope, type Holder, type RbacIndex } from '../../../rbac/effective.ts';
import type { Binding, Role } from '../../../rbac/model.ts';
import { parseBinding, parseRole } from '../../../rbac/parse.ts';
import { riskyGrants, type RiskGrant, type RiskyPermission } from '../../../rbac/risks.ts';
import { isFullAccessRule } from '../../../rbac/rule-matches.ts';
import { ALL_SERVICE_ACCOUNTS, AUTHENTICATED, describeSubject, serviceAccountUser, UNSET_NAMESPACE } from '../../../rbac/subjects.ts';
import type { ObjectSet } from '../../check.ts';

export const RBAC_KINDS: readonly string[] = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];

export interface RbacContext {
  readonly index: RbacIndex<KubeObject>;
  /** Roles written in the scanned set, in scan order. */
  readonly roles: readonly Role<KubeObject>[];
  readonly bindings: readonly Binding<KubeObject>[];
  /** The risky permissions each rule of a role grants, computed once. */
  grantsOf(role: Role<KubeObject>, index: number): readonly RiskGrant[];
  /**
   * Whether any binding names this ServiceAccount or a group it belongs to: a cheap test before
   * asking the index for its grants, as most workloads' ServiceAccounts are bound to nothing.
   */
  mayHold(namespace: string | null, name: string): boolean;
  /** What hands out a risky permission; found for every permission in one pass, on first use. */
  riskSources(risk: RiskyPermission): RiskSources;
}

/**
 * Where a risky permission comes from in a scanned set. Rules granting everything are left out:
 * rbac-cluster-admin-binding and rbac-wildcard report those.
 */
export interface RiskSources {
  /** Rules of the roles written in the set that grant it, in scan and rule order. */
  readonly rules: readonly { readonly role: Role<KubeObject>; readonly index: number; readonly grant: RiskGrant }[];
  /**
   * Bindings (with subjects) of a default role that manifests bind without defining (edit, admin),
   * with what its rules grant of it, in binding order.
   */
  readonly defaultRoleBindings: readonly { readonly binding: Binding<KubeObject>; readonly role: Role<KubeObject>; readonly grants: readonly RiskGrant[] }[];
}

const NO_RISK_SOURCES: RiskSources = Object.freeze({ rules: Object.freeze([]), defaultRoleBindings: Object.freeze([]) });

const cache = new WeakMap<ObjectSet, RbacContext>();

export function rbacContext(set: ObjectSet): RbacContext {
  let context = cache.get(set);
  if (context !== undefined) return context;
  const roles: Role<KubeObject>[] = [];
  const bindings: Binding<KubeObject>[] = [];
  for (const kind of ['Role', 'ClusterRole'] as const) {
    for (const object of set.ofKind(kind)) {
      const role = parseRole(object.raw, object);
      if (role !== undefined) roles.push(role);
    }
  }
  for (const kind of ['RoleBinding', 'ClusterRoleBinding'] as const) {
    for (const object of set.ofKind(kind)) {
      const binding = parseBinding(object.raw, object);
      if (binding !== undefined) bindings.push(binding);
    }
  }
  const index = createRbacIndex(roles, bindings);
  // Who bindings name: ServiceAccounts by namespace/name, and every group (a ServiceAccount is in
  // system:serviceaccounts, system:serviceaccounts:<namespace> and system:authenticated).
  const accounts = new Set<string>();
  const groups = new Set<string>();
  const users = new Set<string>();
  for (const binding of bindings) {
    for (const subject of binding.subjects) {
      if (subject.kind === 'Group') groups.add(subject.name);
      else if (subject.kind === 'User') users.add(subject.name);
      else if (subject.kind === 'ServiceAccount') accounts.add(`${subject.namespace.length > 0 ? subject.namespace : (binding.namespace ?? '\u0001')}\u0000${subject.name}`);
    }
  }
  const grants = new Map<Role<KubeObject>, (readonly RiskGrant[])[]>();
  const grantsOf = (role: Role<KubeObject>, ruleIndex: number): readonly RiskGrant[] => {
    let perRule = grants.get(role);
    if (perRule === undefined) grants.set(role, (perRule = []));
    return (perRule[ruleIndex] ??= riskyGrants(role.rules[ruleIndex]!));
  };
  let sources: Map<RiskyPermission, { rules: RiskSources['rules'][number][]; defaultRoleBindings: RiskSources['defaultRoleBindings'][number][] }> | undefined;
  // One pass over every role and binding serves all the risky-permission checks, which then each
  // read only the few rules and bindings that grant their permission.
  const findRiskSources = (): NonNullable<typeof sources> => {
    const found: NonNullable<typeof sources> = new Map();
    const of = (risk: RiskyPermission) => {
      let entry = found.get(risk);
      if (entry === undefined) found.set(risk, (entry = { rules: [], defaultRoleBindings: [] }));
      return entry;
    };
    for (const role of roles) {
      for (let ruleIndex = 0; ruleIndex < role.rules.length; ruleIndex++) {
        if (isFullAccessRule(role.rules[ruleIndex]!)) continue;
        for (const grant of grantsOf(role, ruleIndex)) of(grant.risk).rules.push({ role, index: ruleIndex, grant });
      }
    }
    for (const binding of bindings) {
      const resolution = index.resolve(binding);
      if (resolution.status !== 'found' || binding.subjects.length === 0) continue;
      const byRisk = new Map<RiskyPermission, RiskGrant[]>();
      for (const resolved of resolution.rules) {
        if (!resolved.origin.builtin || isFullAccessRule(resolved.rule)) continue;
        for (const grant of grantsOf(resolved.origin, resolved.index)) {
          let list = byRisk.get(grant.risk);
          if (list === undefined) byRisk.set(grant.risk, (list = []));
          list.push(grant);
        }
      }
      for (const [risk, riskGrants] of byRisk) of(risk).defaultRoleBindings.push({ binding, role: resolution.role, grants: riskGrants });
    }
    return found;
  };
  context = {
    index,
    roles,
    bindings,
    mayHold(namespace, name) {
      if (accounts.has(`${namespace ?? '\u0001'}\u0000${name}`)) return true;
      if (groups.has(ALL_SERVICE_ACCOUNTS) || groups.has(AUTHENTICATED) || groups.has(`${ALL_SERVICE_ACCOUNTS}:${namespace ?? UNSET_NAMESPACE}`)) return true;
      // A User subject may name a ServiceAccount by its username.
      return users.size > 0 && users.has(serviceAccountUser(namespace, name).name);
    },
    grantsOf,
    riskSources(risk) {
      return (sources ??= findRiskSources()).get(risk) ?? NO_RISK_SOURCES;
    },
  };
  cache.set(set, context);
  return context;
}

const MAX_HOLDERS_NAMED = 5;

/** `User jane (RoleBinding shop/read, in namespace shop)`, with `via ClusterRole admin` when aggregated. */
export function describeHolder(holder: Holder<KubeObject>, origin?: Role<KubeObject>): string {
  const { binding } = holder;
  const subject = describeSubject(holder.subject, binding.namespace, binding.kind === 'ClusterRoleBinding');
  const where = binding.kind === 'ClusterRoleBinding' ? binding.name : `${binding.namespace ?? '(unset)'}/${binding.name}`;
  const via = origin !== undefined && holder.via !== origin ? `, via ${holder.via.kind} ${holder.via.name}` : '';
  return `${subject} (${binding.kind} ${where}, ${describeScope(holder.scope)}${via})`;
}

/** Holders, named up to a few, in a stable order; the rest counted. */
export function describeHolders(holders: readonly Holder<KubeObject>[], origin?: Role<KubeObject>): string {
  const names = [...new Set(holders.map((holder) => describeHolder(holder, origin)))];
  const shown = names.slice(0, MAX_HOLDERS_NAMED).join(', ');
  return names.length > MAX_HOLDERS_NAMED ? `${shown} and ${names.length - MAX_HOLDERS_NAMED} more` : shown;
}

/** `Role shop/deployer` or `ClusterRole ops`. */
export function describeRole(role: Role<KubeObject>): string {
  return role.kind === 'Role' ? `Role ${role.namespace ?? '(unset)'}/${role.name}` : `ClusterRole ${role.name}`;
}
