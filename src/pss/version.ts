// Pod Security Standards policy versions, as the `pod-security.kubernetes.io/*-version` labels write
// them. A version pins the behaviour of every check to what that Kubernetes minor release enforced.
import { BulwarkError } from '../core/index.ts';

export type PssVersion = 'latest' | `v1.${number}`;

/** The newest minor release whose behaviour Bulwark knows; `latest` means this one. */
export const PSS_NEWEST_MINOR = 37;
export const PSS_LATEST: PssVersion = 'latest';

const VERSION_PATTERN = /^v1\.(0|[1-9][0-9]?)$/;

/** v1.0 … v1.37, oldest first (without `latest`). */
export const PSS_VERSIONS: readonly PssVersion[] = Array.from(
  { length: PSS_NEWEST_MINOR + 1 },
  (_, minor): PssVersion => `v1.${minor}`,
);

function minorOf(text: string): number | undefined {
  if (text === 'latest') return PSS_NEWEST_MINOR;
  const match = VERSION_PATTERN.exec(text);
  if (match === null) return undefined;
  const minor = Number(match[1]);
  return minor <= PSS_NEWEST_MINOR ? minor : undefined;
}

export function isPssVersion(value: unknown): value is PssVersion {
  return typeof value === 'string' && minorOf(value) !== undefined;
}

/** Validates user input (`--pss-version`, a config file, a namespace label). */
export function parsePssVersion(text: string): PssVersion {
  if (minorOf(text) === undefined) throw unknownVersion(text);
  return text as PssVersion;
}

function unknownVersion(text: unknown): BulwarkError {
  return new BulwarkError(
    'E_USAGE',
    `unknown Pod Security Standards version ${JSON.stringify(text)}: use v1.0 … v1.${PSS_NEWEST_MINOR} or latest`,
  );
}

const minorCache = new Map<string, number>();

/** The Kubernetes minor number a version stands for; `latest` is the newest known. */
export function pssMinor(version: PssVersion): number {
  let minor = minorCache.get(version);
  if (minor === undefined) {
    minor = minorOf(version);
    if (minor === undefined) throw unknownVersion(version);
    minorCache.set(version, minor);
  }
  return minor;
}

/** Negative when `a` is older than `b`, 0 when they mean the same policy, positive when newer. */
export function comparePssVersions(a: PssVersion, b: PssVersion): number {
  return pssMinor(a) - pssMinor(b);
}

/** Whether `version` enforces what was introduced in Kubernetes 1.`minor`. */
export function pssAtLeast(version: PssVersion, minor: number): boolean {
  return pssMinor(version) >= minor;
}
