// ClusterRole aggregation, as the clusterrole-aggregation controller converges it: a ClusterRole with an
// aggregationRule gets the rules of every other ClusterRole its selectors match (by name order, per
// selector, without duplicates), replacing whatever rules it was written with. Sources may themselves
// be aggregated (view → edit → admin), so the result is the fixed point of that update.
import { selects } from '../labels/selector.ts';
import type { PolicyRule, Role } from './model.ts';
import { sameRule } from './rule-matches.ts';

/** A rule a role grants, with the role and index it was written at (its origin, for reporting). */
export interface ResolvedRule<S = unknown> {
  readonly rule: PolicyRule;
  readonly origin: Role<S>;
  readonly index: number;
}

/** The rules each ClusterRole grants once aggregation has settled, keyed by name. */
export function resolveClusterRoles<S>(clusterRoles: ReadonlyMap<string, Role<S>>): Map<string, readonly ResolvedRule<S>[]> {
  const resolved = new Map<string, readonly ResolvedRule<S>[]>();
  const aggregated: Role<S>[] = [];
  for (const role of clusterRoles.values()) {
    if (role.aggregation === undefined) resolved.set(role.name, ownRules(role));
    else {
      aggregated.push(role);
      resolved.set(role.name, []);
    }
  }
  if (aggregated.length === 0) return resolved;
  const byName = [...clusterRoles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Which roles each aggregated role draws from, in the controller's order; computed once.
  const sources = new Map<Role<S>, Role<S>[]>();
  for (const role of aggregated) {
    const list: Role<S>[] = [];
    for (const selector of role.aggregation!) {
      for (const candidate of byName) if (candidate !== role && selects(selector, candidate.labels)) list.push(candidate);
    }
    sources.set(role, list);
  }
  // Rules only ever grow from the empty start, and are bounded by the rules written anywhere, so this
  // settles; each round can only lengthen a chain of aggregation by one, hence the bound.
  for (let round = 0; round <= aggregated.length; round++) {
    let changed = false;
    for (const role of aggregated) {
      const next: ResolvedRule<S>[] = [];
      for (const source of sources.get(role)!) {
        for (const candidate of resolved.get(source.name) ?? []) {
          if (!next.some((existing) => sameRule(existing.rule, candidate.rule))) next.push(candidate);
        }
      }
      if (next.length !== resolved.get(role.name)!.length) changed = true;
      resolved.set(role.name, next);
    }
    if (!changed) break;
  }
  return resolved;
}

export function ownRules<S>(role: Role<S>): readonly ResolvedRule<S>[] {
  return role.rules.map((rule, index) => ({ rule, origin: role, index }));
}
