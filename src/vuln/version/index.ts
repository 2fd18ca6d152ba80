import { apkScheme } from './apk.ts';
import { dpkgScheme } from './dpkg.ts';
import { mavenScheme } from './maven.ts';
import { npmScheme } from './npm-semver.ts';
import { pep440Scheme } from './pep440.ts';
import { rpmScheme } from './rpm.ts';
import type { VersionScheme } from './scheme.ts';
import { goScheme, semverScheme } from './semver2.ts';

export * from './scheme.ts';
export { apkScheme, compareApk, isValidApkVersion } from './apk.ts';
export { compareDpkg, dpkgScheme, parseDpkgVersion, type DpkgVersion } from './dpkg.ts';
export { compareMaven, mavenScheme, parseMavenVersion } from './maven.ts';
export { compareNpm, npmScheme, parseNpmVersion, type NpmVersion } from './npm-semver.ts';
export { parseNpmRange, rangeIncludes, satisfies, type NpmRange } from './npm-range.ts';
export { comparePep440, parsePep440, pep440Scheme } from './pep440.ts';
export { compareRpm, parseRpmEvr, rpmScheme, rpmvercmp } from './rpm.ts';
export { compareSemver2, goScheme, isGoPseudoVersion, parseGoVersion, parseSemver2, semverScheme } from './semver2.ts';

/** Which ordering an OSV ecosystem (without its `:release` suffix) uses for `ECOSYSTEM` ranges. */
const BY_ECOSYSTEM: Readonly<Record<string, VersionScheme<any>>> = {
  Debian: dpkgScheme,
  Ubuntu: dpkgScheme,
  Alpine: apkScheme,
  Wolfi: apkScheme,
  Chainguard: apkScheme,
  MinimOS: apkScheme,
  'Red Hat': rpmScheme,
  'Rocky Linux': rpmScheme,
  AlmaLinux: rpmScheme,
  openSUSE: rpmScheme,
  SUSE: rpmScheme,
  Mageia: rpmScheme,
  'Photon OS': rpmScheme,
  openEuler: rpmScheme,
  'Azure Linux': rpmScheme,
  npm: npmScheme,
  PyPI: pep440Scheme,
  Go: goScheme,
  Maven: mavenScheme,
  'crates.io': semverScheme,
};

export const SUPPORTED_ECOSYSTEMS: readonly string[] = Object.keys(BY_ECOSYSTEM);

/**
 * The ordering for a range: `SEMVER` ranges use SemVer 2.0.0 precedence (Go's own parser for Go,
 * which agrees on valid versions and reads `v`-prefixed ones); `ECOSYSTEM` ranges the ecosystem's.
 * Undefined when Bulwark does not know the ecosystem's ordering.
 */
export function schemeFor(ecosystem: string, rangeType: string): VersionScheme<any> | undefined {
  if (rangeType === 'SEMVER') return ecosystem === 'Go' ? goScheme : semverScheme;
  if (rangeType === 'ECOSYSTEM') return Object.hasOwn(BY_ECOSYSTEM, ecosystem) ? BY_ECOSYSTEM[ecosystem] : undefined;
  return undefined;
}
