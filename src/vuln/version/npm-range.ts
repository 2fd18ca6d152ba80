// npm version ranges (`^1.2.3 || >=2 <3`, hyphen, x- and tilde-ranges) with node-semver's
// semantics, including its rules for pre-releases: a pre-release satisfies a range only when a
// comparator of the same major.minor.patch names a pre-release, unless includePrerelease is set.
import { BulwarkError } from '../../core/index.ts';
import {
  BUILD,
  compareNpm,
  FULL_PLAIN,
  LOOSE_PLAIN,
  NPM_MAX_LENGTH,
  parseNpmVersion,
  PRERELEASE,
  PRERELEASE_LOOSE,
  type NpmSemverOptions,
  type NpmVersion,
} from './npm-semver.ts';

const GTLT = '((?:<|>)?=?)';
const xId = '0|[1-9]\\d{0,256}|x|X|\\*';
const xIdLoose = '\\d{1,256}|x|X|\\*';
const xRangePlain = `[v=\\s]*(${xId})(?:\\.(${xId})(?:\\.(${xId})(?:${PRERELEASE})?${BUILD}?)?)?`;
const xRangePlainLoose = `[v=\\s]*(${xIdLoose})(?:\\.(${xIdLoose})(?:\\.(${xIdLoose})(?:${PRERELEASE_LOOSE})?${BUILD}?)?)?`;

// Whitespace is collapsed to single spaces first, so `\s` never needs to repeat more than once.
const RE = {
  xRange: new RegExp(`^${GTLT}\\s{0,1}${xRangePlain}$`),
  xRangeLoose: new RegExp(`^${GTLT}\\s{0,1}${xRangePlainLoose}$`),
  tildeTrim: new RegExp(`(\\s{0,1})(?:~>?)\\s{1,1}`, 'g'),
  tilde: new RegExp(`^(?:~>?)${xRangePlain}$`),
  tildeLoose: new RegExp(`^(?:~>?)${xRangePlainLoose}$`),
  caretTrim: new RegExp(`(\\s{0,1})(?:\\^)\\s{1,1}`, 'g'),
  caret: new RegExp(`^(?:\\^)${xRangePlain}$`),
  caretLoose: new RegExp(`^(?:\\^)${xRangePlainLoose}$`),
  comparator: new RegExp(`^${GTLT}\\s{0,1}(${FULL_PLAIN})$|^$`),
  comparatorLoose: new RegExp(`^${GTLT}\\s{0,1}(${LOOSE_PLAIN})$|^$`),
  comparatorTrim: new RegExp(`(\\s{0,1})${GTLT}\\s{0,1}(${LOOSE_PLAIN}|${xRangePlain})`, 'g'),
  hyphen: new RegExp(`^\\s{0,1}(${xRangePlain})\\s{1,1}-\\s{1,1}(${xRangePlain})\\s{0,1}$`),
  hyphenLoose: new RegExp(`^\\s{0,1}(${xRangePlainLoose})\\s{1,1}-\\s{1,1}(${xRangePlainLoose})\\s{0,1}$`),
  star: /(<|>)?=?\s{0,1}\*/,
  gte0: /^\s{0,1}>=\s{0,1}0\.0\.0\s{0,1}$/,
  gte0Pre: /^\s{0,1}>=\s{0,1}0\.0\.0-0\s{0,1}$/,
  build: new RegExp(BUILD),
};

type Operator = '' | '<' | '>' | '<=' | '>=';

/** One comparator; `semver` undefined means "any version". */
export interface NpmComparator {
  operator: Operator;
  semver: NpmVersion | undefined;
  /** Canonical text, `''` for any. */
  value: string;
}

export interface NpmRange {
  /** Alternatives (`||`), each a conjunction of comparators. */
  set: NpmComparator[][];
  options: NpmSemverOptions;
}

const isX = (id: string | undefined): boolean => id === undefined || id === '' || id.toLowerCase() === 'x' || id === '*';
const inc = (id: string | number): number => Number(id) + 1;

function rangeError(range: string, reason: string): BulwarkError {
  const shown = range.length > 80 ? `${range.slice(0, 77)}...` : range;
  return new BulwarkError('E_PARSE', `invalid npm version range ${JSON.stringify(shown)}: ${reason}`);
}

function replaceCaret(comp: string, options: NpmSemverOptions): string {
  const z = options.includePrerelease === true ? '-0' : '';
  return comp.replace(options.loose === true ? RE.caretLoose : RE.caret, (_all, M: string, m: string, p: string, pr: string | undefined) => {
    if (isX(M)) return '';
    if (isX(m)) return `>=${M}.0.0${z} <${inc(M)}.0.0-0`;
    if (isX(p)) return M === '0' ? `>=${M}.${m}.0${z} <${M}.${inc(m)}.0-0` : `>=${M}.${m}.0${z} <${inc(M)}.0.0-0`;
    if (pr) {
      if (M === '0') {
        return m === '0' ? `>=${M}.${m}.${p}-${pr} <${M}.${m}.${inc(p)}-0` : `>=${M}.${m}.${p}-${pr} <${M}.${inc(m)}.0-0`;
      }
      return `>=${M}.${m}.${p}-${pr} <${inc(M)}.0.0-0`;
    }
    if (M === '0') {
      return m === '0' ? `>=${M}.${m}.${p}${z} <${M}.${m}.${inc(p)}-0` : `>=${M}.${m}.${p}${z} <${M}.${inc(m)}.0-0`;
    }
    return `>=${M}.${m}.${p} <${inc(M)}.0.0-0`;
  });
}

function replaceTilde(comp: string, options: NpmSemverOptions): string {
  return comp.replace(options.loose === true ? RE.tildeLoose : RE.tilde, (_all, M: string, m: string, p: string, pr: string | undefined) => {
    if (isX(M)) return '';
    if (isX(m)) return `>=${M}.0.0 <${inc(M)}.0.0-0`;
    if (isX(p)) return `>=${M}.${m}.0 <${M}.${inc(m)}.0-0`;
    if (pr) return `>=${M}.${m}.${p}-${pr} <${M}.${inc(m)}.0-0`;
    return `>=${M}.${m}.${p} <${M}.${inc(m)}.0-0`;
  });
}

function replaceXRange(comp: string, options: NpmSemverOptions): string {
  comp = comp.trim();
  return comp.replace(
    options.loose === true ? RE.xRangeLoose : RE.xRange,
    (all, gtlt: string, M: string, m: string | number, p: string | number) => {
      const xM = isX(M);
      const xm = xM || isX(m as string);
      const xp = xm || isX(p as string);
      if (gtlt === '=' && xp) gtlt = '';
      let pr = options.includePrerelease === true ? '-0' : '';
      if (xM) return gtlt === '>' || gtlt === '<' ? '<0.0.0-0' : '*';
      if (gtlt && xp) {
        if (xm) m = 0;
        p = 0;
        if (gtlt === '>') {
          gtlt = '>=';
          if (xm) {
            M = String(inc(M));
            m = 0;
            p = 0;
          } else {
            m = inc(m);
            p = 0;
          }
        } else if (gtlt === '<=') {
          gtlt = '<';
          if (xm) M = String(inc(M));
          else m = inc(m);
        }
        if (gtlt === '<') pr = '-0';
        return `${gtlt + M}.${m}.${p}${pr}`;
      }
      if (xm) return `>=${M}.0.0${pr} <${inc(M)}.0.0-0`;
      if (xp) return `>=${M}.${m}.0${pr} <${M}.${inc(m)}.0-0`;
      return all;
    },
  );
}

function parseComparatorText(comp: string, options: NpmSemverOptions): string {
  comp = comp.replace(RE.build, '');
  comp = comp.trim().split(/\s+/).map((c) => replaceCaret(c, options)).join(' ');
  comp = comp.trim().split(/\s+/).map((c) => replaceTilde(c, options)).join(' ');
  comp = comp.split(/\s+/).map((c) => replaceXRange(c, options)).join(' ');
  return comp.trim().replace(RE.star, '');
}

function hyphenReplace(includePrerelease: boolean) {
  const z = includePrerelease ? '-0' : '';
  return (
    _all: string,
    from: string,
    fM: string,
    fm: string,
    fp: string,
    fpr: string | undefined,
    _fb: string | undefined,
    to: string,
    tM: string,
    tm: string,
    tp: string,
    tpr: string | undefined,
  ): string => {
    if (isX(fM)) from = '';
    else if (isX(fm)) from = `>=${fM}.0.0${z}`;
    else if (isX(fp)) from = `>=${fM}.${fm}.0${z}`;
    else if (fpr) from = `>=${from}`;
    else from = `>=${from}${z}`;

    if (isX(tM)) to = '';
    else if (isX(tm)) to = `<${inc(tM)}.0.0-0`;
    else if (isX(tp)) to = `<${tM}.${inc(tm)}.0-0`;
    else if (tpr) to = `<=${tM}.${tm}.${tp}-${tpr}`;
    else if (includePrerelease) to = `<${tM}.${tm}.${inc(tp)}-0`;
    else to = `<=${to}`;
    return `${from} ${to}`.trim();
  };
}

function makeComparator(text: string, options: NpmSemverOptions): NpmComparator {
  const comp = text.trim().split(/\s+/).join(' ');
  const m = (options.loose === true ? RE.comparatorLoose : RE.comparator).exec(comp);
  if (m === null) throw rangeError(text, `invalid comparator "${comp}"`);
  let operator = (m[1] ?? '') as Operator | '=';
  if (operator === '=') operator = '';
  if (!m[2]) return { operator, semver: undefined, value: '' };
  const semver = parseNpmVersion(m[2], options);
  return { operator, semver, value: operator + semver.version };
}

const isNullSet = (c: NpmComparator): boolean => c.value === '<0.0.0-0';
const isAny = (c: NpmComparator): boolean => c.value === '';

function parseAlternative(text: string, options: NpmSemverOptions): NpmComparator[] {
  let range = text.replace(options.loose === true ? RE.hyphenLoose : RE.hyphen, hyphenReplace(options.includePrerelease === true));
  range = range.replace(RE.comparatorTrim, '$1$2$3');
  range = range.replace(RE.tildeTrim, '$1~');
  range = range.replace(RE.caretTrim, '$1^');
  let list = range
    .split(' ')
    .map((c) => parseComparatorText(c, options))
    .join(' ')
    .split(/\s+/)
    .map((c) => c.trim().replace(options.includePrerelease === true ? RE.gte0Pre : RE.gte0, ''));
  if (options.loose === true) list = list.filter((c) => RE.comparatorLoose.test(c));
  const byValue = new Map<string, NpmComparator>();
  for (const c of list.map((c) => makeComparator(c, options))) {
    if (isNullSet(c)) return [c];
    byValue.set(c.value, c);
  }
  if (byValue.size > 1 && byValue.has('')) byValue.delete('');
  return [...byValue.values()];
}

/** `new Range(range, options)`; throws a typed error where node-semver throws. */
export function parseNpmRange(range: string, options: NpmSemverOptions = {}): NpmRange {
  if (typeof range !== 'string') throw rangeError(String(range), 'not a string');
  if (range.length > 64 * NPM_MAX_LENGTH) throw rangeError(range, 'too long');
  const raw = range.trim().replace(/\s+/g, ' ');
  let set = raw
    .split('||')
    .map((r) => parseAlternative(r.trim(), options))
    .filter((c) => c.length > 0);
  if (set.length === 0) throw rangeError(range, 'no valid comparator');
  if (set.length > 1) {
    const first = set[0]!;
    set = set.filter((c) => !isNullSet(c[0]!));
    if (set.length === 0) set = [first];
    else if (set.length > 1) {
      for (const c of set) {
        if (c.length === 1 && isAny(c[0]!)) {
          set = [c];
          break;
        }
      }
    }
  }
  return { set, options };
}

function testComparator(c: NpmComparator, version: NpmVersion): boolean {
  if (c.semver === undefined) return true;
  const r = compareNpm(version, c.semver);
  switch (c.operator) {
    case '':
      return r === 0;
    case '<':
      return r < 0;
    case '>':
      return r > 0;
    case '<=':
      return r <= 0;
    case '>=':
      return r >= 0;
  }
}

function testSet(set: NpmComparator[], version: NpmVersion, options: NpmSemverOptions): boolean {
  for (const c of set) if (!testComparator(c, version)) return false;
  if (version.prerelease.length > 0 && options.includePrerelease !== true) {
    // A pre-release passes only if some comparator names a pre-release of the same release.
    for (const c of set) {
      const allowed = c.semver;
      if (allowed === undefined || allowed.prerelease.length === 0) continue;
      if (allowed.major === version.major && allowed.minor === version.minor && allowed.patch === version.patch) return true;
    }
    return false;
  }
  return true;
}

export function rangeIncludes(range: NpmRange, version: string | NpmVersion): boolean {
  let parsed: NpmVersion;
  if (typeof version === 'string') {
    if (version === '') return false;
    try {
      parsed = parseNpmVersion(version, range.options);
    } catch (error) {
      if (error instanceof BulwarkError) return false;
      throw error;
    }
  } else parsed = version;
  return range.set.some((set) => testSet(set, parsed, range.options));
}

/** `semver.satisfies(version, range, options)`: false for an invalid range or version. */
export function satisfies(version: unknown, range: string, options: NpmSemverOptions = {}): boolean {
  if (typeof version !== 'string') return false;
  let parsed: NpmRange;
  try {
    parsed = parseNpmRange(range, options);
  } catch (error) {
    if (error instanceof BulwarkError) return false;
    throw error;
  }
  return rangeIncludes(parsed, version);
}
