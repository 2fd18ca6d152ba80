import type { FileData, ScanProblem } from '../collect.ts';
import type { MergedFilesystem } from '../layer/filesystem.ts';
import { parseApkInstalled } from './os/apk.ts';
import { parseDebianCopyrightLicenses, parseDpkgStatus } from './os/dpkg.ts';
import { parseOsRelease, type OsRelease } from './os/os-release.ts';
import { parseSourceRpm } from './os/rpm-header.ts';
import { readRpmSqlite } from './os/rpmdb.ts';
import { parseNpmPackageJson, parsePackageLock, type NpmPackage } from './lang/npm.ts';
import { normalisePythonName, parsePythonMetadata, type PythonPackage } from './lang/python.ts';
import type { GoModule } from './lang/go-buildinfo.ts';
import type { Distro, InventoryPackage } from './package.ts';
import { distroQualifier, formatPurl } from './purl.ts';

export interface InventoryResult {
  os: (OsRelease & { path: string }) | null;
  packages: InventoryPackage[];
}

/** purl namespaces of rpm distributions, by os-release ID. */
const RPM_NAMESPACE: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  centos: 'centos',
  fedora: 'fedora',
  rocky: 'rocky',
  almalinux: 'almalinux',
  ol: 'oracle',
  amzn: 'amazon',
  opensuse: 'opensuse',
  'opensuse-leap': 'opensuse',
  sles: 'suse',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
};

/**
 * Turns the files kept from the layers into the package inventory of the final filesystem: what the
 * last layer that wrote each database says, with whiteouts applied. `layerDigest(i)` names layer i.
 */
export function buildInventory(fs: MergedFilesystem<FileData>, layerDigest: (index: number) => string, problems: ScanProblem[]): InventoryResult {
  const packages: InventoryPackage[] = [];
  const text = (path: string): { text: string; layer: string; path: string } | null => {
    const resolved = fs.resolve(path);
    if ('loop' in resolved) {
      problems.push({ level: 'warning', code: 'symlink-loop', message: `symlink loop (more than 40 links) resolving /${path}; not followed`, path: `/${path}` });
      return null;
    }
    if ('missing' in resolved) return null;
    const node = fs.get(resolved.path);
    const content = node?.data?.content;
    if (node === undefined || content === undefined) return null;
    return { text: content.toString('utf8'), layer: layerDigest(node.layer), path: `/${resolved.path}` };
  };
  const problem = (code: string, message: string, path: string, layer?: string): void => {
    problems.push({ level: 'warning', code, message, path, ...(layer === undefined ? {} : { layer }) });
  };

  let os: InventoryResult['os'] = null;
  for (const candidate of ['etc/os-release', 'usr/lib/os-release']) {
    const file = text(candidate);
    if (file !== null) {
      os = { ...parseOsRelease(file.text), path: file.path };
      break;
    }
  }
  const distro: Distro | undefined = os === null ? undefined : { id: os.id, versionId: os.versionId };
  const distroName = distroQualifier(distro);

  // dpkg
  const dpkgFiles: string[] = [];
  for (const [path, node] of fs.nodes()) {
    if (node.kind !== 'file') continue;
    const target = node.data?.target;
    if (target === 'dpkg-status' || target === 'dpkg-status-d') dpkgFiles.push(path);
    else if (target === 'rpm-bdb') problem('rpmdb-unsupported', 'rpm Berkeley DB database (rpm < 4.16): not supported, the rpm packages of this image are not inventoried', `/${path}`, layerDigest(node.layer));
    else if (target === 'rpm-ndb') problem('rpmdb-unsupported', 'rpm ndb database (SUSE): not supported, the rpm packages of this image are not inventoried', `/${path}`, layerDigest(node.layer));
  }
  for (const path of dpkgFiles) {
    const file = text(path);
    if (file === null) continue;
    let entries;
    try {
      entries = parseDpkgStatus(file.text, file.path);
    } catch (error) {
      problem('parse-error', (error as Error).message, file.path, file.layer);
      continue;
    }
    for (const entry of entries) {
      const copyright = text(`usr/share/doc/${entry.name.split(':')[0]}/copyright`);
      const licenses = copyright === null ? [] : parseDebianCopyrightLicenses(copyright.text);
      const namespace = distro?.id === 'ubuntu' ? 'ubuntu' : 'debian';
      const pkg: InventoryPackage = {
        name: entry.name,
        version: entry.version,
        purl: formatPurl({ type: 'deb', namespace, name: entry.name, version: entry.version, qualifiers: { arch: entry.architecture, distro: distroName } }),
        ecosystem: 'Debian',
        sourceName: entry.sourceName,
        layer: file.layer,
        path: file.path,
      };
      if (entry.sourceVersion !== undefined) pkg.sourceVersion = entry.sourceVersion;
      if (distro !== undefined) pkg.distro = distro;
      if (licenses.length > 0) pkg.licenses = licenses;
      packages.push(pkg);
    }
  }

  // apk
  const apk = text('lib/apk/db/installed');
  if (apk !== null) {
    for (const entry of parseApkInstalled(apk.text)) {
      const pkg: InventoryPackage = {
        name: entry.name,
        version: entry.version,
        purl: formatPurl({ type: 'apk', namespace: distro?.id ?? 'alpine', name: entry.name, version: entry.version, qualifiers: { arch: entry.architecture, distro: distroName } }),
        ecosystem: 'Alpine',
        sourceName: entry.origin,
        layer: apk.layer,
        path: apk.path,
      };
      if (distro !== undefined) pkg.distro = distro;
      if (entry.license !== undefined) pkg.licenses = [entry.license];
      packages.push(pkg);
    }
  }

  // rpm (sqlite)
  for (const candidate of ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite']) {
    const resolved = fs.resolve(candidate);
    if (!('path' in resolved) || 'loop' in resolved || 'missing' in resolved) continue;
    const node = fs.get(resolved.path);
    const content = node?.data?.content;
    if (node === undefined || content === undefined) continue;
    const where = `/${resolved.path}`;
    const layer = layerDigest(node.layer);
    const wal = fs.get(`${resolved.path}-wal`)?.data?.content;
    let headers;
    try {
      headers = readRpmSqlite(content, where, (message) => problem('parse-error', message, where, layer), wal);
    } catch (error) {
      problem('parse-error', (error as Error).message, where, layer);
      continue;
    }
    for (const header of headers) {
      if (header.name === 'gpg-pubkey') continue; // imported signing keys, not software
      const version = `${header.version}${header.release === '' ? '' : `-${header.release}`}`;
      const source = header.sourceRpm === undefined ? null : parseSourceRpm(header.sourceRpm);
      const pkg: InventoryPackage = {
        name: header.name,
        version: header.epoch === undefined || header.epoch === 0 ? version : `${header.epoch}:${version}`,
        purl: formatPurl({
          type: 'rpm',
          namespace: RPM_NAMESPACE[distro?.id ?? ''] ?? distro?.id ?? 'redhat',
          name: header.name,
          version,
          qualifiers: { arch: header.arch, distro: distroName, epoch: header.epoch === undefined || header.epoch === 0 ? undefined : String(header.epoch) },
        }),
        ecosystem: 'Red Hat',
        sourceName: source?.name ?? header.name,
        layer,
        path: where,
      };
      if (source !== null && `${source.version}-${source.release}` !== version) pkg.sourceVersion = `${source.version}-${source.release}`;
      if (distro !== undefined) pkg.distro = distro;
      if (header.license !== undefined) pkg.licenses = [header.license];
      packages.push(pkg);
    }
    break;
  }

  // Language packages, and what the layers' binaries and archives declared.
  const lockFiles: string[] = [];
  for (const [path, node] of fs.nodes()) {
    if (node.kind !== 'file' || node.data === undefined) continue;
    const data = node.data;
    const layer = layerDigest(node.layer);
    const where = `/${path}`;
    try {
      if (data.target === 'npm-package') {
        const parsed = packageOf(data, (text) => parseNpmPackageJson(text, where)) as NpmPackage | null;
        if (parsed !== null) packages.push(npmPackage(parsed.name, parsed.version, parsed.licenses, layer, where));
      } else if (data.target === 'npm-lock') {
        lockFiles.push(path);
      } else if (data.target === 'python-metadata') {
        const parsed = packageOf(data, parsePythonMetadata) as PythonPackage | null;
        if (parsed !== null) {
          const pkg: InventoryPackage = {
            name: parsed.name,
            version: parsed.version,
            purl: formatPurl({ type: 'pypi', name: normalisePythonName(parsed.name), version: parsed.version }),
            ecosystem: 'PyPI',
            layer,
            path: where,
          };
          if (parsed.licenses.length > 0) pkg.licenses = parsed.licenses;
          packages.push(pkg);
        }
      }
    } catch (error) {
      problem('parse-error', (error as Error).message, where, layer);
    }
    if (data.go?.kind === 'go') {
      const info = data.go.info;
      const goPackage = (module: GoModule): InventoryPackage => {
        const effective = module.replace !== undefined && module.replace.version !== '' ? module.replace : module;
        const version = effective.version === '' ? '(devel)' : effective.version;
        return {
          name: effective.path,
          version,
          purl: goPurl(effective.path, version === '(devel)' ? undefined : version),
          ecosystem: 'Go',
          layer,
          path: where,
        };
      };
      if (info.main !== undefined && info.main.path !== '') packages.push(goPackage(info.main));
      for (const dep of info.deps) if (dep.path !== '') packages.push(goPackage(dep));
      const goVersion = /^go(\d+\.\d+(?:\.\d+)?)/.exec(info.goVersion)?.[1];
      if (goVersion !== undefined) {
        packages.push({ name: 'stdlib', version: `v${goVersion}`, purl: goPurl('stdlib', `v${goVersion}`), ecosystem: 'Go', layer, path: where });
      }
    } else if (data.go?.kind === 'go-unsupported') {
      problem('go-buildinfo', data.go.reason, where, layer);
    }
    for (const artifact of data.maven ?? []) {
      packages.push({
        name: `${artifact.groupId}:${artifact.artifactId}`,
        version: artifact.version,
        purl: formatPurl({ type: 'maven', namespace: artifact.groupId, name: artifact.artifactId, version: artifact.version }),
        ecosystem: 'Maven',
        layer,
        path: `${where}!/${artifact.entry}`,
      });
    }
  }
  // A lock file whose node_modules is in the image adds nothing: the installed packages were listed.
  for (const path of lockFiles) {
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    const nodeModules = fs.resolve(`${dir}node_modules`);
    if ('path' in nodeModules && !('missing' in nodeModules) && !('loop' in nodeModules)) continue;
    const node = fs.get(path)!;
    const content = node.data?.content;
    if (content === undefined) continue;
    const layer = layerDigest(node.layer);
    try {
      for (const entry of parsePackageLock(content.toString('utf8'), `/${path}`)) packages.push(npmPackage(entry.name, entry.version, entry.licenses, layer, `/${path}`));
    } catch (error) {
      problem('parse-error', (error as Error).message, `/${path}`, layer);
    }
  }
  return { os, packages: sortPackages(packages) };
}

/** The package a file declares: parsed while its layer was read (collect.ts), or now. Throws what parsing threw. */
function packageOf(data: FileData, parse: (text: string) => NpmPackage | PythonPackage | null): NpmPackage | PythonPackage | null {
  if (data.parsed !== undefined) {
    if ('error' in data.parsed) throw new Error(data.parsed.error);
    return data.parsed.package;
  }
  return data.content === undefined ? null : parse(data.content.toString('utf8'));
}

function npmPackage(name: string, version: string, licenses: string[], layer: string, path: string): InventoryPackage {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const pkg: InventoryPackage = {
    name,
    version,
    purl: formatPurl(slash > 0 ? { type: 'npm', namespace: name.slice(0, slash), name: name.slice(slash + 1), version } : { type: 'npm', name, version }),
    ecosystem: 'npm',
    layer,
    path,
  };
  if (licenses.length > 0) pkg.licenses = licenses;
  return pkg;
}

/** The purl golang type splits the module path: namespace `github.com/google`, name `uuid`. */
export function goPurl(modulePath: string, version: string | undefined): string {
  const slash = modulePath.lastIndexOf('/');
  return formatPurl({ type: 'golang', ...(slash > 0 ? { namespace: modulePath.slice(0, slash), name: modulePath.slice(slash + 1) } : { name: modulePath }), ...(version === undefined ? {} : { version }) });
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic order: ecosystem, name, version, path. */
export function sortPackages(packages: InventoryPackage[]): InventoryPackage[] {
  return packages.sort((a, b) => compare(a.ecosystem, b.ecosystem) || compare(a.name, b.name) || compare(a.version, b.version) || compare(a.path, b.path));
}
