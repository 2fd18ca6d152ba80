// Kubernetes semver library ("kubernetes.Semver", since 1.33): semver(), isSemver() (with the
// optional normalisation of version 1), major/minor/patch and comparisons, per semver.org 2.0 as
// github.com/blang/semver parses it.
import type { CelFunc, CelValue } from '@bufbuild/cel';
import { globalFn, isBool, isString, memberFn, opaque } from '../overload.ts';
import { asCel, Opaque } from '../values.ts';

export class Semver extends Opaque {
  readonly typeName = 'kubernetes.Semver';
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: readonly string[];
  readonly build: readonly string[];

  constructor(major: bigint, minor: bigint, patch: bigint, pre: readonly string[], build: readonly string[]) {
    super();
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.build = build;
  }

  /** Build metadata does not take part in equality, as semver.org says. */
  protected identity(): [string, CelValue] {
    return [this.typeName, `${this.major}.${this.minor}.${this.patch}${this.pre.length > 0 ? `-${this.pre.join('.')}` : ''}`];
  }

  toString(): string {
    return `${this.identity()[1] as string}${this.build.length > 0 ? `+${this.build.join('.')}` : ''}`;
  }
}

const UINT64_MAX = (1n << 64n) - 1n;

function number(part: string, what: string): bigint {
  if (!/^[0-9]*$/.test(part)) throw new Error(`Invalid character(s) found in ${what} number ${JSON.stringify(part)}`);
  if (part.length > 1 && part[0] === '0') throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} number must not contain leading zeroes ${JSON.stringify(part)}`);
  if (part === '') throw new Error(`strconv.ParseUint: parsing "": invalid syntax`);
  const value = BigInt(part);
  if (value > UINT64_MAX) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(part)}: value out of range`);
  return value;
}

export function parseSemver(s: string): Semver {
  if (s.length === 0) throw new Error('Version string empty');
  const first = s.indexOf('.');
  const second = first < 0 ? -1 : s.indexOf('.', first + 1);
  if (first < 0 || second < 0) throw new Error('No Major.Minor.Patch elements found');
  const major = number(s.slice(0, first), 'major');
  const minor = number(s.slice(first + 1, second), 'minor');
  let patchText = s.slice(second + 1);
  let build: string[] = [];
  let pre: string[] = [];
  const plus = patchText.indexOf('+');
  if (plus >= 0) {
    build = patchText.slice(plus + 1).split('.');
    patchText = patchText.slice(0, plus);
  }
  const dash = patchText.indexOf('-');
  if (dash >= 0) {
    pre = patchText.slice(dash + 1).split('.');
    patchText = patchText.slice(0, dash);
  }
  const patch = number(patchText, 'patch');
  for (const part of pre) {
    if (part === '') throw new Error('Prerelease is empty');
    if (/^[0-9]+$/.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new Error(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(part)}`);
    } else if (!/^[0-9A-Za-z-]+$/.test(part)) throw new Error(`Invalid character(s) found in prerelease ${JSON.stringify(part)}`);
  }
  for (const part of build) {
    if (part === '') throw new Error('Build meta data is empty');
    if (!/^[0-9A-Za-z-]+$/.test(part)) throw new Error(`Invalid character(s) found in build meta data ${JSON.stringify(part)}`);
  }
  return new Semver(major, minor, patch, pre, build);
}

/** The library's normalisation: no leading "v", missing minor/patch filled with 0, no leading zeros. */
function normalizeAndParse(input: string): Semver {
  const s = input.startsWith('v') ? input.slice(1) : input;
  const parts: string[] = [];
  let rest = s;
  for (let i = 0; i < 2; i++) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    parts.push(rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
  parts.push(rest);
  for (let i = 0; i < parts.length; i++) {
    let p = parts[i]!;
    if (p.length > 1) {
      p = p.replace(/^0+/, '');
      if (p.length === 0 || !/[0-9]/.test(p[0]!)) p = `0${p}`;
      parts[i] = p;
    }
  }
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1]!)) throw new Error('short version cannot contain PreRelease/Build meta data');
    while (parts.length < 3) parts.push('0');
  }
  return parseSemver(parts.join('.'));
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: Semver, b: Semver): number {
  for (const [x, y] of [
    [a.major, b.major],
    [a.minor, b.minor],
    [a.patch, b.patch],
  ] as const) {
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIdentifiers(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

function valid(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

const isSemverValue = opaque(Semver);
const sv = (v: CelValue): Semver => v as unknown as Semver;

export const semverFunctions: CelFunc[] = [
  globalFn('semver', [isString], (s) => asCel(parseSemver(s as string))),
  globalFn('semver', [isString, isBool], (s, n) => asCel(n ? normalizeAndParse(s as string) : parseSemver(s as string))),
  globalFn('isSemver', [isString], (s) => valid(() => parseSemver(s as string))),
  globalFn('isSemver', [isString, isBool], (s, n) => valid(() => (n ? normalizeAndParse(s as string) : parseSemver(s as string)))),
  memberFn('major', isSemverValue, [], (v) => sv(v).major),
  memberFn('minor', isSemverValue, [], (v) => sv(v).minor),
  memberFn('patch', isSemverValue, [], (v) => sv(v).patch),
  memberFn('isGreaterThan', isSemverValue, [isSemverValue], (a, b) => compareSemver(sv(a), sv(b)) > 0),
  memberFn('isLessThan', isSemverValue, [isSemverValue], (a, b) => compareSemver(sv(a), sv(b)) < 0),
  memberFn('compareTo', isSemverValue, [isSemverValue], (a, b) => BigInt(compareSemver(sv(a), sv(b)))),
];
