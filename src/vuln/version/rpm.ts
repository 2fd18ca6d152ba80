// RPM version ordering: rpmvercmp() from rpm's lib/rpmvercmp.c, and epoch:version-release on top.
import { checkLength, compareDigits, compareStrings, isAsciiAlpha, isAsciiDigit, type VersionScheme } from './scheme.ts';

function isAlnum(c: number): boolean {
  return isAsciiDigit(c) || isAsciiAlpha(c);
}

const TILDE = 126;
const CARET = 94;

/**
 * rpmvercmp(): segments of digits or letters, separators ignored except `~` (sorts before
 * everything, even the end) and `^` (sorts after the end but before anything else).
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== TILDE && at(a, i) !== CARET) i++;
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== TILDE && at(b, j) !== CARET) j++;

    if (at(a, i) === TILDE || at(b, j) === TILDE) {
      if (at(a, i) !== TILDE) return 1;
      if (at(b, j) !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (at(a, i) === CARET || at(b, j) === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (at(a, i) !== CARET) return 1;
      if (at(b, j) !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;

    const numeric = isAsciiDigit(at(a, i));
    const isPart = numeric ? isAsciiDigit : isAsciiAlpha;
    let ei = i;
    while (ei < a.length && isPart(at(a, ei))) ei++;
    let ej = j;
    while (ej < b.length && isPart(at(b, ej))) ej++;
    // The other side has a segment of the other kind: numbers are newer than letters.
    if (ej === j) return numeric ? 1 : -1;
    const segA = a.slice(i, ei);
    const segB = b.slice(j, ej);
    const rc = numeric ? compareDigits(segA, segB) : compareStrings(segA, segB);
    if (rc !== 0) return rc;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface RpmVersion {
  epoch: string;
  version: string;
  release: string;
}

/** `[epoch:]version[-release]`, as RPM databases and advisories write it. */
export function parseRpmEvr(text: string): RpmVersion {
  checkLength('rpm', text);
  let rest = text.trim();
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon !== -1 && /^[0-9]+$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  return hyphen === -1
    ? { epoch, version: rest, release: '' }
    : { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

export function compareRpm(a: RpmVersion, b: RpmVersion): number {
  const epoch = compareDigits(a.epoch, b.epoch);
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(a.version, b.version);
  if (version !== 0) return version;
  return rpmvercmp(a.release, b.release);
}

export const rpmScheme: VersionScheme<RpmVersion> = {
  name: 'rpm',
  parse: parseRpmEvr,
  compare: compareRpm,
};
