// Whether a policy (or binding) applies to an object, as the API server's admission matcher decides
// it: namespace and object selectors, resource rules and their exclusions, matchPolicy. Offline the
// request is always a CREATE of the object's main resource (no subresource).
import { EQUIVALENT_GROUPS, type ResourceInfo } from './resources.ts';
import { matchesLabels } from './selector.ts';
import type { MatchResources, ResourceRule } from './model.ts';

/** What matching needs to know about one object, computed once per object. */
export interface MatchTarget {
  info: ResourceInfo;
  name: string;
  operation: string;
  labels: Readonly<Record<string, string>>;
  /**
   * Labels the namespaceSelector is matched against: the namespace's (for a namespaced object), the
   * object's own (for a Namespace), or null for other cluster-scoped objects, which every
   * namespaceSelector lets through.
   */
  namespaceLabels: Readonly<Record<string, string>> | null;
}

export function matchesResources(m: MatchResources, target: MatchTarget): boolean {
  // Most objects are of kinds a policy does not name at all: decide those with one set lookup.
  const keys = prefilterOf(m);
  if (keys !== null && !keys.has(`${target.info.group}/${target.info.resource}`)) return false;
  if (target.namespaceLabels !== null && !matchesLabels(m.namespaceSelector, target.namespaceLabels)) return false;
  if (!matchesLabels(m.objectSelector, target.labels)) return false;
  if (m.resourceRules.length > 0 && !m.resourceRules.some((rule) => ruleMatches(rule, target, m.matchPolicy))) return false;
  return !m.excludeResourceRules.some((rule) => ruleMatches(rule, target, m.matchPolicy));
}

export function ruleMatches(rule: ResourceRule, target: MatchTarget, policy: 'Exact' | 'Equivalent'): boolean {
  const { info } = target;
  if (!includes(rule.operations, target.operation)) return false;
  if (rule.scope === 'Cluster' && info.namespaced) return false;
  if (rule.scope === 'Namespaced' && !info.namespaced) return false;
  if (rule.resourceNames.length > 0 && !rule.resourceNames.includes(target.name)) return false;
  if (!rule.resources.some((r) => resourceMatches(r, info.resource))) return false;
  if (includes(rule.apiGroups, info.group) && includes(rule.apiVersions, info.version)) return true;
  if (policy === 'Exact') return false;
  // Equivalent: the same resource under another version of its group, or under a group it moved
  // between, converts to the object's version; the request matches as the API server would.
  const groups = [info.group, ...(EQUIVALENT_GROUPS[`${info.group}/${info.resource}`] ?? [])];
  return groups.some((group) => includes(rule.apiGroups, group)) && rule.apiVersions.length > 0;
}

const prefilters = new WeakMap<MatchResources, Set<string> | null>();

/** The `group/resource` pairs the rules can match, or null when a wildcard makes that open-ended. */
function prefilterOf(m: MatchResources): Set<string> | null {
  let keys = prefilters.get(m);
  if (keys !== undefined) return keys;
  keys = new Set<string>();
  for (const rule of m.resourceRules) {
    if (rule.apiGroups.includes('*') || rule.resources.some((r) => r === '*' || r === '*/*')) {
      keys = null;
      break;
    }
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        keys.add(`${group}/${resource}`);
        if (m.matchPolicy === 'Equivalent') {
          for (const [key, groups] of Object.entries(EQUIVALENT_GROUPS)) {
            if (groups.includes(group) && key.endsWith(`/${resource}`)) keys.add(key);
          }
        }
      }
    }
  }
  if (m.resourceRules.length === 0) keys = null;
  prefilters.set(m, keys);
  return keys;
}

function includes(values: readonly string[], value: string): boolean {
  return values.includes('*') || values.includes(value);
}

// `*` is every resource (no subresource), star-slash-star everything; `pods/...` names subresources only.
function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*' || pattern === '*/*') return true;
  return pattern === resource;
}
