// Source-level preparation of an expression before @bufbuild/cel parses it. Its parser does not
// read CEL's optional syntax, so `x.?field` and `x[?key]` are rewritten into member calls the
// compiler turns into optional selections, and optional list elements and map entries
// (`[a, ?b]`, `{?k: v}`) into calls that mark the element and build the literal without the
// absent ones; with a map from rewritten offsets back to the user's text for error positions. The same scan bounds the bracket nesting, so a pathologically nested
// expression is refused before it can exhaust the parser's stack.
import { CelCompileError, positionAt } from './errors.ts';

export const OPT_SELECT = '__bulwark_opt_select__';
export const OPT_INDEX = '__bulwark_opt_index__';
/** Marks an optional element or entry value of a literal (`?x`). */
export const OPT_ELEMENT = '__bulwark_opt_element__';
/** Builds a list or map literal holding optional elements or entries. */
export const OPT_LIST = '__bulwark_opt_list__';
export const OPT_MAP = '__bulwark_opt_map__';

/** An open bracket, and for list and map literals what their optional elements need. */
interface Frame {
  char: string;
  /** `[?` of an optional index: its `]` becomes `)`. */
  optionalIndex: boolean;
  /** A list or map literal (not an index, a call or a message literal). */
  literal: boolean;
  /** Where the literal opens, in the original text. */
  at: number;
  /** An optional element is open: `)` goes before the next `,` or closing bracket. */
  openElement: boolean;
  /** A map entry marked optional whose `:` has not been seen yet. */
  awaitingColon: boolean;
  /** Ternary `?` seen in the current map key, whose `:` is not the entry's. */
  ternaries: number;
  hasOptional: boolean;
}

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
  const brackets: Frame[] = [];
  /** `?` opening an element or entry of the literal `frame`, at `q`: the marker replaces it. */
  const optionalElement = (frame: Frame, q: number): void => {
    edits.push({ at: q, removed: 1, inserted: frame.char === '[' ? `${OPT_ELEMENT}(` : '' });
    frame.hasOptional = true;
    if (frame.char === '[') frame.openElement = true;
    else frame.awaitingColon = true;
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
      const operand = followsOperand(source, i);
      const frame: Frame = {
        char: c,
        optionalIndex: c === '[' && source[q] === '?' && operand,
        // `x[…]` indexes and `Type{…}` builds a message: neither is a list or map literal.
        literal: (c === '[' || c === '{') && !operand,
        at: i,
        openElement: false,
        awaitingColon: false,
        ternaries: 0,
        hasOptional: false,
      };
      if (frame.optionalIndex) edits.push({ at: i, removed: q + 1 - i, inserted: `.${OPT_INDEX}(` });
      brackets.push(frame);
      if (brackets.length > maxDepth) {
        throw new CelCompileError('limit', `the expression nests brackets more than ${maxDepth} deep`, source, positionAt(source, i));
      }
      if (frame.literal && source[q] === '?') {
        optionalElement(frame, q);
        i = q + 1;
        continue;
      }
      i = frame.optionalIndex ? q + 1 : i + 1;
      continue;
    }
    if (c === ']' || c === ')' || c === '}') {
      const open = brackets.pop();
      if (open?.optionalIndex && c === ']') edits.push({ at: i, removed: 1, inserted: ')' });
      if (open?.openElement) edits.push({ at: i, removed: 0, inserted: ')' });
      if (open?.hasOptional) {
        edits.push({ at: open.at, removed: 0, inserted: `${open.char === '[' ? OPT_LIST : OPT_MAP}(` });
        edits.push({ at: i + 1, removed: 0, inserted: ')' });
      }
      i++;
      continue;
    }
    const enclosing = brackets[brackets.length - 1];
    if (c === ',') {
      if (enclosing?.openElement) {
        edits.push({ at: i, removed: 0, inserted: ')' });
        enclosing.openElement = false;
      }
      const q = skipSpace(source, i + 1);
      if (enclosing !== undefined) enclosing.ternaries = 0;
      if (source[q] === '?' && enclosing?.literal === true) {
        optionalElement(enclosing, q);
        i = q + 1;
        continue;
      }
    }
    if (enclosing?.literal === true && enclosing.char === '{') {
      if (c === '?') enclosing.ternaries++;
      else if (c === ':') {
        if (enclosing.ternaries > 0) enclosing.ternaries--;
        else if (enclosing.awaitingColon) {
          // The value of an optional entry is the marked part: `{k: __element__(v)}`.
          edits.push({ at: i + 1, removed: 0, inserted: `${OPT_ELEMENT}(` });
          enclosing.awaitingColon = false;
          enclosing.openElement = true;
        }
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
