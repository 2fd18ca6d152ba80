/**
 * The package inventory of an image: what `bulwark image scan` finds and what the vulnerability
 * matcher (src/vuln/) consumes. This shape is a contract between the two: add optional fields only.
 */

/**
 * OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field), so a package can be
 * looked up in an OSV database without translation. rpm packages of every Red Hat-family distribution
 * are reported as 'Red Hat'; `distro` tells which one.
 */
export type Ecosystem = 'Debian' | 'Alpine' | 'Red Hat' | 'npm' | 'PyPI' | 'Go' | 'Maven';

export const ECOSYSTEMS: readonly Ecosystem[] = ['Debian', 'Alpine', 'Red Hat', 'npm', 'PyPI', 'Go', 'Maven'];

/** The distribution an OS package belongs to, from `/etc/os-release`. */
export interface Distro {
  /** os-release `ID`: `debian`, `alpine`, `rhel`, `rocky`, … */
  id: string;
  /** os-release `VERSION_ID`: `12`, `3.19.1`, `9.3`; empty when the file names none (Debian sid). */
  versionId: string;
}

export interface InventoryPackage {
  /** As the ecosystem spells it (npm scoped names keep their `@scope/`; Maven is `group:artifact`). */
  name: string;
  /** Exactly as installed, epoch included for dpkg/rpm (`1:2.36-9+deb12u4`). */
  version: string;
  /** https://github.com/package-url/purl-spec, e.g. `pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12`. */
  purl: string;
  ecosystem: Ecosystem;
  /**
   * The source package this binary package was built from (dpkg `Source:`, apk origin, rpm SOURCERPM):
   * distribution advisories are keyed by it. Absent for language packages.
   */
  sourceName?: string;
  /** The source package's version when it differs from `version` (dpkg `Source: name (version)`). */
  sourceVersion?: string;
  /** Set on OS packages (Debian, Alpine, Red Hat). */
  distro?: Distro;
  /** SPDX expressions or free text, as the package declares them; absent when it declares none. */
  licenses?: string[];
  /** Digest of the layer that holds the file this package was read from (`sha256:…`); '' for `dir:` sources. */
  layer: string;
  /** Absolute path inside the image of that file (`/var/lib/dpkg/status`, `/app/node_modules/x/package.json`). */
  path: string;
}
