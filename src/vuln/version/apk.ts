// Alpine version ordering, as apk-tools' version.c tokenises and compares:
// digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}
import { checkLength, compareDigits, compareStrings, isAsciiDigit, type VersionScheme } from './scheme.ts';

// Token kinds in the order apk-tools declares them; the order matters when two versions end differently.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Suffixes before NONE mark pre-releases, after it post-releases.
const SUFFIXES: Readonly<Record<string, number>> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const SUFFIX_NONE = 5;

interface Token {
  kind: number;
  /** The token's text: digits, the letter, the suffix name or the hash. */
  value: string;
  suffix: number;
}

class Tokens {
  readonly #text: string;
  #pos = 0;
  readonly token: Token = { kind: INITIAL_DIGIT, value: '', suffix: 0 };

  constructor(text: string) {
    this.#text = text;
    this.#digits();
  }

  #digits(): void {
    const start = this.#pos;
    while (this.#pos < this.#text.length && isAsciiDigit(this.#text.charCodeAt(this.#pos))) this.#pos++;
    this.token.value = this.#text.slice(start, this.#pos);
    if (this.token.value === '') this.token.kind = INVALID;
  }

  #span(accept: (c: number) => boolean): string {
    const start = this.#pos;
    while (this.#pos < this.#text.length && accept(this.#text.charCodeAt(this.#pos))) this.#pos++;
    return this.#text.slice(start, this.#pos);
  }

  next(): void {
    const t = this.token;
    if (this.#pos >= this.#text.length) {
      t.kind = END;
      return;
    }
    const c = this.#text.charCodeAt(this.#pos);
    if (c >= 97 && c <= 122) {
      if (t.kind > DIGIT) return this.#invalid();
      t.value = this.#text[this.#pos]!;
      t.kind = LETTER;
      this.#pos++;
      return;
    }
    if (c === 46 || isAsciiDigit(c)) {
      if (c === 46) {
        if (t.kind > DIGIT) return this.#invalid();
        this.#pos++;
      }
      if (t.kind === INITIAL_DIGIT || t.kind === DIGIT) t.kind = DIGIT;
      else if (t.kind === SUFFIX) t.kind = SUFFIX_NO;
      else return this.#invalid();
      this.#digits();
      return;
    }
    if (c === 95) {
      if (t.kind > SUFFIX_NO) return this.#invalid();
      this.#pos++;
      t.value = this.#span((x) => x >= 97 && x <= 122);
      const suffix = Object.hasOwn(SUFFIXES, t.value) ? SUFFIXES[t.value]! : 0;
      if (suffix === 0) return this.#invalid();
      t.suffix = suffix;
      t.kind = SUFFIX;
      return;
    }
    if (c === 126) {
      if (t.kind >= COMMIT_HASH) return this.#invalid();
      this.#pos++;
      t.value = this.#span((x) => isAsciiDigit(x) || (x >= 97 && x <= 102));
      if (t.value === '') return this.#invalid();
      t.kind = COMMIT_HASH;
      return;
    }
    if (c === 45) {
      if (t.kind >= REVISION_NO) return this.#invalid();
      if (this.#text.charCodeAt(this.#pos + 1) !== 114) return this.#invalid();
      this.#pos += 2;
      t.kind = REVISION_NO;
      this.#digits();
      return;
    }
    this.#invalid();
  }

  #invalid(): void {
    this.token.kind = INVALID;
  }
}

function compareTokens(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      // A leading zero makes the component a string, as in Gentoo's rules: 1.05 < 1.5.
      if (a.value.charCodeAt(0) === 48 || b.value.charCodeAt(0) === 48) return compareStrings(a.value, b.value);
      return compareDigits(a.value, b.value);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareDigits(a.value, b.value);
    case LETTER:
      return compareStrings(a.value, b.value);
    case SUFFIX:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      return compareStrings(a.value, b.value);
  }
}

/** apk_version_compare(): -1, 0 or 1. Invalid tails compare as apk-tools does, never throw. */
export function compareApk(a: string, b: string): number {
  const ta = new Tokens(a);
  const tb = new Tokens(b);
  while (ta.token.kind === tb.token.kind && ta.token.kind < END) {
    const r = compareTokens(ta.token, tb.token);
    if (r !== 0) return r < 0 ? -1 : 1;
    ta.next();
    tb.next();
  }
  const ak = ta.token.kind;
  const bk = tb.token.kind;
  if (ak === bk) return 0;
  // Equal so far: the longer version is newer, unless what follows is a pre-release suffix.
  if (ak === SUFFIX && ta.token.suffix < SUFFIX_NONE) return -1;
  if (bk === SUFFIX && tb.token.suffix < SUFFIX_NONE) return 1;
  if (ak > bk) return -1;
  if (bk > ak) return 1;
  return 0;
}

/** apk_version_validate(): whether apk-tools accepts the version as well formed. */
export function isValidApkVersion(version: string): boolean {
  const t = new Tokens(version);
  while (t.token.kind < END) t.next();
  return t.token.kind === END;
}

export const apkScheme: VersionScheme<string> = {
  name: 'apk',
  parse(version: string): string {
    checkLength('apk', version);
    return version;
  },
  compare: compareApk,
};
