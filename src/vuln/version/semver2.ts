// SemVer 2.0.0 (semver.org) precedence, for OSV `SEMVER` ranges and crates.io; and Go's module
// versions (golang.org/x/mod/semver): a required `v`, `vMAJOR` and `vMAJOR.MINOR` shorthands, and
// pseudo-versions, which are ordinary pre-releases and so order by commit time.
import { checkLength, compareDigits, versionError, type VersionScheme } from './scheme.ts';

export interface Semver2 {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUM = '0|[1-9][0-9]*';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const STRICT = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/** A SemVer 2.0.0 version exactly as semver.org's grammar allows. */
export function parseSemver2(version: string): Semver2 {
  checkLength('semver', version);
  const m = STRICT.exec(version);
  if (m === null) throw versionError('semver', version, 'not a SemVer 2.0.0 version');
  return {
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/**
 * What OSV `SEMVER` events and installed versions look like in practice: a leading `v` and missing
 * minor or patch numbers are tolerated (`v1.2` is 1.2.0), the rest is SemVer 2.0.0.
 */
const LENIENT = new RegExp(
  `^[vV]?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${BUILD_ID}(?:\\.${BUILD_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

export function parseLenientSemver(version: string): Semver2 {
  checkLength('semver', version);
  const m = LENIENT.exec(version.trim());
  if (m === null) throw versionError('semver', version, 'not a semantic version');
  return {
    major: m[1]!,
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

function comparePrereleaseIds(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) {
    if (a.length === b.length) return 0;
    return a.length === 0 ? 1 : -1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    let r: number;
    if (xn && yn) r = compareDigits(x, y);
    else if (xn || yn) r = xn ? -1 : 1;
    else r = x < y ? -1 : x > y ? 1 : 0;
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** semver.org §11: major, minor, patch numerically, then pre-release; build metadata ignored. */
export function compareSemver2(a: Semver2, b: Semver2): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrereleaseIds(a.prerelease, b.prerelease)
  );
}

export const semverScheme: VersionScheme<Semver2> = {
  name: 'semver',
  parse: parseLenientSemver,
  compare: compareSemver2,
};

const GO_NUM = '0|[1-9][0-9]*';
const GO = new RegExp(
  `^v(${GO_NUM})(?:\\.(${GO_NUM})(?:\\.(${GO_NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?)?)?$`,
);

/**
 * golang.org/x/mod/semver's parse: `v` required, shorthands only without pre-release or build.
 * Go toolchain versions (`go1.21.0`, `go1.21rc2`) are converted first, as the Go vulnerability
 * database writes the standard library's versions without the `go` prefix.
 */
export function parseGoVersion(version: string): Semver2 {
  checkLength('go', version);
  const text = goToolchainToSemver(version) ?? version;
  const m = GO.exec(text);
  if (m === null) throw versionError('go', version, 'not a Go module version (vMAJOR.MINOR.PATCH)');
  return {
    major: m[1]!,
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/** `go1.21.0` → `v1.21.0`, `go1.21rc2` → `v1.21.0-rc.2`, `go1.9` → `v1.9.0`. */
export function goToolchainToSemver(version: string): string | undefined {
  const m = /^go([0-9]+)\.([0-9]+)(?:\.([0-9]+))?(?:(rc|beta|alpha)([0-9]+))?$/.exec(version);
  if (m === null) return undefined;
  const [, major, minor, patch = '0', pre, n] = m;
  return `v${major}.${minor}.${patch}${pre === undefined ? '' : `-${pre}.${n}`}`;
}

/**
 * A Go pseudo-version: `vX.Y.Z-yyyymmddhhmmss-abcdef012345`, `vX.Y.Z-pre.0.yyyymmddhhmmss-…` or
 * `vX.Y.(Z+1)-0.yyyymmddhhmmss-…`.
 */
export function isGoPseudoVersion(version: string): boolean {
  return /^v[0-9]+\.[0-9]+\.[0-9]+-(?:[0-9A-Za-z-]+\.)?(?:0\.)?[0-9]{14}-[0-9a-f]{12}(?:\+[0-9A-Za-z-.]+)?$/.test(version);
}

/** Versions in Go's vulnerability database have no `v`; installed module versions do. */
export function normalizeGoVersion(version: string): string {
  if (goToolchainToSemver(version) !== undefined) return version;
  return /^[0-9]/.test(version) ? `v${version}` : version;
}

export const goScheme: VersionScheme<Semver2> = {
  name: 'go',
  parse: (version: string) => parseGoVersion(normalizeGoVersion(version)),
  compare: compareSemver2,
};
