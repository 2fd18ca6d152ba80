// Source-level preparation of an expression before @bufbuild/cel parses it. Its parser does not
// read CEL's optional syntax, so `x.?field` and `x[?key]` are rewritten into member calls the
// compiler turns into optional selections, with a map from rewritten offsets back to the user's
// text for error positions. The same scan bounds the bracket nesting, so a pathologically nested
// expression is refused before it can exhaust the parser's stack.
import { CelCompileError, positionAt } from './errors.ts';

export const OPT_SELECT = '__bulwark_opt_select__';
export const OPT_INDEX = '__bulwark_opt_index__';

interface Edit {
  /** Offset in the original text. */
  at: number;
  removed: number;
  inserted: string;
}

export interface PreparedSource {
  text: string;
  /** Maps an offset in `text` to the offset in the original expression. */
  toOriginal(offset: number): number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

export function prepareSource(source: string, maxDepth: number): PreparedSource {
  const edits: Edit[] = [];
  // Open brackets; `true` marks a `[?` whose closing `]` becomes `)`.
  const brackets: { char: string; optional: boolean }[] = [];
  const unsupported = (at: number, what: string): never => {
    throw new CelCompileError('unsupported', `${what} are not supported by this engine; select with .? and [?] or use has()`, source, positionAt(source, at));
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(source, i, false);
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j]!)) j++;
      // A string prefix: r"..", b'..', rb"..", br'..' (case-insensitive).
      const word = source.slice(i, j);
      if (j < source.length && (source[j] === '"' || source[j] === "'") && /^(r|b|rb|br)$/i.test(word)) {
        i = skipString(source, j, /r/i.test(word));
        continue;
      }
      i = j;
      continue;
    }
    if (c === '.') {
      const q = skipSpace(source, i + 1);
      if (source[q] === '?') {
        const start = skipSpace(source, q + 1);
        let end = start;
        if (end < source.length && IDENT_START.test(source[end]!)) {
          end++;
          while (end < source.length && IDENT_PART.test(source[end]!)) end++;
        }
        if (end === start) throw new CelCompileError('syntax', 'expected a field name after .?', source, positionAt(source, q));
        edits.push({ at: i, removed: end - i, inserted: `.${OPT_SELECT}("${source.slice(start, end)}")` });
        i = end;
        continue;
      }
      i++;
      continue;
    }
    if (c === '[' || c === '(' || c === '{') {
      const q = skipSpace(source, i + 1);
      let optional = false;
      if (c === '[' && source[q] === '?') {
        if (!followsOperand(source, i)) unsupported(q, 'optional list elements ([?x])');
        edits.push({ at: i, removed: q + 1 - i, inserted: `.${OPT_INDEX}(` });
        optional = true;
      } else if (c === '{' && source[q] === '?') unsupported(q, 'optional map entries ({?k: v})');
      brackets.push({ char: c, optional });
      if (brackets.length > maxDepth) {
        throw new CelCompileError('limit', `the expression nests brackets more than ${maxDepth} deep`, source, positionAt(source, i));
      }
      i = optional ? q + 1 : i + 1;
      continue;
    }
    if (c === ']' || c === ')' || c === '}') {
      const open = brackets.pop();
      if (open?.optional && c === ']') edits.push({ at: i, removed: 1, inserted: ')' });
      i++;
      continue;
    }
    if (c === ',') {
      const q = skipSpace(source, i + 1);
      const enclosing = brackets[brackets.length - 1];
      if (source[q] === '?' && enclosing !== undefined && enclosing.char !== '(') {
        unsupported(q, enclosing.char === '[' ? 'optional list elements ([?x])' : 'optional map entries ({?k: v})');
      }
    }
    i++;
  }
  return apply(source, edits);
}

function skipSpace(source: string, from: number): number {
  let i = from;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  return i;
}

/** Index just past the string literal starting at the quote at `start` (unterminated: the end). */
function skipString(source: string, start: number, raw: boolean): number {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  let i = start + (triple ? 3 : 1);
  while (i < source.length) {
    if (!raw && source[i] === '\\') {
      i += 2;
      continue;
    }
    if (triple ? source.startsWith(quote.repeat(3), i) : source[i] === quote) return i + (triple ? 3 : 1);
    if (!triple && source[i] === '\n') return i;
    i++;
  }
  return source.length;
}

/** Whether the `[` at `at` indexes a value (`x[…]`) rather than opening a list literal. */
function followsOperand(source: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && /\s/.test(source[i]!)) i--;
  if (i < 0) return false;
  const c = source[i]!;
  if (c === ')' || c === ']' || c === '}' || c === '"' || c === "'") return true;
  if (!IDENT_PART.test(c)) return false;
  let j = i;
  while (j >= 0 && IDENT_PART.test(source[j]!)) j--;
  // `x in [?…]`: `in` is an operator, what follows it is a literal.
  return source.slice(j + 1, i + 1) !== 'in';
}

function apply(source: string, edits: readonly Edit[]): PreparedSource {
  if (edits.length === 0) return { text: source, toOriginal: (offset) => offset };
  const sorted = [...edits].sort((a, b) => a.at - b.at);
  let text = '';
  let from = 0;
  // Segments of the new text and where they came from: [newStart, newEnd, originalStart, inserted].
  const segments: [number, number, number, boolean][] = [];
  for (const edit of sorted) {
    segments.push([text.length, text.length + (edit.at - from), from, false]);
    text += source.slice(from, edit.at);
    segments.push([text.length, text.length + edit.inserted.length, edit.at, true]);
    text += edit.inserted;
    from = edit.at + edit.removed;
  }
  segments.push([text.length, text.length + (source.length - from), from, false]);
  text += source.slice(from);
  return {
    text,
    toOriginal(offset: number): number {
      for (const [start, end, original, inserted] of segments) {
        if (offset >= start && offset < end) return inserted ? original : original + (offset - start);
      }
      return source.length;
    },
  };
}
