// Detection rules over audit events, as data: a rule names what it matches (stages, verbs,
// resources — an index, so most events are tried against few rules), a CEL condition over the event
// and its views, exceptions, a priority on Falco's scale, a message template, and the equivalent
// Falco k8saudit rule where there is one. Lists and macros are named values and conditions that
// users override or extend in their own rules files, the way Falco rules are tuned.

/** Falco's priorities, most severe first. */
export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;
export type Priority = (typeof PRIORITIES)[number];

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}

/** Higher is more severe. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.length - PRIORITIES.indexOf(priority);
}

export interface RuleMatch {
  /** Audit stages the rule applies to (absent: every stage). */
  stages?: readonly string[];
  verbs?: readonly string[];
  /** `objectRef.resource` values. */
  resources?: readonly string[];
  /** `objectRef.subresource` values; `""` stands for "no subresource". */
  subresources?: readonly string[];
}

export interface RuleSpec {
  /** Stable identifier, lower-case words joined by hyphens. */
  id: string;
  title: string;
  /** The equivalent Falco k8saudit rule (its name in the rule set the conformance suite uses), or null. */
  falco: string | null;
  /** Names the same Falco rule has in other upstream versions (renamed or split since). */
  falcoAliases: readonly string[];
  priority: Priority;
  description: string;
  match: RuleMatch;
  /** CEL over the event's variables (see views.ts), `lists` and `macros`; must be a bool. */
  condition: string;
  /** CEL conditions; when any is true the rule does not fire. */
  exceptions: readonly string[];
  /** The alert message: text with `{CEL}` parts, `{{` and `}}` for literal braces. */
  output: string;
  tags: readonly string[];
  enabled: boolean;
}

/** A list in a rules file: items replace the list, or with `append` extend it. */
export type ListSpec = readonly string[] | { items: readonly string[]; append?: boolean };

/** One rules file (YAML or JSON). Rules whose `id` already exists change only the fields given. */
export interface RulesDocument {
  apiVersion: 'bulwark.dev/v1alpha1';
  kind: 'AuditRules';
  lists?: Readonly<Record<string, ListSpec>>;
  macros?: Readonly<Record<string, string>>;
  rules?: readonly (Partial<RuleSpec> & { id: string })[];
}

/** Lists, macros and rules after every document was applied in order. */
export interface RuleSet {
  lists: Map<string, string[]>;
  macros: Map<string, { condition: string; source: string }>;
  rules: Map<string, RuleSpec & { source: string }>;
}

export const RULES_API_VERSION = 'bulwark.dev/v1alpha1';
export const RULES_KIND = 'AuditRules';
