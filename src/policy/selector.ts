// Kubernetes label selectors (metav1.LabelSelector): matchLabels and matchExpressions with In,
// NotIn, Exists and DoesNotExist. An empty selector matches everything.
import type { FieldPath } from '../core/index.ts';

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: readonly string[];
}

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

/** A problem with a selector, at a path relative to where the selector was read. */
export class SelectorError extends Error {
  readonly path: FieldPath;
  constructor(message: string, path: FieldPath) {
    super(message);
    this.path = path;
  }
}

export const EVERYTHING: LabelSelector = { requirements: [] };

export function parseLabelSelector(raw: unknown): LabelSelector {
  if (raw === undefined || raw === null) return EVERYTHING;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SelectorError('must be a label selector (matchLabels, matchExpressions)', []);
  const value = raw as Record<string, unknown>;
  const requirements: Requirement[] = [];
  const labels = value.matchLabels;
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) throw new SelectorError('must be a map of label keys to values', ['matchLabels']);
    for (const [key, v] of Object.entries(labels as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new SelectorError('a label value must be a string', ['matchLabels', key]);
      requirements.push({ key, operator: 'In', values: [v] });
    }
  }
  const expressions = value.matchExpressions;
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) throw new SelectorError('must be a list', ['matchExpressions']);
    expressions.forEach((entry: unknown, i: number) => {
      const at: FieldPath = ['matchExpressions', i];
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SelectorError('must be a requirement (key, operator, values)', at);
      const e = entry as Record<string, unknown>;
      if (typeof e.key !== 'string' || e.key === '') throw new SelectorError('key is required', [...at, 'key']);
      const operator = e.operator;
      if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
        throw new SelectorError(`operator must be In, NotIn, Exists or DoesNotExist (got ${JSON.stringify(operator)})`, [...at, 'operator']);
      }
      const values = e.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new SelectorError('values must be a list of strings', [...at, 'values']);
      if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
        throw new SelectorError(`values must be non-empty when operator is ${operator}`, [...at, 'values']);
      }
      if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
        throw new SelectorError(`values must be empty when operator is ${operator}`, [...at, 'values']);
      }
      requirements.push({ key: e.key, operator, values: values as string[] });
    });
  }
  return { requirements };
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of selector.requirements) {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(labels[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(labels[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The string-valued labels of a parsed object. */
export function labelsOf(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const metadata = raw.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return {};
  const labels = (metadata as Record<string, unknown>).labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) if (typeof value === 'string') out[key] = value;
  return out;
}
