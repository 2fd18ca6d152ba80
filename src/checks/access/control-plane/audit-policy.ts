// Kubernetes audit policies (audit.k8s.io Policy) read as the API server reads them: the first rule
// that matches a request decides its level, and a request no rule matches is not recorded at all.
// Matching follows k8s.io/apiserver/pkg/audit/policy (ruleMatches, ruleMatchesResource, pathMatches);
// validation follows its ValidatePolicy closely enough to refuse what the API server refuses.
//
// Questions about "some request" are answered by enumeration over representatives: every value a
// rule compares against (users, groups, verbs, namespaces, names) plus one value no rule names.
// Matching only tests equality on those dimensions, so a representative stands for every value
// that no rule tells apart from it. The enumeration is bounded by MAX_MATCH_TESTS.
import type { FieldPath } from '../../../core/index.ts';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface AuditRule {
  readonly index: number;
  readonly level: Level;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly GroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly omitStages: readonly Stage[];
}

export interface AuditPolicy {
  readonly rules: readonly AuditRule[];
  readonly omitStages: readonly Stage[];
}

/** Why the API server would refuse the file; the path is relative to the policy document. */
export interface PolicyProblem {
  readonly path: FieldPath;
  readonly message: string;
}

export type ParsedPolicy = { readonly ok: true; readonly policy: AuditPolicy } | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

/** Policies with more rules are refused here, not analysed: real ones have tens. */
export const MAX_RULES = 2000;
/** Each list inside a rule, bounded likewise. */
export const MAX_LIST = 1000;
const MAX_PROBLEMS = 20;

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** Reads a string list, recording a problem for anything else; an absent field is the empty list. */
function strings(value: unknown, path: FieldPath, problems: PolicyProblem[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: 'must be a list of strings' });
    return [];
  }
  if (value.length > MAX_LIST) {
    problems.push({ path, message: `lists ${value.length} entries; at most ${MAX_LIST} are analysed` });
    return [];
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') out.push(item);
    else problems.push({ path: [...path, index], message: 'must be a string' });
  });
  return out;
}

function stages(value: unknown, path: FieldPath, problems: PolicyProblem[]): Stage[] {
  const out: Stage[] = [];
  strings(value, path, problems).forEach((stage, index) => {
    if (isStage(stage)) out.push(stage);
    else problems.push({ path: [...path, index], message: `unknown stage ${JSON.stringify(stage)} (expected one of ${STAGES.join(', ')})` });
  });
  return out;
}

function groupResources(value: unknown, path: FieldPath, problems: PolicyProblem[]): GroupResources[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ path, message: 'must be a list of {group, resources, resourceNames}' });
    return [];
  }
  const out: GroupResources[] = [];
  value.slice(0, MAX_LIST).forEach((item, index) => {
    const at: FieldPath = [...path, index];
    const entry = fields(item);
    if (entry === undefined) {
      problems.push({ path: at, message: 'must be a map' });
      return;
    }
    const group = entry['group'] ?? '';
    if (typeof group !== 'string') problems.push({ path: [...at, 'group'], message: 'must be a string' });
    const resources = strings(entry['resources'], [...at, 'resources'], problems);
    const resourceNames = strings(entry['resourceNames'], [...at, 'resourceNames'], problems);
    resources.forEach((resource, i) => {
      // ValidateGroupResources: "*/x" and "x/*" are the only wildcards, and names cannot narrow them.
      if (resource === '' || (resource.includes('*') && resource !== '*' && !resource.startsWith('*/') && !resource.endsWith('/*'))) {
        problems.push({ path: [...at, 'resources', i], message: `${JSON.stringify(resource)} is not a resource, "*", "*/subresource" or "resource/*"` });
      }
      if (resourceNames.length > 0 && resource.includes('*')) {
        problems.push({ path: [...at, 'resources', i], message: `${JSON.stringify(resource)} is a wildcard, which resourceNames cannot narrow` });
      }
    });
    out.push({ group: typeof group === 'string' ? group : '', resources, resourceNames });
  });
  return out;
}

function parseRule(value: unknown, index: number, problems: PolicyProblem[]): AuditRule | undefined {
  const at: FieldPath = ['rules', index];
  const rule = fields(value);
  if (rule === undefined) {
    problems.push({ path: at, message: 'a rule must be a map' });
    return undefined;
  }
  const level = rule['level'];
  if (!isLevel(level)) {
    problems.push({
      path: [...at, 'level'],
      message: level === undefined ? 'rule has no level' : `unknown level ${JSON.stringify(level)} (expected one of ${LEVELS.join(', ')})`,
    });
  }
  const resources = groupResources(rule['resources'], [...at, 'resources'], problems);
  const namespaces = strings(rule['namespaces'], [...at, 'namespaces'], problems);
  const nonResourceURLs = strings(rule['nonResourceURLs'], [...at, 'nonResourceURLs'], problems);
  if (nonResourceURLs.length > 0 && (resources.length > 0 || namespaces.length > 0)) {
    problems.push({ path: [...at, 'nonResourceURLs'], message: 'a rule cannot match both resources (or namespaces) and nonResourceURLs' });
  }
  nonResourceURLs.forEach((url, i) => {
    const star = url.indexOf('*');
    if (url !== '*' && (!url.startsWith('/') || (star !== -1 && star !== url.length - 1))) {
      problems.push({ path: [...at, 'nonResourceURLs', i], message: `${JSON.stringify(url)} must start with "/" and may end with "*"` });
    }
  });
  return {
    index,
    level: isLevel(level) ? level : 'None',
    users: strings(rule['users'], [...at, 'users'], problems),
    userGroups: strings(rule['userGroups'], [...at, 'userGroups'], problems),
    verbs: strings(rule['verbs'], [...at, 'verbs'], problems),
    resources,
    namespaces,
    nonResourceURLs,
    omitStages: stages(rule['omitStages'], [...at, 'omitStages'], problems),
  };
}

/** A Policy document (already parsed from YAML or JSON). Never throws; problems name the field. */
export function parseAuditPolicy(raw: Fields): ParsedPolicy {
  const problems: PolicyProblem[] = [];
  const list = raw['rules'];
  const rules: AuditRule[] = [];
  if (!Array.isArray(list)) {
    problems.push({ path: ['rules'], message: list === undefined ? 'the policy has no rules' : 'rules must be a list' });
  } else if (list.length > MAX_RULES) {
    problems.push({ path: ['rules'], message: `the policy has ${list.length} rules; at most ${MAX_RULES} are analysed` });
  } else {
    list.forEach((item, index) => {
      const rule = parseRule(item, index, problems);
      if (rule !== undefined) rules.push(rule);
    });
  }
  const omitStages = stages(raw['omitStages'], ['omitStages'], problems);
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
  return { ok: true, policy: { rules, omitStages } };
}

/** One API request as the policy checker sees it. */
export interface AuditRequest {
  readonly user: string;
  readonly groups: readonly string[];
  readonly verb: string;
  /** A resource request; absent for a non-resource one (`path`). */
  readonly resource?: { readonly group: string; readonly resource: string; readonly subresource: string; readonly namespace: string; readonly name: string };
  readonly path?: string;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.slice(0, -1));
}

function resourceMatches(rule: AuditRule, request: AuditRequest): boolean {
  const target = request.resource;
  if (target === undefined) return false;
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(target.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const combined = target.subresource === '' ? target.resource : `${target.resource}/${target.subresource}`;
  for (const entry of rule.resources) {
    if (entry.group !== target.group) continue;
    if (entry.resources.length === 0) return true;
    if (entry.resourceNames.length > 0 && !entry.resourceNames.includes(target.name)) continue;
    for (const resource of entry.resources) {
      if (resource === combined || resource === '*') return true;
      if (target.subresource !== '' && resource.startsWith('*/') && resource.slice(2) === target.subresource) return true;
      if (resource.endsWith('/*') && resource.slice(0, -2) === target.resource) return true;
    }
  }
  return false;
}

/** ruleMatches of the API server's policy checker. */
export function ruleMatches(rule: AuditRule, request: AuditRequest): boolean {
  if (rule.users.length > 0 && !rule.users.includes(request.user)) return false;
  if (rule.userGroups.length > 0 && !request.groups.some((group) => rule.userGroups.includes(group))) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(request.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return resourceMatches(rule, request);
  if (rule.nonResourceURLs.length > 0) {
    if (request.resource !== undefined || request.path === undefined) return false;
    return rule.nonResourceURLs.some((spec) => pathMatches(request.path!, spec));
  }
  return true;
}

export interface Decision {
  readonly level: Level;
  /** The rule that decided, or undefined when none matched (then nothing is recorded). */
  readonly rule: AuditRule | undefined;
  /** The policy's omitted stages together with the rule's. */
  readonly omitStages: readonly Stage[];
}

/** The level the API server records this request at. */
export function decide(policy: AuditPolicy, request: AuditRequest): Decision {
  for (const rule of policy.rules) {
    if (ruleMatches(rule, request)) return { level: rule.level, rule, omitStages: [...new Set([...policy.omitStages, ...rule.omitStages])] };
  }
  return { level: 'None', rule: undefined, omitStages: policy.omitStages };
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** What a question is about: one resource of one group, optionally one subresource. */
export interface Target {
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  /** Namespaced resources are asked in namespaces and across them (`""`); cluster-scoped ones in `""` only. */
  readonly namespaced: boolean;
}

/** Stands for every value that no rule names. It cannot be a real name (it has a space and a NUL). */
export const OTHER = ' other\u0000';
export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
/** Enumeration bound per question: rule tests, across every representative request. */
export const MAX_MATCH_TESTS = 2_000_000;

export type Search = { readonly found: { readonly request: AuditRequest; readonly decision: Decision } | undefined; readonly complete: boolean };

/** Whether a rule could match some request for this target, judged on the resource dimensions only. */
function concerns(rule: AuditRule, target: Target): boolean {
  if (rule.nonResourceURLs.length > 0 && rule.resources.length === 0 && rule.namespaces.length === 0) return false;
  const probe: AuditRequest = { user: OTHER, groups: [], verb: OTHER, resource: { ...target, namespace: OTHER, name: OTHER } };
  const loose: AuditRule = { ...rule, users: [], userGroups: [], verbs: [], namespaces: [], resources: rule.resources.map((entry) => ({ ...entry, resourceNames: [] })) };
  return resourceMatches(loose, probe);
}

/**
 * Searches for a request on the target, with a verb from `verbs`, that the policy records in a way
 * `wanted` accepts. Representatives come from the rules that concern the target (others can never
 * match it). `complete` is false when the bound stopped the search before it was exhaustive.
 */
export function findRequest(policy: AuditPolicy, target: Target, verbs: readonly string[], wanted: (decision: Decision, verb: string) => boolean): Search {
  const relevant = policy.rules.filter((rule) => concerns(rule, target));
  const users = [OTHER, ...new Set(relevant.flatMap((rule) => rule.users))];
  const groups: string[][] = [[], ...[...new Set(relevant.flatMap((rule) => rule.userGroups))].map((group) => [group])];
  // Unnamed values first, so that the request a finding cites is the most ordinary one that qualifies.
  const namespaces = target.namespaced ? [OTHER, ...new Set(relevant.flatMap((rule) => rule.namespaces)), ''] : [''];
  const names = [OTHER, ...new Set(relevant.flatMap((rule) => rule.resources.flatMap((entry) => entry.resourceNames))), ''];
  const subset: AuditPolicy = { rules: relevant, omitStages: policy.omitStages };
  let tests = 0;
  for (const verb of verbs) {
    for (const namespace of namespaces) {
      for (const name of names) {
        for (const user of users) {
          for (const userGroups of groups) {
            const request: AuditRequest = { user, groups: userGroups, verb, resource: { group: target.group, resource: target.resource, subresource: target.subresource, namespace, name } };
            const decision = decide(subset, request);
            if (wanted(decision, verb)) return { found: { request, decision }, complete: true };
            tests += relevant.length + 1;
            if (tests > MAX_MATCH_TESTS) return { found: undefined, complete: false };
          }
        }
      }
    }
  }
  return { found: undefined, complete: true };
}

/**
 * The decision for a typical request on the target: an authenticated user no rule names, in a
 * namespace no rule names, on an object no rule names. Rules that silence chosen system users or
 * namespaces are deliberate noise reduction; a gap for this request is a gap for everyone.
 */
export function typicalDecision(policy: AuditPolicy, target: Target, verb: string): Decision {
  return decide(policy, {
    user: OTHER,
    groups: ['system:authenticated'],
    verb,
    resource: { group: target.group, resource: target.resource, subresource: target.subresource, namespace: target.namespaced ? OTHER : '', name: OTHER },
  });
}

/** The first rule that matches every request, if any: what records what no earlier rule named. */
export function catchAll(policy: AuditPolicy): AuditRule | undefined {
  return policy.rules.find(
    (rule) =>
      rule.users.length === 0 &&
      rule.userGroups.length === 0 &&
      rule.verbs.length === 0 &&
      rule.resources.length === 0 &&
      rule.namespaces.length === 0 &&
      rule.nonResourceURLs.length === 0,
  );
}

/** `secrets`, `pods/exec`, `deployments.apps`: a target as kubectl names it. */
export function describeTarget(target: Target): string {
  const resource = target.subresource === '' ? target.resource : `${target.resource}/${target.subresource}`;
  return target.group === '' ? resource : `${resource}.${target.group}`;
}

/** `user system:kube-proxy, group …, in namespace kube-system, name x`: what the found request had that matters. */
export function describeRequest(request: AuditRequest): string {
  const parts = [request.verb];
  if (request.user !== OTHER) parts.push(`by user ${request.user}`);
  if (request.groups.length > 0) parts.push(`by a member of ${request.groups.join(', ')}`);
  const target = request.resource;
  if (target !== undefined) {
    if (target.namespace === '') parts.push('across namespaces');
    else if (target.namespace !== OTHER) parts.push(`in namespace ${target.namespace}`);
    if (target.name !== '' && target.name !== OTHER) parts.push(`of ${JSON.stringify(target.name)}`);
  }
  return parts.join(' ');
}
