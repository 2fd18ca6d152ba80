// Whether one PolicyRule allows one request, exactly as the Kubernetes RBAC authorizer decides it
// (pkg/apis/rbac/v1 helpers + plugin/pkg/auth/authorizer/rbac RuleAllows). Every RBAC answer Bulwark
// gives — risky permissions, who-can, effective rights — comes down to these functions.
import { isResourceRequest, type PolicyRule, type Request } from './model.ts';

export const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const ruleVerb of rule.verbs) if (ruleVerb === ALL || ruleVerb === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const ruleGroup of rule.apiGroups) if (ruleGroup === ALL || ruleGroup === group) return true;
  return false;
}

// `combined` is `resource` or `resource/subresource`. A rule entry matches when it is `*`, the exact
// combined name, or `*/subresource` for the requested subresource. `pods/*` is not a wildcard: the
// authorizer compares it literally.
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const ruleResource of rule.resources) {
    if (ruleResource === ALL || ruleResource === combined) return true;
    if (subresource.length === 0) continue;
    if (ruleResource.length === subresource.length + 2 && ruleResource.startsWith('*/') && ruleResource.endsWith(subresource)) return true;
  }
  return false;
}

/** An empty `resourceNames` allows every name; otherwise the requested name must be listed ('' included). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  for (const ruleName of rule.resourceNames) if (ruleName === name) return true;
  return false;
}

/** `*` matches every path; an entry ending in `*` matches by prefix (every trailing `*` trimmed). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const ruleURL of rule.nonResourceURLs) {
    if (ruleURL === ALL || ruleURL === path) return true;
    if (ruleURL.endsWith(ALL) && path.startsWith(trimTrailingStars(ruleURL))) return true;
  }
  return false;
}

function trimTrailingStars(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 42) end--;
  return text.slice(0, end);
}

/** RuleAllows: resource requests look at verbs, groups, resources and names; the others at verbs and URLs. */
export function ruleAllows(rule: PolicyRule, request: Request): boolean {
  if (isResourceRequest(request)) {
    const combined = request.subresource.length > 0 ? `${request.resource}/${request.subresource}` : request.resource;
    return (
      verbMatches(rule, request.verb) &&
      apiGroupMatches(rule, request.apiGroup) &&
      resourceMatches(rule, combined, request.subresource) &&
      resourceNameMatches(rule, request.name)
    );
  }
  return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
}

/** A rule that allows every verb on every resource of every group: cluster-admin's first rule. */
export function isFullAccessRule(rule: PolicyRule): boolean {
  return rule.verbs.includes(ALL) && rule.apiGroups.includes(ALL) && rule.resources.includes(ALL) && rule.resourceNames.length === 0;
}

/** The same rule, value for value (the aggregation controller's de-duplication). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return (
    sameList(a.verbs, b.verbs) &&
    sameList(a.apiGroups, b.apiGroups) &&
    sameList(a.resources, b.resources) &&
    sameList(a.resourceNames, b.resourceNames) &&
    sameList(a.nonResourceURLs, b.nonResourceURLs)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
