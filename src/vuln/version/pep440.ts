// Python version ordering: PEP 440 (as the `packaging` library normalises and orders versions).
import { checkLength, compareDigits, versionError, type VersionScheme } from './scheme.ts';

const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:([0-9]+)!)?' + // epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // release
    '(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' + // pre-release
    '(?:(?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' + // post-release
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // development release
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // local version
    '\\s*$',
  'i',
);

export interface Pep440Version {
  epoch: string;
  /** Release numbers with trailing zeros removed (1.0 == 1.0.0). */
  release: string[];
  pre: { label: 'a' | 'b' | 'rc'; n: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: (string | number)[] | undefined;
  /** Local segments kept as digit strings to order numbers of any size. */
  localKey: { numeric: boolean; text: string }[] | undefined;
}

const PRE_LABEL: Readonly<Record<string, 'a' | 'b' | 'rc'>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

export function parsePep440(version: string): Pep440Version {
  checkLength('PEP 440', version);
  const m = PATTERN.exec(version);
  if (m === null) throw versionError('PEP 440', version, 'not a PEP 440 version');
  const release = m[2]!.split('.');
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  const pre = m[3] === undefined ? undefined : { label: PRE_LABEL[m[3].toLowerCase()]!, n: m[4] ?? '0' };
  const post = m[5] !== undefined ? m[5] : m[6] !== undefined ? (m[7] ?? '0') : undefined;
  const dev = m[8] !== undefined ? (m[9] ?? '0') : undefined;
  const localKey =
    m[10] === undefined
      ? undefined
      : m[10]
          .toLowerCase()
          .split(/[-_.]/)
          .map((text) => ({ numeric: /^[0-9]+$/.test(text), text }));
  return {
    epoch: m[1] ?? '0',
    release,
    pre,
    post,
    dev,
    local: localKey?.map((k) => (k.numeric ? Number(k.text) : k.text)),
    localKey,
  };
}

const PRE_ORDER = { a: 0, b: 1, rc: 2 } as const;

function compareRelease(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (r !== 0) return r;
  }
  return 0;
}

/**
 * `packaging`'s sort key: a dev release of a final version sorts before its pre-releases
 * (1.0.dev0 < 1.0a1), a version without a pre-release after them; no post-release before any;
 * no dev release after it; no local version before any; numeric local segments after text ones.
 */
export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  let r = compareDigits(a.epoch, b.epoch);
  if (r !== 0) return r;
  r = compareRelease(a.release, b.release);
  if (r !== 0) return r;

  const preRank = (v: Pep440Version): number => (v.pre === undefined ? (v.post === undefined && v.dev !== undefined ? -1 : 1) : 0);
  r = preRank(a) - preRank(b);
  if (r !== 0) return r < 0 ? -1 : 1;
  if (a.pre !== undefined && b.pre !== undefined) {
    r = PRE_ORDER[a.pre.label] - PRE_ORDER[b.pre.label];
    if (r !== 0) return r < 0 ? -1 : 1;
    r = compareDigits(a.pre.n, b.pre.n);
    if (r !== 0) return r;
  }

  if (a.post === undefined || b.post === undefined) {
    if (a.post !== b.post) return a.post === undefined ? -1 : 1;
  } else {
    r = compareDigits(a.post, b.post);
    if (r !== 0) return r;
  }

  if (a.dev === undefined || b.dev === undefined) {
    if (a.dev !== b.dev) return a.dev === undefined ? 1 : -1;
  } else {
    r = compareDigits(a.dev, b.dev);
    if (r !== 0) return r;
  }

  const la = a.localKey;
  const lb = b.localKey;
  if (la === undefined || lb === undefined) {
    if (la === lb) return 0;
    return la === undefined ? -1 : 1;
  }
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const x = la[i]!;
    const y = lb[i]!;
    if (x.numeric !== y.numeric) return x.numeric ? 1 : -1;
    r = x.numeric ? compareDigits(x.text, y.text) : x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
    if (r !== 0) return r;
  }
  return la.length === lb.length ? 0 : la.length < lb.length ? -1 : 1;
}

export const pep440Scheme: VersionScheme<Pep440Version> = {
  name: 'pep440',
  parse: parsePep440,
  compare: comparePep440,
};
