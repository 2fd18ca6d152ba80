import { isInstalledPackageJson } from './lang/npm.ts';

/** The files whose bytes the inventory needs, and how many bytes of each it will hold. */
export type TargetKind =
  | 'os-release'
  | 'dpkg-status'
  | 'dpkg-status-d'
  | 'dpkg-copyright'
  | 'apk-installed'
  | 'rpm-sqlite'
  | 'rpm-sqlite-wal'
  | 'rpm-bdb'
  | 'rpm-ndb'
  | 'npm-lock'
  | 'npm-package'
  | 'python-metadata';

export interface Target {
  kind: TargetKind;
  maxBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const EXACT: ReadonlyMap<string, Target> = new Map([
  ['etc/os-release', { kind: 'os-release', maxBytes: 64 * KiB }],
  ['usr/lib/os-release', { kind: 'os-release', maxBytes: 64 * KiB }],
  ['var/lib/dpkg/status', { kind: 'dpkg-status', maxBytes: 64 * MiB }],
  ['lib/apk/db/installed', { kind: 'apk-installed', maxBytes: 64 * MiB }],
  ['var/lib/rpm/rpmdb.sqlite', { kind: 'rpm-sqlite', maxBytes: 512 * MiB }],
  ['usr/lib/sysimage/rpm/rpmdb.sqlite', { kind: 'rpm-sqlite', maxBytes: 512 * MiB }],
  ['var/lib/rpm/rpmdb.sqlite-wal', { kind: 'rpm-sqlite-wal', maxBytes: 512 * MiB }],
  ['usr/lib/sysimage/rpm/rpmdb.sqlite-wal', { kind: 'rpm-sqlite-wal', maxBytes: 512 * MiB }],
  // Berkeley DB and ndb databases are recognised so their presence is reported, never read.
  ['var/lib/rpm/Packages', { kind: 'rpm-bdb', maxBytes: 0 }],
  ['var/lib/rpm/Packages.db', { kind: 'rpm-ndb', maxBytes: 0 }],
  ['usr/lib/sysimage/rpm/Packages.db', { kind: 'rpm-ndb', maxBytes: 0 }],
]);

/** What the inventory wants of `path`, or null. Called for every file of every layer: keep it cheap. */
export function targetOf(path: string): Target | null {
  const exact = EXACT.get(path);
  if (exact !== undefined) return exact;
  const base = path.slice(path.lastIndexOf('/') + 1);
  switch (base) {
    case 'package.json':
      return isInstalledPackageJson(path) ? { kind: 'npm-package', maxBytes: 1 * MiB } : null;
    case 'package-lock.json':
      return path.includes('node_modules/') ? null : { kind: 'npm-lock', maxBytes: 64 * MiB };
    case 'METADATA':
      return path.endsWith('.dist-info/METADATA') ? { kind: 'python-metadata', maxBytes: 1 * MiB } : null;
    case 'PKG-INFO':
      return path.endsWith('.egg-info/PKG-INFO') ? { kind: 'python-metadata', maxBytes: 1 * MiB } : null;
    case 'copyright':
      return path.startsWith('usr/share/doc/') && path.split('/').length === 5 ? { kind: 'dpkg-copyright', maxBytes: 256 * KiB } : null;
  }
  // An .egg-info that is a file (not a directory) holds the metadata itself.
  if (base.endsWith('.egg-info') && (path.includes('-packages/') || path.includes('/site-packages'))) return { kind: 'python-metadata', maxBytes: 1 * MiB };
  if (path.startsWith('var/lib/dpkg/status.d/') && !base.includes('.')) return { kind: 'dpkg-status-d', maxBytes: 4 * MiB };
  return null;
}

export const JAVA_ARCHIVE = /\.(?:jar|war|ear)$/i;
/** Jars are zip files whose directory is at the end: they are held whole, up to this size. */
export const MAX_JAVA_ARCHIVE_BYTES = 128 * MiB;
/** Executables smaller than this are scripts or stubs, never Go binaries. */
export const MIN_EXECUTABLE_BYTES = 4 * KiB;
