// Whether a policy (or binding) applies to an object, as the API server's admission matcher decides
// it: namespace and object selectors, resource rules and their exclusions, matchPolicy. Offline the
// request is a CREATE of the object's main resource (no subresource) unless the caller says otherwise.
import { EQUIVALENT_GROUPS, type ResourceInfo } from './resources.ts';
import { matchesLabels } from './selector.ts';
import type { MatchResources, ResourceRule } from './model.ts';

/** What matching needs to know about one object, computed once per object. */
export interface MatchTarget {
  info: ResourceInfo;
  /** '' for the resource itself, else `status`, `exec`, `ephemeralcontainers`… */
  subResource: string;
  name: string;
  operation: string;
  labels: Readonly<Record<string, string>>;
  /** The old object's labels on UPDATE and DELETE: an objectSelector matching either lets the request through. */
  oldLabels: Readonly<Record<string, string>> | null;
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
  if (keys !== null && !keys.has(`${target.info.group}/${fullResource(target)}`)) return false;
  return matchesSelectors(m, target) && matchesRules(m, target);
}

/** The namespace and object selectors alone. */
export function matchesSelectors(m: MatchResources, target: MatchTarget): boolean {
  if (target.namespaceLabels !== null && m.namespaceSelector.requirements.length > 0 && !matchesLabels(m.namespaceSelector, target.namespaceLabels)) return false;
  if (m.objectSelector.requirements.length === 0 || matchesLabels(m.objectSelector, target.labels)) return true;
  return target.oldLabels !== null && matchesLabels(m.objectSelector, target.oldLabels);
}

/** The resource rules and their exclusions alone. */
export function matchesRules(m: MatchResources, target: MatchTarget): boolean {
  if (m.resourceRules.length > 0 && !m.resourceRules.some((rule) => ruleMatches(rule, target, m.matchPolicy))) return false;
  return !m.excludeResourceRules.some((rule) => ruleMatches(rule, target, m.matchPolicy));
}

/**
 * Whether the rules' verdict depends on the object's name (resourceNames): otherwise it depends
 * only on the resource and the operation, and can be decided once per kind.
 */
export function rulesNameObjects(m: MatchResources): boolean {
  return [...m.resourceRules, ...m.excludeResourceRules].some((rule) => rule.resourceNames.length > 0);
}

export function ruleMatches(rule: ResourceRule, target: MatchTarget, policy: 'Exact' | 'Equivalent'): boolean {
  const { info } = target;
  if (!includes(rule.operations, target.operation)) return false;
  if (rule.scope === 'Cluster' && info.namespaced) return false;
  if (rule.scope === 'Namespaced' && !info.namespaced) return false;
  if (rule.resourceNames.length > 0 && !rule.resourceNames.includes(target.name)) return false;
  if (!rule.resources.some((r) => resourceMatches(r, info.resource, target.subResource))) return false;
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
    if (rule.apiGroups.includes('*') || rule.resources.some((r) => r.includes('*'))) {
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

function fullResource(target: MatchTarget): string {
  return target.subResource === '' ? target.info.resource : `${target.info.resource}/${target.subResource}`;
}

// As the API server reads a rule's resources: `*` is every resource but no subresource, `*/*`
// everything, `pods/*` every subresource of pods, `*/scale` that subresource of every resource.
function resourceMatches(pattern: string, resource: string, subResource: string): boolean {
  if (pattern === '*/*') return true;
  if (pattern === '*') return subResource === '';
  const slash = pattern.indexOf('/');
  if (slash < 0) return subResource === '' && pattern === resource;
  if (subResource === '') return false;
  const main = pattern.slice(0, slash);
  const sub = pattern.slice(slash + 1);
  return (main === '*' || main === resource) && (sub === '*' || sub === subResource);
}
