import { BulwarkError } from '../../core/index.ts';

/**
 * One ecosystem's version ordering. `parse` rejects what the ecosystem's own tool rejects, with a
 * typed error; `compare` is a total preorder on what `parse` accepts (negative, zero, positive).
 */
export interface VersionScheme<T = unknown> {
  /** Stable name used in messages and tests: `dpkg`, `rpm`, `apk`, `npm`, `pep440`, `go`, `maven`, `semver`. */
  readonly name: string;
  parse(version: string): T;
  compare(a: T, b: T): number;
}

/** Longest version string any scheme accepts; real ones are far shorter, this only bounds work. */
export const MAX_VERSION_LENGTH = 1024;

export function versionError(scheme: string, version: string, reason: string): BulwarkError {
  const shown = version.length > 80 ? `${version.slice(0, 77)}...` : version;
  return new BulwarkError('E_PARSE', `invalid ${scheme} version ${JSON.stringify(shown)}: ${reason}`);
}

export function checkLength(scheme: string, version: string): void {
  if (typeof version !== 'string') throw versionError(scheme, String(version), 'not a string');
  if (version.length > MAX_VERSION_LENGTH) {
    throw versionError(scheme, version, `longer than ${MAX_VERSION_LENGTH} characters`);
  }
}

/** -1, 0 or 1. */
export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers, so that versions with
 * numbers beyond 2^53 (dates with times, build stamps) still order exactly.
 */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let k = 0; k < la; k++) {
    const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (UTF-16 code unit) comparison, as C's strcmp/memcmp on ASCII and Java's String.compareTo. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Parses once and remembers: matching compares one installed version with many range events, and
 * the same event versions recur across packages.
 */
export class ParsedVersions<T> {
  readonly #scheme: VersionScheme<T>;
  readonly #cache = new Map<string, T | BulwarkError>();
  readonly #limit: number;

  constructor(scheme: VersionScheme<T>, limit = 50_000) {
    this.#scheme = scheme;
    this.#limit = limit;
  }

  get scheme(): VersionScheme<T> {
    return this.#scheme;
  }

  /** The parsed version, or the typed error explaining why it is not one. */
  get(version: string): T | BulwarkError {
    let parsed = this.#cache.get(version);
    if (parsed === undefined) {
      try {
        parsed = this.#scheme.parse(version);
      } catch (error) {
        if (!(error instanceof BulwarkError)) throw error;
        parsed = error;
      }
      if (this.#cache.size >= this.#limit) this.#cache.clear();
      this.#cache.set(version, parsed);
    }
    return parsed;
  }
}
