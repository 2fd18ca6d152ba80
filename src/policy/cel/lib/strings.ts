// The CEL strings extension as the API server has it (cel-go ext.Strings, version 2). @bufbuild/cel's
// own extension provides lowerAscii, upperAscii, trim, join and format as cel-go defines them; the
// functions below replace its versions of the rest, which index by UTF-16 unit instead of by code
// point and differ from cel-go on limits (`split(sep, n)` keeps the remainder in the last element,
// a negative `replace` limit means "all").
import type { CelFunc } from '@bufbuild/cel';
import { charge } from '../budget.ts';
import { globalFn, isInt, isString, memberFn } from '../overload.ts';
import { listOf } from '../values.ts';

/** Names whose @bufbuild/cel implementation is replaced by the one here. */
export const REPLACED_STRING_FUNCTIONS = new Set(['charAt', 'indexOf', 'lastIndexOf', 'replace', 'split', 'substring', 'strings.quote']);

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of `s` (fast path: a string without surrogates is its own UTF-16 units). */
function runes(s: string): string[] | null {
  return SURROGATE.test(s) ? Array.from(s) : null;
}

function outOfRange(index: bigint | number): Error {
  return new Error(`index out of range: ${index}`);
}

function toIndex(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : value < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(value);
}

function charAt(s: string, index: bigint): string {
  const i = toIndex(index);
  const r = runes(s);
  const length = r === null ? s.length : r.length;
  if (i < 0 || i > length) throw outOfRange(index);
  if (i === length) return '';
  return r === null ? s[i]! : r[i]!;
}

function indexOf(s: string, sub: string, offset?: bigint): bigint {
  if (sub === '') return offset ?? 0n;
  const r = runes(s);
  const sr = runes(sub);
  if (r === null && sr === null) {
    const off = offset === undefined ? 0 : toIndex(offset);
    if (offset !== undefined && (off < 0 || off >= s.length)) throw outOfRange(offset);
    return BigInt(s.indexOf(sub, off));
  }
  const hay = r ?? Array.from(s);
  const needle = sr ?? Array.from(sub);
  const off = offset === undefined ? 0 : toIndex(offset);
  if (offset !== undefined && (off < 0 || off >= hay.length)) throw outOfRange(offset);
  for (let i = off; i + needle.length <= hay.length; i++) {
    let same = true;
    for (let j = 0; j < needle.length && same; j++) same = hay[i + j] === needle[j];
    if (same) return BigInt(i);
  }
  return -1n;
}

function lastIndexOf(s: string, sub: string, offset?: bigint): bigint {
  const hay = runes(s) ?? s.split('');
  if (sub === '') return offset ?? BigInt(hay.length);
  const needle = runes(sub) ?? sub.split('');
  let off = hay.length - 1;
  if (offset !== undefined) {
    off = toIndex(offset);
    if (off < 0 || off >= hay.length) throw outOfRange(offset);
  }
  if (off + needle.length > hay.length) off = hay.length - needle.length;
  for (let i = off; i >= 0; i--) {
    let same = true;
    for (let j = 0; j < needle.length && same; j++) same = hay[i + j] === needle[j];
    if (same) return BigInt(i);
  }
  return -1n;
}

/** Go's strings.Replace: at most `n` replacements, all when n < 0; an empty `old` matches between runes. */
function replace(s: string, old: string, replacement: string, limit: bigint): string {
  const n = limit < 0n ? Number.MAX_SAFE_INTEGER : toIndex(limit);
  if (n === 0 || old === replacement) return s;
  charge(s.length >> 4);
  if (old === '') {
    const parts = Array.from(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= parts.length; i++) {
      if (done < n) {
        out += replacement;
        done++;
      }
      if (i < parts.length) out += parts[i];
    }
    return out;
  }
  let out = '';
  let from = 0;
  let done = 0;
  while (done < n) {
    const at = s.indexOf(old, from);
    if (at < 0) break;
    out += s.slice(from, at) + replacement;
    from = at + old.length;
    done++;
  }
  return out + s.slice(from);
}

/** Go's strings.SplitN: n == 0 gives no parts, n < 0 all, otherwise at most n (the last holds the rest). */
function split(s: string, sep: string, limit: bigint): string[] {
  if (limit === 0n) return [];
  const n = limit < 0n ? Number.MAX_SAFE_INTEGER : toIndex(limit);
  charge(s.length >> 4);
  if (sep === '') {
    const parts = Array.from(s);
    if (parts.length <= n) return parts;
    return [...parts.slice(0, n - 1), parts.slice(n - 1).join('')];
  }
  const out: string[] = [];
  let from = 0;
  while (out.length < n - 1) {
    const at = s.indexOf(sep, from);
    if (at < 0) break;
    out.push(s.slice(from, at));
    from = at + sep.length;
  }
  out.push(s.slice(from));
  return out;
}

function substring(s: string, start: bigint, end?: bigint): string {
  const r = runes(s);
  const length = r === null ? s.length : r.length;
  const i = toIndex(start);
  const j = end === undefined ? length : toIndex(end);
  if (i < 0 || i > length) throw outOfRange(start);
  if (end !== undefined && (j < 0 || j > length)) throw outOfRange(end);
  if (i > j) throw new Error(`invalid substring range. start: ${i}, end: ${j}`);
  return r === null ? s.slice(i, j) : r.slice(i, j).join('');
}

const QUOTED: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    // A lone surrogate is not a character; cel-go replaces invalid text with U+FFFD.
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else out += QUOTED[ch] ?? ch;
  }
  return `${out}"`;
}

export const stringFunctions: CelFunc[] = [
  memberFn('charAt', isString, [isInt], (s, i) => charAt(s as string, i as bigint)),
  memberFn('indexOf', isString, [isString], (s, sub) => indexOf(s as string, sub as string)),
  memberFn('indexOf', isString, [isString, isInt], (s, sub, off) => indexOf(s as string, sub as string, off as bigint)),
  memberFn('lastIndexOf', isString, [isString], (s, sub) => lastIndexOf(s as string, sub as string)),
  memberFn('lastIndexOf', isString, [isString, isInt], (s, sub, off) => lastIndexOf(s as string, sub as string, off as bigint)),
  memberFn('replace', isString, [isString, isString], (s, old, rep) => replace(s as string, old as string, rep as string, -1n)),
  memberFn('replace', isString, [isString, isString, isInt], (s, old, rep, n) => replace(s as string, old as string, rep as string, n as bigint)),
  memberFn('split', isString, [isString], (s, sep) => listOf(split(s as string, sep as string, -1n))),
  memberFn('split', isString, [isString, isInt], (s, sep, n) => listOf(split(s as string, sep as string, n as bigint))),
  memberFn('substring', isString, [isInt], (s, i) => substring(s as string, i as bigint)),
  memberFn('substring', isString, [isInt, isInt], (s, i, j) => substring(s as string, i as bigint, j as bigint)),
  globalFn('strings.quote', [isString], (s) => quote(s as string)),
];
