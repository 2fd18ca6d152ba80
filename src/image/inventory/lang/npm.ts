import { BulwarkError } from '../../../core/index.ts';

export interface NpmPackage {
  name: string;
  version: string;
  licenses: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A package's declared licence: `"MIT"`, `{ "type": "MIT" }`, or the legacy `licenses: [{ type }]`. */
export function npmLicenses(manifest: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value.trim() !== '') out.push(value.trim());
    else if (isRecord(value) && typeof value.type === 'string' && value.type.trim() !== '') out.push(value.type.trim());
  };
  add(manifest.license);
  if (Array.isArray(manifest.licenses)) for (const entry of manifest.licenses) add(entry);
  return [...new Set(out)];
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BulwarkError('E_PARSE', `${where}: not JSON (${(error as Error).message})`);
  }
}

/** `node_modules/x/package.json`: the installed package, or null when it names no name and version. */
export function parseNpmPackageJson(text: string, where: string): NpmPackage | null {
  const value = parseJson(text, where);
  if (!isRecord(value)) return null;
  const { name, version } = value;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') return null;
  return { name, version, licenses: npmLicenses(value) };
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`: the package name is what follows the last node_modules/. */
function nameFromLockPath(path: string): string | null {
  const index = path.lastIndexOf('node_modules/');
  if (index < 0) return null;
  const name = path.slice(index + 'node_modules/'.length);
  return name === '' ? null : name;
}

const MAX_LOCK_PACKAGES = 200_000;

/**
 * The installed (non-dev) packages of a `package-lock.json`: lockfileVersion 2 and 3 list them in
 * `packages` keyed by install path; version 1 nests them under `dependencies`. Links (workspaces) and
 * the root project are not packages of the image.
 */
export function parsePackageLock(text: string, where: string): NpmPackage[] {
  const value = parseJson(text, where);
  if (!isRecord(value)) throw new BulwarkError('E_PARSE', `${where}: not a JSON object`);
  const out: NpmPackage[] = [];
  const push = (pkg: NpmPackage): void => {
    if (out.length >= MAX_LOCK_PACKAGES) throw new BulwarkError('E_TOO_LARGE', `${where}: more than ${MAX_LOCK_PACKAGES} packages`);
    out.push(pkg);
  };
  if (isRecord(value.packages)) {
    for (const [path, entry] of Object.entries(value.packages)) {
      if (path === '' || !isRecord(entry) || entry.link === true || entry.dev === true) continue;
      const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : nameFromLockPath(path);
      if (name === null || typeof entry.version !== 'string' || entry.version === '') continue;
      push({ name, version: entry.version, licenses: npmLicenses(entry) });
    }
    return out;
  }
  // lockfileVersion 1: a tree, walked iteratively with a bound on depth.
  const stack: { deps: unknown; depth: number }[] = [{ deps: value.dependencies, depth: 0 }];
  while (stack.length > 0) {
    const { deps, depth } = stack.pop()!;
    if (!isRecord(deps) || depth > 64) continue;
    for (const [name, entry] of Object.entries(deps)) {
      if (!isRecord(entry) || entry.dev === true) continue;
      if (typeof entry.version === 'string' && entry.version !== '' && !entry.version.startsWith('file:')) {
        push({ name, version: entry.version, licenses: [] });
      }
      if (entry.dependencies !== undefined) stack.push({ deps: entry.dependencies, depth: depth + 1 });
    }
  }
  return out;
}

/**
 * Whether `path` is the manifest of an installed package: `…/node_modules/NAME/package.json` or
 * `…/node_modules/@SCOPE/NAME/package.json` (not a nested `lib/package.json` inside a package).
 */
export function isInstalledPackageJson(path: string): boolean {
  return /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}
