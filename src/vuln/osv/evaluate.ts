// Whether a version is affected by an OSV `affected` entry: the schema's evaluation algorithm
// (ossf.github.io/osv-schema/#evaluation) with each ecosystem's own ordering.
import type { BulwarkError } from '../../core/index.ts';
import { ParsedVersions, schemeFor, type VersionScheme } from '../version/index.ts';
import type { OsvEvent, OsvRange } from './record.ts';

export interface RangeVerdict {
  affected: boolean;
  /** The fix of the affected interval: the first `fixed` event above the version. */
  fixed: string | undefined;
  /** The `last_affected` event that bounds the interval, when the record gives no fix. */
  lastAffected: string | undefined;
}

/**
 * Why a range could not be evaluated against a version:
 * - `git-range`: GIT ranges are commits of a repository. A package installed by version has no commit
 *   to place on them, so, as osv-scanner does for packages with an ecosystem and a version, they are
 *   skipped; the record's `versions` list (which osv.dev fills from the repository's tags between the
 *   GIT events) is still consulted by the matcher.
 * - `unknown-ordering`: the ecosystem's version ordering is not implemented (ECOSYSTEM ranges).
 * - `unparsable-version`: the installed version or an event version does not parse in that ordering.
 */
export type UnevaluableReason = 'git-range' | 'unknown-ordering' | 'unparsable-version';

export interface Unevaluable {
  unevaluable: string;
  reason: UnevaluableReason;
}

/** One ordering per ecosystem and range type, each with its own parse cache. */
export class Orderings {
  readonly #byKey = new Map<string, ParsedVersions<unknown> | null>();

  get(base: string, rangeType: string): ParsedVersions<unknown> | undefined {
    const key = `${base}\u0000${rangeType}`;
    let entry = this.#byKey.get(key);
    if (entry === undefined) {
      const scheme = schemeFor(base, rangeType) as VersionScheme<unknown> | undefined;
      entry = scheme === undefined ? null : new ParsedVersions(scheme);
      this.#byKey.set(key, entry);
    }
    return entry ?? undefined;
  }
}

const MIN = Symbol('min');
const MAX = Symbol('max');
type Point = unknown | typeof MIN | typeof MAX;

function isError(value: unknown): value is BulwarkError {
  return value instanceof Error;
}

function comparePoints(order: ParsedVersions<unknown>, a: Point, b: Point): number {
  if (a === b) return 0;
  if (a === MIN || b === MAX) return -1;
  if (a === MAX || b === MIN) return 1;
  return order.scheme.compare(a, b);
}

/** Evaluates one range against an installed version. */
export function evaluateRange(range: OsvRange, base: string, installed: string, orderings: Orderings): RangeVerdict | Unevaluable {
  if (range.type === 'GIT') return { unevaluable: 'GIT ranges are commits; an installed version has none to place on them', reason: 'git-range' };
  const order = orderings.get(base, range.type);
  if (order === undefined) return { unevaluable: `no ${range.type} ordering known for ecosystem ${base}`, reason: 'unknown-ordering' };
  const version = order.get(installed);
  if (isError(version)) return { unevaluable: version.message, reason: 'unparsable-version' };

  const points: { event: OsvEvent; point: Point; index: number }[] = [];
  for (let index = 0; index < range.events.length; index++) {
    const event = range.events[index]!;
    let point: Point;
    if (event.kind === 'introduced' && event.version === '0') point = MIN;
    else if (event.kind === 'limit' && event.version.includes('*')) point = MAX;
    else {
      const parsed = order.get(event.version);
      if (isError(parsed)) return { unevaluable: parsed.message, reason: 'unparsable-version' };
      point = parsed;
    }
    points.push({ event, point, index });
  }

  const limits = points.filter((p) => p.event.kind === 'limit');
  if (limits.length > 0 && !limits.some((p) => comparePoints(order, version, p.point) < 0)) {
    return { affected: false, fixed: undefined, lastAffected: undefined };
  }

  // Sorted by version; events at the same version keep their written order.
  points.sort((x, y) => comparePoints(order, x.point, y.point) || x.index - y.index);
  let vulnerable = false;
  let openedAt = -1;
  for (let i = 0; i < points.length; i++) {
    const { event, point } = points[i]!;
    const c = comparePoints(order, version, point);
    if (event.kind === 'introduced' && c >= 0) {
      vulnerable = true;
      openedAt = i;
    } else if (event.kind === 'fixed' && c >= 0) vulnerable = false;
    else if (event.kind === 'last_affected' && c > 0) vulnerable = false;
  }
  if (!vulnerable) return { affected: false, fixed: undefined, lastAffected: undefined };

  for (let i = openedAt + 1; i < points.length; i++) {
    const { event, point } = points[i]!;
    if (comparePoints(order, version, point) >= (event.kind === 'last_affected' ? 1 : 0)) continue;
    if (event.kind === 'fixed') return { affected: true, fixed: event.version, lastAffected: undefined };
    if (event.kind === 'last_affected') return { affected: true, fixed: undefined, lastAffected: event.version };
  }
  return { affected: true, fixed: undefined, lastAffected: undefined };
}

/**
 * Whether `installed` is in an explicit `versions` list: equal in the ecosystem's ordering where
 * it has one (`1.0` is `1.0.0` in PyPI), else as text.
 */
export function inVersionList(versions: readonly string[], base: string, installed: string, orderings: Orderings): boolean {
  if (versions.length === 0) return false;
  if (versions.includes(installed)) return true;
  const order = orderings.get(base, 'ECOSYSTEM');
  if (order === undefined) return false;
  const version = order.get(installed);
  if (isError(version)) return false;
  for (const candidate of versions) {
    const parsed = order.get(candidate);
    if (!isError(parsed) && order.scheme.compare(version, parsed) === 0) return true;
  }
  return false;
}
