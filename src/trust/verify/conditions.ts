// Conditions on an attestation's statement: a field path and a test. Paths are read from the
// statement (`predicate.buildDefinition.buildType`, `subject[0].name`); `[*]` tests every element and
// holds when any element passes.
import { BulwarkError } from '../../core/index.ts';
import { isRecord } from '../encoding/json.ts';

export type PredicateCondition =
  | { path: string; equals: unknown }
  | { path: string; oneOf: readonly unknown[] }
  | { path: string; matches: RegExp }
  | { path: string; exists: boolean };

type Segment = { key: string } | { index: number } | { any: true };

const MAX_SEGMENTS = 32;
/** `[*]` over nested arrays multiplies; cap the number of values a path can reach. */
const MAX_VALUES = 10_000;

export function parsePath(path: string, what: string): Segment[] {
  const segments: Segment[] = [];
  const pattern = /([^.[\]]+)|\[(\d+|\*)\]|\.(?=[^.])/gy;
  let position = 0;
  while (position < path.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    if (match === null || match[0] === '') throw new BulwarkError('E_CONFIG', `${what}: cannot read the path "${path}" at character ${position + 1}`);
    if (match[1] !== undefined) segments.push({ key: match[1] });
    else if (match[2] === '*') segments.push({ any: true });
    else if (match[2] !== undefined) segments.push({ index: Number(match[2]) });
    position = pattern.lastIndex;
  }
  if (segments.length === 0 || segments.length > MAX_SEGMENTS) throw new BulwarkError('E_CONFIG', `${what}: the path "${path}" must have 1 to ${MAX_SEGMENTS} parts`);
  return segments;
}

/** The values a path reaches (several with `[*]`, none when it leads nowhere). */
export function valuesAt(document: unknown, segments: readonly Segment[]): unknown[] {
  let current: unknown[] = [document];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('key' in segment) {
        if (isRecord(value) && Object.hasOwn(value, segment.key)) next.push(value[segment.key]);
      } else if ('index' in segment) {
        if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
      } else if (Array.isArray(value)) {
        next.push(...value.slice(0, MAX_VALUES));
      }
      if (next.length > MAX_VALUES) break;
    }
    current = next.slice(0, MAX_VALUES);
  }
  return current;
}

export function conditionHolds(document: unknown, condition: PredicateCondition): boolean {
  const values = valuesAt(document, parsePath(condition.path, 'condition'));
  if ('exists' in condition) return (values.length > 0) === condition.exists;
  if ('equals' in condition) return values.some((value) => deepEqual(value, condition.equals));
  if ('oneOf' in condition) return values.some((value) => condition.oneOf.some((allowed) => deepEqual(value, allowed)));
  return values.some((value) => typeof value === 'string' && condition.matches.test(value));
}

export function describeCondition(condition: PredicateCondition): string {
  if ('exists' in condition) return `${condition.path} ${condition.exists ? 'exists' : 'is absent'}`;
  if ('equals' in condition) return `${condition.path} equals ${JSON.stringify(condition.equals)}`;
  if ('oneOf' in condition) return `${condition.path} is one of ${JSON.stringify(condition.oneOf)}`;
  return `${condition.path} matches /${condition.matches.source}/`;
}

function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 64 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => deepEqual(item, b[index], depth + 1));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1));
}
