// Maven version ordering: org.apache.maven.artifact.versioning.ComparableVersion as of Maven 3.9
// (items split at `.`, `-` and digit/letter transitions; known qualifiers alpha < beta < milestone <
// rc < snapshot < "" (= ga, final, release) < sp < other qualifiers; "X-1" read as "X1").
import { checkLength, compareDigits, type VersionScheme } from './scheme.ts';

type NumericKind = 0 | 1 | 2; // int (≤ 9 digits), long (≤ 18), big; Maven orders the kinds first.
type Item =
  | { type: 'number'; kind: NumericKind; digits: string }
  | { type: 'string'; value: string }
  | { type: 'combination'; text: { type: 'string'; value: string }; digit: { type: 'number'; kind: NumericKind; digits: string } }
  | { type: 'list'; items: Item[] };

export interface MavenVersion {
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = new Set(['ga', 'final', 'release']);
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

const DIGIT = /^\p{Nd}$/u;

/** Java's Character.isDigit for one UTF-16 code unit. */
function isDigitUnit(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return true;
  return c > 127 && DIGIT.test(ch);
}

/** The value of a decimal digit of any script: digits come in runs of ten starting at zero. */
function digitValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  let start = c;
  while (start > 0 && DIGIT.test(String.fromCharCode(start - 1))) start--;
  return (c - start) % 10;
}

function numberItem(buf: string): { type: 'number'; kind: NumericKind; digits: string } {
  // Maven strips ASCII zeros only, then picks int/long/BigInteger by the remaining length.
  let i = 0;
  while (i < buf.length && buf[i] === '0') i++;
  const stripped = buf === '' ? '0' : i === buf.length ? buf : buf.slice(i);
  const kind: NumericKind = stripped.length <= 9 ? 0 : stripped.length <= 18 ? 1 : 2;
  let digits = '';
  for (const ch of stripped) digits += String(digitValue(ch));
  return { type: 'number', kind, digits };
}

function stringItem(value: string, followedByDigit: boolean): { type: 'string'; value: string } {
  if (followedByDigit && value.length === 1) {
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  if (value === 'cr') value = 'rc';
  return { type: 'string', value };
}

function combinationItem(buf: string): Item {
  const v = buf.replaceAll('-', '');
  let index = 0;
  for (let i = 0; i < v.length; i++) {
    if (isDigitUnit(v[i]!)) {
      index = i;
      break;
    }
  }
  return { type: 'combination', text: stringItem(v.slice(0, index), true), digit: numberItem(v.slice(index)) };
}

function parseItem(isCombination: boolean, isDigit: boolean, buf: string): Item {
  if (isCombination) return combinationItem(buf);
  if (isDigit) return numberItem(buf);
  return stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.type) {
    case 'number':
      return /^0+$/.test(item.digits);
    case 'string':
      return item.value === '';
    case 'combination':
      return false;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    if (!isNull(list[i]!)) continue;
    const next = list[i + 1];
    if (i === list.length - 1 || next?.type === 'string') list.splice(i, 1);
    else if (next?.type === 'list') {
      const first = next.items[0];
      if (first !== undefined && (first.type === 'combination' || first.type === 'string')) list.splice(i, 1);
    }
  }
}

export function parseMavenVersion(version: string): MavenVersion {
  checkLength('maven', version);
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const push = (): void => {
    const child: Item[] = [];
    list.push({ type: 'list', items: child });
    list = child;
    stack.push(child);
  };
  let isDigit = false;
  let isCombination = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.') {
      list.push(i === start ? numberItem('0') : parseItem(isCombination, isDigit, text.slice(start, i)));
      isCombination = false;
      start = i + 1;
    } else if (c === '-') {
      if (i === start) list.push(numberItem('0'));
      else {
        // "X-1" is read as "X1".
        if (!isDigit && i !== text.length - 1 && isDigitUnit(text[i + 1]!)) {
          isCombination = true;
          continue;
        }
        list.push(parseItem(isCombination, isDigit, text.slice(start, i)));
      }
      start = i + 1;
      if (list.length > 0) push();
      isCombination = false;
    } else if (isDigitUnit(c)) {
      if (!isDigit && i > start) {
        isCombination = true;
        if (list.length > 0) push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(isCombination, true, text.slice(start, i)));
        start = i;
        push();
        isCombination = false;
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    // "1.0.0.X1" < "1.0.0-X2": a trailing qualifier after a dot is read as after a hyphen.
    if (!isDigit && list.length > 0) push();
    list.push(parseItem(isCombination, isDigit, text.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return { items: root };
}

function qualifierKey(value: string): string {
  if (RELEASE_QUALIFIERS.has(value)) return RELEASE_INDEX;
  const i = QUALIFIERS.indexOf(value);
  return i === -1 ? `${QUALIFIERS.length}-${value}` : String(i);
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Item.compareTo(other), with `undefined` standing for Java's null (a missing item). */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.type) {
    case 'number':
      if (b === undefined) return isNull(a) ? 0 : 1;
      if (b.type === 'number') return a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : compareDigits(a.digits, b.digits);
      return 1;
    case 'string':
      if (b === undefined) return cmpText(qualifierKey(a.value), RELEASE_INDEX);
      if (b.type === 'number' || b.type === 'list') return -1;
      if (b.type === 'string') return cmpText(qualifierKey(a.value), qualifierKey(b.value));
      {
        const r = compareItem(a, b.text);
        return r === 0 ? -1 : r;
      }
    case 'combination':
      if (b === undefined) return compareItem(a.text, undefined);
      if (b.type === 'number' || b.type === 'list') return -1;
      if (b.type === 'string') {
        const r = compareItem(a.text, b);
        return r === 0 ? 1 : r;
      }
      {
        const r = compareItem(a.text, b.text);
        return r === 0 ? compareItem(a.digit, b.digit) : r;
      }
    case 'list':
      if (b === undefined) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.type === 'number') return -1;
      if (b.type === 'string' || b.type === 'combination') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(left: Item[], right: Item[]): number {
  const n = Math.max(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const l = left[i];
    const r = right[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result < 0 ? -1 : 1;
  }
  return 0;
}

export function compareMaven(a: MavenVersion, b: MavenVersion): number {
  return compareLists(a.items, b.items);
}

export const mavenScheme: VersionScheme<MavenVersion> = {
  name: 'maven',
  parse: parseMavenVersion,
  compare: compareMaven,
};
