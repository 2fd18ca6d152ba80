// Kubernetes label selectors, evaluated as the API machinery does (metav1.LabelSelectorAsSelector and
// labels.SelectorFromSet): NetworkPolicies, PodDisruptionBudgets, workload selectors, ClusterRole
// aggregation and Cilium endpoint selectors all go through here, so they agree on every corner case.
import type { FieldPath } from '../core/index.ts';

export type Labels = Readonly<Record<string, string>>;

export type Requirement =
  | { key: string; operator: 'In' | 'NotIn'; values: ReadonlySet<string> }
  | { key: string; operator: 'Exists' | 'DoesNotExist' };

/** A compiled selector: every requirement must hold (they are ANDed). */
export interface Selector {
  readonly kind: 'selector';
  /** `matchLabels` become `In` requirements with one value, as upstream converts them. */
  readonly requirements: readonly Requirement[];
  /** True for the empty selector `{}`: it selects every object. */
  readonly everything: boolean;
  /** True for an absent selector where absence means "nothing" (a nil `*LabelSelector`). */
  readonly nothing: boolean;
}

/** Why a written selector is not one the API server would accept; it then selects nothing. */
export interface SelectorProblem {
  readonly kind: 'problem';
  readonly path: FieldPath;
  readonly message: string;
}

export const SELECT_NOTHING: Selector = Object.freeze({ kind: 'selector', requirements: [], everything: false, nothing: true });
export const SELECT_EVERYTHING: Selector = Object.freeze({ kind: 'selector', requirements: [], everything: true, nothing: false });

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Labels are strings to the API server; YAML scalars written unquoted (`tier: 1`, `canary: true`) in
 * a selector are read as their text, as they are in pod labels (see podspec's stringMap).
 */
function labelText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * A `metav1.LabelSelector` (`matchLabels` + `matchExpressions`). `absent` says what a missing or null
 * selector means for the field it comes from: `nothing` for most API fields (a nil pointer), `everything`
 * where the API documents that (e.g. a NetworkPolicy peer's omitted namespaceSelector is handled by
 * the caller, not here).
 */
export function compileLabelSelector(
  raw: unknown,
  path: FieldPath,
  absent: 'nothing' | 'everything' = 'nothing',
): Selector | SelectorProblem {
  if (raw === undefined || raw === null) return absent === 'nothing' ? SELECT_NOTHING : SELECT_EVERYTHING;
  if (!isRecord(raw)) return { kind: 'problem', path, message: 'a label selector must be a map' };
  const requirements: Requirement[] = [];
  const matchLabels = raw['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return { kind: 'problem', path: [...path, 'matchLabels'], message: 'matchLabels must be a map' };
    for (const key of Object.keys(matchLabels)) {
      const value = labelText(matchLabels[key]);
      if (value === undefined) {
        return { kind: 'problem', path: [...path, 'matchLabels', key], message: `matchLabels[${JSON.stringify(key)}] must be a string` };
      }
      requirements.push({ key, operator: 'In', values: new Set([value]) });
    }
  }
  const expressions = raw['matchExpressions'];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) return { kind: 'problem', path: [...path, 'matchExpressions'], message: 'matchExpressions must be a list' };
    for (let index = 0; index < expressions.length; index++) {
      const at: FieldPath = [...path, 'matchExpressions', index];
      const expression: unknown = expressions[index];
      if (!isRecord(expression)) return { kind: 'problem', path: at, message: 'a match expression must be a map' };
      const key = expression['key'];
      const operator = expression['operator'];
      if (typeof key !== 'string' || key === '') return { kind: 'problem', path: [...at, 'key'], message: 'a match expression needs a key' };
      if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
        return { kind: 'problem', path: [...at, 'operator'], message: `operator ${JSON.stringify(operator ?? null)} is not In, NotIn, Exists or DoesNotExist` };
      }
      const rawValues = expression['values'];
      const values: string[] = [];
      if (rawValues !== undefined && rawValues !== null) {
        if (!Array.isArray(rawValues)) return { kind: 'problem', path: [...at, 'values'], message: 'values must be a list' };
        for (const item of rawValues) {
          const text = labelText(item);
          if (text === undefined) return { kind: 'problem', path: [...at, 'values'], message: 'values must be strings' };
          values.push(text);
        }
      }
      if (operator === 'In' || operator === 'NotIn') {
        // Upstream refuses an empty set here: "for 'in', 'notin' operators, values set can't be empty".
        if (values.length === 0) return { kind: 'problem', path: [...at, 'values'], message: `operator ${operator} needs at least one value` };
        requirements.push({ key, operator, values: new Set(values) });
      } else {
        if (values.length > 0) return { kind: 'problem', path: [...at, 'values'], message: `operator ${operator} takes no values` };
        requirements.push({ key, operator: operator as 'Exists' | 'DoesNotExist' });
      }
    }
  }
  if (requirements.length === 0) return SELECT_EVERYTHING;
  return { kind: 'selector', requirements, everything: false, nothing: false };
}

/**
 * A plain label map used as a selector (Service `spec.selector`, ReplicationController). An empty or
 * absent map selects nothing: the API server stores `{}` as an absent map, and the endpoints
 * controllers skip Services without a selector.
 */
export function compileMapSelector(raw: unknown, path: FieldPath): Selector | SelectorProblem {
  if (raw === undefined || raw === null) return SELECT_NOTHING;
  if (!isRecord(raw)) return { kind: 'problem', path, message: 'a selector must be a map of labels' };
  const requirements: Requirement[] = [];
  for (const key of Object.keys(raw)) {
    const value = labelText(raw[key]);
    if (value === undefined) return { kind: 'problem', path: [...path, key], message: `selector[${JSON.stringify(key)}] must be a string` };
    requirements.push({ key, operator: 'In', values: new Set([value]) });
  }
  return requirements.length === 0 ? SELECT_NOTHING : { kind: 'selector', requirements, everything: false, nothing: false };
}

/** Whether the labels satisfy the selector (own properties only: a label may be called `constructor`). */
export function selects(selector: Selector, labels: Labels): boolean {
  if (selector.nothing) return false;
  for (const requirement of selector.requirements) {
    const present = Object.hasOwn(labels, requirement.key);
    switch (requirement.operator) {
      case 'In':
        if (!present || !requirement.values.has(labels[requirement.key]!)) return false;
        break;
      case 'NotIn':
        if (present && requirement.values.has(labels[requirement.key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** `app=web,tier in (a,b),!canary`, as kubectl prints selectors; `<everything>` / `<nothing>`. */
export function describeSelector(selector: Selector): string {
  if (selector.nothing) return '<nothing>';
  if (selector.everything) return '<everything>';
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.size === 1 ? `${r.key}=${[...r.values][0]}` : `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

/**
 * Labels read from an object's metadata map as the API server would store them: string values,
 * unquoted scalars as their text, anything else dropped.
 */
export function labelsOf(raw: unknown): Labels {
  if (!isRecord(raw)) return EMPTY_LABELS;
  let clean = true;
  for (const key of Object.keys(raw)) {
    if (typeof raw[key] !== 'string') {
      clean = false;
      break;
    }
  }
  if (clean) return raw as Labels;
  const copy: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(raw)) {
    const text = labelText(raw[key]);
    if (text !== undefined) copy[key] = text;
  }
  return copy;
}

export const EMPTY_LABELS: Labels = Object.freeze(Object.create(null) as Record<string, string>);
