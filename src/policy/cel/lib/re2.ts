// Regular expressions with RE2 semantics, as the API server runs them (Go's regexp): linear time,
// leftmost-first matches. @bufbuild/re2 parses and compiles the pattern and answers "does it match";
// `find`/`findAll` also need where, so a small Pike VM runs over the program it compiled (the
// machine Go's regexp uses for the same job). Compiled patterns are cached: policies apply the same
// few patterns to thousands of objects.
import { RE2JS } from '@bufbuild/re2';
import { charge } from '../budget.ts';

// Instruction opcodes and empty-width flags of the compiled program (as in Go's regexp/syntax).
const ALT = 1;
const ALT_MATCH = 2;
const CAPTURE = 3;
const EMPTY_WIDTH = 4;
const MATCH = 6;
const NOP = 7;
const RUNE = 8;
const RUNE1 = 9;
const RUNE_ANY = 10;
const RUNE_ANY_NOT_NL = 11;

const EMPTY_BEGIN_LINE = 0x01;
const EMPTY_END_LINE = 0x02;
const EMPTY_BEGIN_TEXT = 0x04;
const EMPTY_END_TEXT = 0x08;
const EMPTY_WORD_BOUNDARY = 0x10;
const EMPTY_NO_WORD_BOUNDARY = 0x20;

interface Inst {
  op: number;
  out: number;
  arg: number;
  runes: number[];
  matchRune(rune: number): boolean;
}

interface Program {
  inst: Inst[];
  start: number;
}

export interface CompiledRegex {
  readonly pattern: string;
  test(text: string): boolean;
  /** Leftmost-first match starting the search at `from`: [start, end) in UTF-16 units, or null. */
  match(text: string, from: number): [number, number] | null;
}

const CACHE_LIMIT = 512;
const cache = new Map<string, CompiledRegex>();

/** Compiles with RE2 syntax; throws an Error naming the problem for an invalid pattern. */
export function compileRegex(pattern: string): CompiledRegex {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const program = (re.re2() as unknown as { prog: Program }).prog;
  const compiled: CompiledRegex = {
    pattern,
    test: (text) => re.test(text),
    match: (text, from) => pikeMatch(program, text, from),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/** `s.matches(re)`: true when the pattern matches any part of `s`. */
export function regexMatches(text: string, pattern: string): boolean {
  charge(text.length >> 4);
  return compileRegex(pattern).test(text);
}

/** Go's FindString: the leftmost-first match, or '' when there is none. */
export function regexFind(text: string, pattern: string): string {
  charge(text.length >> 4);
  const found = compileRegex(pattern).match(text, 0);
  return found === null ? '' : text.slice(found[0], found[1]);
}

/** Go's FindAllString(s, n): successive non-overlapping matches; n < 0 means all. */
export function regexFindAll(text: string, pattern: string, limit: number): string[] {
  const re = compileRegex(pattern);
  const out: string[] = [];
  const max = limit < 0 ? text.length + 1 : limit;
  let pos = 0;
  let previousEnd = -1;
  while (out.length < max && pos <= text.length) {
    charge(1 + ((text.length - pos) >> 4));
    const found = re.match(text, pos);
    if (found === null) break;
    let accept = true;
    if (found[1] === found[0]) {
      // An empty match right after the previous match is not reported, and the search moves on by
      // one character so that it cannot find the same empty match again.
      if (found[0] === previousEnd) accept = false;
      pos = found[1] + (found[1] < text.length ? runeWidth(text, found[1]) : 1);
    } else {
      pos = found[1];
    }
    previousEnd = found[1];
    if (accept) out.push(text.slice(found[0], found[1]));
  }
  return out;
}

function runeWidth(text: string, pos: number): number {
  const code = text.charCodeAt(pos);
  if (code >= 0xd800 && code <= 0xdbff && pos + 1 < text.length) {
    const next = text.charCodeAt(pos + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

function runeAt(text: string, pos: number): number {
  return pos < text.length ? text.codePointAt(pos)! : -1;
}

function isWordRune(rune: number): boolean {
  return (rune >= 0x61 && rune <= 0x7a) || (rune >= 0x41 && rune <= 0x5a) || (rune >= 0x30 && rune <= 0x39) || rune === 0x5f;
}

function emptyContext(before: number, after: number): number {
  let flags = 0;
  if (before < 0) flags |= EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE;
  if (before === 0x0a) flags |= EMPTY_BEGIN_LINE;
  if (after < 0) flags |= EMPTY_END_TEXT | EMPTY_END_LINE;
  if (after === 0x0a) flags |= EMPTY_END_LINE;
  flags |= isWordRune(before) !== isWordRune(after) ? EMPTY_WORD_BOUNDARY : EMPTY_NO_WORD_BOUNDARY;
  return flags;
}

/**
 * A thread list: threads in priority order, at most one per instruction (the sparse-set trick of
 * Go's regexp keeps `add` constant-time).
 */
class Queue {
  readonly pcs: Int32Array;
  readonly caps: Int32Array;
  readonly slot: Int32Array;
  size = 0;

  constructor(n: number) {
    this.pcs = new Int32Array(n);
    this.caps = new Int32Array(n);
    this.slot = new Int32Array(n);
  }

  contains(pc: number): boolean {
    const j = this.slot[pc]!;
    return j < this.size && this.pcs[j] === pc;
  }
}

function pikeMatch(program: Program, text: string, from: number): [number, number] | null {
  const insts = program.inst;
  const n = insts.length;
  let run = new Queue(n);
  let next = new Queue(n);
  let matchStart = -1;
  let matchEnd = -1;

  // Follows empty transitions from `pc`, appending the rune-consuming and match instructions it
  // reaches in priority order; `cap` is where the thread's match started.
  const add = (queue: Queue, pc: number, cap: number, flags: number): void => {
    // Iterative with an explicit stack: patterns nest deeply enough to matter.
    const stack: number[] = [pc];
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (at === 0 || queue.contains(at)) continue;
      const j = queue.size++;
      queue.slot[at] = j;
      queue.pcs[j] = at;
      queue.caps[j] = -1;
      const inst = insts[at]!;
      switch (inst.op) {
        case ALT:
        case ALT_MATCH:
          // `out` has priority over `arg`: push arg first so out is expanded first.
          stack.push(inst.arg, inst.out);
          break;
        case EMPTY_WIDTH:
          if ((inst.arg & ~flags) === 0) stack.push(inst.out);
          break;
        case NOP:
        case CAPTURE:
          stack.push(inst.out);
          break;
        case MATCH:
        case RUNE:
        case RUNE1:
        case RUNE_ANY:
        case RUNE_ANY_NOT_NL:
          queue.caps[j] = cap;
          break;
        default:
          break;
      }
    }
  };

  let pos = from;
  let rune = runeAt(text, pos);
  let width = rune < 0 ? 0 : rune > 0xffff ? 2 : 1;
  let flags = emptyContext(pos === 0 ? -1 : (text.codePointAt(pos - 1) ?? -1), rune);
  let steps = 0;
  for (;;) {
    if (run.size === 0 && matchStart >= 0) break;
    if (matchStart < 0) add(run, program.start, pos, flags);
    const nextPos = pos + width;
    const nextRune = width === 0 ? -1 : runeAt(text, nextPos);
    const nextFlags = width === 0 ? 0 : emptyContext(rune, nextRune);
    next.size = 0;
    for (let j = 0; j < run.size; j++) {
      const pc = run.pcs[j]!;
      const cap = run.caps[j]!;
      if (cap < 0) continue;
      const inst = insts[pc]!;
      let advance = false;
      switch (inst.op) {
        case MATCH:
          matchStart = cap;
          matchEnd = pos;
          // Leftmost-first: lower-priority threads are cut off.
          j = run.size;
          continue;
        case RUNE:
          advance = rune >= 0 && inst.matchRune(rune);
          break;
        case RUNE1:
          advance = rune === inst.runes[0];
          break;
        case RUNE_ANY:
          advance = rune >= 0;
          break;
        case RUNE_ANY_NOT_NL:
          advance = rune >= 0 && rune !== 0x0a;
          break;
        default:
          break;
      }
      if (advance) add(next, inst.out, cap, nextFlags);
    }
    if (width === 0) break;
    // The VM's work is proportional to threads × characters; charge it as it goes.
    steps += run.size + 1;
    if (steps > 4096) {
      charge(steps >> 6);
      steps = 0;
    }
    pos = nextPos;
    rune = nextRune;
    width = rune < 0 ? 0 : rune > 0xffff ? 2 : 1;
    flags = nextFlags;
    const swap = run;
    run = next;
    next = swap;
  }
  return matchStart < 0 ? null : [matchStart, matchEnd];
}
