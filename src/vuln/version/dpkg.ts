// Debian version ordering: Debian Policy §5.6.12, as dpkg's parseversion() and verrevcmp() apply it.
import { checkLength, isAsciiAlpha, isAsciiDigit, versionError, type VersionScheme } from './scheme.ts';

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
  /** dpkg accepts the version but warns (bad characters, upstream not starting with a digit). */
  warning?: string;
}

export type DpkgParseResult = { ok: true; version: DpkgVersion } | { ok: false; error: string };

const INT_MAX = 2147483647;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * dpkg's own verdict: an error for what it refuses, a warning for what it accepts but flags. Only
 * spaces and tabs count as blanks, as in dpkg.
 */
export function parseDpkgVersion(input: string): DpkgParseResult {
  let start = 0;
  while (start < input.length && isBlank(input.charCodeAt(start))) start++;
  if (start === input.length) return { ok: false, error: 'version string is empty' };
  let end = start;
  while (end < input.length && !isBlank(input.charCodeAt(end))) end++;
  for (let i = end; i < input.length; i++) {
    if (!isBlank(input.charCodeAt(i))) return { ok: false, error: 'version string has embedded spaces' };
  }
  let text = input.slice(start, end);

  let epoch = 0;
  const colon = text.indexOf(':');
  if (colon !== -1) {
    // strtol() semantics: an optional sign, then digits; anything else before the colon is refused.
    const match = /^[+-]?[0-9]+/.exec(text);
    if (match === null) return { ok: false, error: 'epoch in version is empty' };
    if (match[0].length !== colon) return { ok: false, error: 'epoch in version is not number' };
    const value = BigInt(match[0]);
    if (value < 0n) return { ok: false, error: 'epoch in version is negative' };
    if (value > BigInt(INT_MAX)) return { ok: false, error: 'epoch in version is too big' };
    if (colon + 1 === text.length) return { ok: false, error: 'nothing after colon in version number' };
    epoch = Number(value);
    text = text.slice(colon + 1);
  }

  const hyphen = text.lastIndexOf('-');
  const upstream = hyphen === -1 ? text : text.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : text.slice(hyphen + 1);
  if (upstream === '') return { ok: false, error: 'version number is empty' };

  const version: DpkgVersion = { epoch, upstream, revision };
  const warning = dpkgWarning(upstream, revision);
  if (warning !== undefined) version.warning = warning;
  return { ok: true, version };
}

function dpkgWarning(upstream: string, revision: string): string | undefined {
  if (!isAsciiDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && '.-+~:'.indexOf(upstream[i]!) === -1) {
      return 'invalid character in version number';
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && '.+~'.indexOf(revision[i]!) === -1) {
      return 'invalid character in revision number';
    }
  }
  return undefined;
}

/** dpkg's character weight: `~` before everything (even the end), letters before non-letters. */
function order(c: number): number {
  if (Number.isNaN(c) || c === 0) return 0;
  if (isAsciiDigit(c)) return 0;
  if (isAsciiAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

/** verrevcmp(): alternating non-digit and digit runs; digit runs compare as numbers. */
export function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isAsciiDigit(a.charCodeAt(i))) || (j < b.length && !isAsciiDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isAsciiDigit(a.charCodeAt(i)) && isAsciiDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isAsciiDigit(a.charCodeAt(i))) return 1;
    if (isAsciiDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

export function compareDpkg(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const upstream = compareDpkgPart(a.upstream, b.upstream);
  if (upstream !== 0) return upstream;
  return compareDpkgPart(a.revision, b.revision);
}

export const dpkgScheme: VersionScheme<DpkgVersion> = {
  name: 'dpkg',
  parse(version: string): DpkgVersion {
    checkLength('dpkg', version);
    const result = parseDpkgVersion(version);
    if (!result.ok) throw versionError('dpkg', version, result.error);
    return result.version;
  },
  compare: compareDpkg,
};
