// npm's version ordering: SemVer 2.0.0 precedence as node-semver implements it, with its "loose"
// mode (a leading `v`/`=`, spaces, a pre-release without `-`, leading zeros).
import { checkLength, versionError, type VersionScheme } from './scheme.ts';

export interface NpmSemverOptions {
  loose?: boolean;
  includePrerelease?: boolean;
}

/** node-semver's limits: longer strings and larger numbers are not versions. */
export const NPM_MAX_LENGTH = 256;
const MAX_SAFE_BUILD_LENGTH = NPM_MAX_LENGTH - 6;

// The grammar, as regular-expression sources. Repetition is bounded (`{0,N}`) because inputs are
// untrusted: the patterns stay linear in the input's length.
const numericId = '0|[1-9]\\d{0,256}';
const numericIdLoose = '\\d{1,256}';
const letterDashNumber = `[a-zA-Z0-9-]`;
const nonNumericId = `\\d{0,256}[a-zA-Z-]${letterDashNumber}{0,${MAX_SAFE_BUILD_LENGTH}}`;
const mainVersion = `(${numericId})\\.(${numericId})\\.(${numericId})`;
const mainVersionLoose = `(${numericIdLoose})\\.(${numericIdLoose})\\.(${numericIdLoose})`;
const preId = `(?:${nonNumericId}|${numericId})`;
const preIdLoose = `(?:${nonNumericId}|${numericIdLoose})`;
export const PRERELEASE = `(?:-(${preId}(?:\\.${preId})*))`;
export const PRERELEASE_LOOSE = `(?:-?(${preIdLoose}(?:\\.${preIdLoose})*))`;
const buildId = `${letterDashNumber}{1,${MAX_SAFE_BUILD_LENGTH}}`;
export const BUILD = `(?:\\+(${buildId}(?:\\.${buildId})*))`;
export const FULL_PLAIN = `v?${mainVersion}${PRERELEASE}?${BUILD}?`;
export const LOOSE_PLAIN = `[v=\\s]*${mainVersionLoose}${PRERELEASE_LOOSE}?${BUILD}?`;
const FULL = new RegExp(`^${FULL_PLAIN}$`);
const LOOSE = new RegExp(`^${LOOSE_PLAIN}$`);

export interface NpmVersion {
  major: number;
  minor: number;
  patch: number;
  /** Numeric identifiers as numbers, others as strings. */
  prerelease: (string | number)[];
  build: string[];
  /** `major.minor.patch[-prerelease]`, the form node-semver prints. */
  version: string;
}

function component(text: string, what: string, input: string): number {
  const n = Number(text);
  if (n > Number.MAX_SAFE_INTEGER || n < 0) {
    throw versionError('npm', input, `${what} version is larger than ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

/** `new SemVer(version, options)`: throws a typed error where node-semver throws. */
export function parseNpmVersion(input: string, options: NpmSemverOptions = {}): NpmVersion {
  if (typeof input !== 'string') throw versionError('npm', String(input), 'not a string');
  if (input.length > NPM_MAX_LENGTH) throw versionError('npm', input, `longer than ${NPM_MAX_LENGTH} characters`);
  const m = input.trim().match(options.loose === true ? LOOSE : FULL);
  if (m === null) throw versionError('npm', input, 'not a semantic version');
  const major = component(m[1]!, 'major', input);
  const minor = component(m[2]!, 'minor', input);
  const patch = component(m[3]!, 'patch', input);
  const prerelease =
    m[4] === undefined
      ? []
      : m[4].split('.').map((id): string | number => {
          if (/^[0-9]+$/.test(id)) {
            const n = Number(id);
            if (n >= 0 && n < Number.MAX_SAFE_INTEGER) return n;
          }
          return id;
        });
  const build = m[5] === undefined ? [] : m[5].split('.');
  const version = `${major}.${minor}.${patch}${prerelease.length > 0 ? `-${prerelease.join('.')}` : ''}`;
  return { major, minor, patch, prerelease, build, version };
}

const NUMERIC = /^[0-9]+$/;

/** node-semver's compareIdentifiers(): numbers before strings, numbers by value, strings by code unit. */
export function compareIdentifiers(a: string | number, b: string | number): number {
  const aNum = typeof a === 'number' || NUMERIC.test(a);
  const bNum = typeof b === 'number' || NUMERIC.test(b);
  if (aNum && bNum) {
    const x = Number(a);
    const y = Number(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (aNum) return -1;
  if (bNum) return 1;
  const x = String(a);
  const y = String(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareNumber(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

export function compareMain(a: NpmVersion, b: NpmVersion): number {
  return compareNumber(a.major, b.major) || compareNumber(a.minor, b.minor) || compareNumber(a.patch, b.patch);
}

export function comparePrerelease(a: NpmVersion, b: NpmVersion): number {
  // A release is newer than any of its pre-releases.
  if (a.prerelease.length > 0 && b.prerelease.length === 0) return -1;
  if (a.prerelease.length === 0 && b.prerelease.length > 0) return 1;
  for (let i = 0; ; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined && y === undefined) return 0;
    if (y === undefined) return 1;
    if (x === undefined) return -1;
    if (x === y) continue;
    const r = compareIdentifiers(x, y);
    if (r !== 0) return r;
  }
}

/** `semver.compare()`: build metadata never counts. */
export function compareNpm(a: NpmVersion, b: NpmVersion): number {
  return compareMain(a, b) || comparePrerelease(a, b);
}

/** npm registry versions; parsed loosely, as npm itself tolerates a leading `v` in lockfiles. */
export const npmScheme: VersionScheme<NpmVersion> = {
  name: 'npm',
  parse(version: string): NpmVersion {
    checkLength('npm', version);
    return parseNpmVersion(version, { loose: true });
  },
  compare: compareNpm,
};
