// Where an installed package is looked up: distribution advisories are keyed by source package
// and scoped to a release (`Debian:12`, `Alpine:v3.20`), language advisories by package name.
import type { InventoryPackage } from '../../image/inventory/package.ts';
import { normalizePackageName } from '../osv/ecosystem.ts';

export interface Lookup {
  /** OSV ecosystem without release. */
  ecosystem: string;
  /** Name as indexed (normalised). */
  name: string;
  /** The version compared with the advisory's ranges (the source version for source lookups). */
  version: string;
  /** Whether an advisory scoped to `release` applies to this package's distribution release. */
  release: (release: string) => boolean;
  /** `Debian:12`-style label of what was matched, for reports. */
  label: (release: string) => string;
}

const any = (): boolean => true;
const plain = (ecosystem: string) => (release: string) => (release === '' ? ecosystem : `${ecosystem}:${release}`);

function major(versionId: string): string {
  return /^([0-9]+)/.exec(versionId)?.[1] ?? '';
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

const RPM_ECOSYSTEMS: Readonly<Record<string, string>> = {
  rhel: 'Red Hat',
  centos: 'Red Hat',
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
  opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE',
  'opensuse-tumbleweed': 'openSUSE',
  sles: 'SUSE',
  mageia: 'Mageia',
  photon: 'Photon OS',
  openeuler: 'openEuler',
  azurelinux: 'Azure Linux',
};

const APK_ECOSYSTEMS: Readonly<Record<string, string>> = { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard' };

export function lookupsFor(pkg: InventoryPackage): Lookup[] {
  switch (pkg.ecosystem) {
    case 'Debian': {
      const distro = pkg.distro?.id ?? 'debian';
      const name = pkg.sourceName ?? pkg.name;
      const version = pkg.sourceVersion ?? pkg.version;
      const versionId = pkg.distro?.versionId ?? '';
      if (distro === 'ubuntu') {
        // `22.04:LTS`, `24.04`; Ubuntu Pro (ESM) advisories concern packages from a subscription.
        const release = (r: string): boolean => r === '' || (!r.startsWith('Pro:') && r.split(':').includes(versionId));
        return [{ ecosystem: 'Ubuntu', name, version, release, label: plain('Ubuntu') }];
      }
      const release = (r: string): boolean => r === '' || (versionId !== '' && r === major(versionId));
      return [{ ecosystem: 'Debian', name, version, release, label: plain('Debian') }];
    }
    case 'Alpine': {
      const ecosystem = APK_ECOSYSTEMS[pkg.distro?.id ?? 'alpine'] ?? 'Alpine';
      const branch = /^([0-9]+\.[0-9]+)/.exec(pkg.distro?.versionId ?? '')?.[1];
      const release = ecosystem === 'Alpine' ? (r: string): boolean => r === '' || (branch !== undefined && r === `v${branch}`) : any;
      return [{ ecosystem, name: pkg.sourceName ?? pkg.name, version: pkg.version, release, label: plain(ecosystem) }];
    }
    case 'Red Hat': {
      const ecosystem = RPM_ECOSYSTEMS[pkg.distro?.id ?? 'rhel'] ?? 'Red Hat';
      const wanted = major(pkg.distro?.versionId ?? '');
      // Red Hat scopes advisories by CPE (`rhel_eus:9.2::baseos`), the others by release number.
      const release = (r: string): boolean => {
        if (r === '' || wanted === '') return true;
        const numbers = r.split(':').map((part) => /^([0-9]+)(?:\.[0-9]+)*$/.exec(part)?.[1]).filter((n) => n !== undefined);
        return numbers.length === 0 || numbers.includes(wanted);
      };
      // Red Hat names binary RPMs, the rebuilds name source RPMs.
      const names = ecosystem === 'Red Hat' ? unique([pkg.name, pkg.sourceName ?? pkg.name]) : unique([pkg.sourceName ?? pkg.name, pkg.name]);
      return names.map((name) => ({
        ecosystem,
        name,
        version: name === pkg.name ? pkg.version : (pkg.sourceVersion ?? pkg.version),
        release,
        label: plain(ecosystem),
      }));
    }
    case 'PyPI':
      return [{ ecosystem: 'PyPI', name: normalizePackageName('PyPI', pkg.name), version: pkg.version, release: any, label: plain('PyPI') }];
    case 'npm':
    case 'Go':
    case 'Maven':
      return [{ ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version, release: any, label: plain(pkg.ecosystem) }];
    default:
      return [];
  }
}
