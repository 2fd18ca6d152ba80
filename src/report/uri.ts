import { isAbsolute, relative, resolve, sep } from 'node:path';
import { STDIN_FILE } from './model.ts';

/**
 * How a finding's `file` is addressed in a SARIF document: relative to the scanned project
 * (`SRCROOT`) when it lies inside it, as an absolute URI otherwise, and without a URI at all when
 * there is no file to point at (stdin, or a source name no URI can express).
 */
export type ArtifactAddress =
  | { kind: 'relative'; uri: string }
  | { kind: 'absolute'; uri: string }
  | { kind: 'described'; description: string };

export interface AddressOptions {
  /** Absolute directory that relative URIs are relative to (the SARIF `SRCROOT`). */
  baseDir?: string | undefined;
  /** Directory that relative `file` values were given relative to; defaults to `baseDir`. */
  cwd?: string | undefined;
}

// Sources that are not files (a cluster, a registry) are named by their producers as `scheme://…`.
const SCHEME_URI = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;
const WINDOWS_DRIVE = /^[A-Za-z]:$/;

export function artifactAddress(file: string, options: AddressOptions): ArtifactAddress {
  if (file === STDIN_FILE) return { kind: 'described', description: 'standard input' };
  if (file === '') return { kind: 'described', description: 'unnamed source' };
  if (SCHEME_URI.test(file)) {
    const uri = encodeUriText(file);
    return URL.canParse(uri) ? { kind: 'absolute', uri } : { kind: 'described', description: file };
  }
  const { baseDir } = options;
  if (baseDir === undefined) {
    if (isAbsolute(file)) return { kind: 'absolute', uri: fileUri(file) };
    return { kind: 'relative', uri: encodeSegments(normalizeRelative(file)) };
  }
  const absolute = resolve(options.cwd ?? baseDir, file);
  const inside = relative(baseDir, absolute);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { kind: 'absolute', uri: fileUri(absolute) };
  }
  return { kind: 'relative', uri: encodeSegments(splitPath(inside)) };
}

/** `file:///abs/dir/`: SARIF requires a base URI to end with a slash. */
export function directoryUri(absoluteDir: string): string {
  const uri = fileUri(absoluteDir);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

export function fileUri(absolutePath: string): string {
  const parts = splitPath(absolutePath);
  // `\\server\share\x` (UNC): the server becomes the authority.
  if (parts.length > 2 && parts[0] === '' && parts[1] === '') {
    return `file://${encodeSegments(parts.slice(2))}`;
  }
  if (parts[0] !== undefined && WINDOWS_DRIVE.test(parts[0])) {
    return `file:///${parts[0]}/${encodeSegments(parts.slice(1))}`;
  }
  return `file://${encodeSegments(parts)}`;
}

function splitPath(path: string): string[] {
  return sep === '\\' ? path.split(/[\\/]/) : path.split('/');
}

/** Drops `.` and resolves `..` where it can, so `./a/../b.yaml` and `b.yaml` name one artifact. */
function normalizeRelative(path: string): string[] {
  const out: string[] = [];
  for (const part of splitPath(path)) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? ['.'] : out;
}

function encodeSegments(parts: readonly string[]): string {
  return parts.map((part) => (part === '.' || part === '..' ? part : encodeURIComponent(part.toWellFormed()))).join('/');
}

// RFC 3986 characters that may stand unescaped in a URI; `%` only as the start of an escape.
const NOT_URI_CHARACTER = /[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/gu;

/** Percent-encodes whatever in a producer-given URI RFC 3986 does not allow. */
function encodeUriText(text: string): string {
  return text.toWellFormed().replace(NOT_URI_CHARACTER, (character) => encodeURIComponent(character));
}
