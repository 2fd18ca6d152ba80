// A hand-written parser for the YAML that Kubernetes manifests are made of: block mappings and
// sequences (compact `- key: v` included), plain and quoted scalars (multi-line too), literal and
// folded block scalars, single-line flow collections, comments. It builds values and the position
// side table in one pass over the text, with no token or node objects.
//
// It never guesses: anything outside that subset (anchors, aliases, tags, merge keys, complex keys,
// multi-line flow, tabs in indentation, explicit indentation indicators, characters YAML does not
// allow, and every syntax error) makes it give up on the document, which then goes through the
// full parser. The differential property tests hold it to producing exactly what the full parser
// produces whenever it accepts.
import { Buffer } from 'node:buffer';
import { detach } from '../core/detach.ts';
import { intern, knownKey, rememberKey } from './intern.ts';
import { MAX_DEPTH, MAX_KEY_LENGTH } from './limits.ts';
import { keyString, resolvePlain, resolvedTag } from './scalar.ts';
import { duplicateKeyMessage, isIndexKey, nonFiniteMessage, PositionTable, setKey, type Issue } from './tree.ts';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQUOTE = 0x22;
const HASH = 0x23;
const PERCENT = 0x25;
const AMP = 0x26;
const SQUOTE = 0x27;
const STAR = 0x2a;
const PLUS = 0x2b;
const COMMA = 0x2c;
const DASH = 0x2d;
const COLON = 0x3a;
const GT = 0x3e;
const QUESTION = 0x3f;
const AT = 0x40;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const BACKTICK = 0x60;
const LBRACE = 0x7b;
const PIPE = 0x7c;
const RBRACE = 0x7d;
const TILDE = 0x7e;

// How a plain scalar's scan on one line ended.
const STOP_EOL = 0;
const STOP_COLON = 1;
const STOP_COMMENT = 2;
const STOP_FLOW = 3;

// Whether a block mapping's first key was already scanned by the caller.
const KEY_SCAN = 0;
const KEY_PLAIN = 1;
const KEY_QUOTED = 2;

/** Thrown (as a constant, so it costs no stack capture) when the document leaves the subset. */
const BAIL = Symbol('bail');

export interface FastDocument {
  value: unknown;
  /** Offset of the root node (or of the document's start when it is empty). */
  offset: number;
  /** The root's record in the position table (-1 when it is a scalar). */
  record: number;
  issues: Issue[];
}

/**
 * Parses the single document in [start, end) of `text` (`marker` is its `---` line or -1), or
 * returns null when the document is not in the subset this parser handles with certainty.
 * The text must not contain carriage returns and the chunk no directives. `units`: the text's
 * code units, when a caller parsing several documents of one text has them already.
 */
export function parseFast(
  text: string,
  start: number,
  marker: number,
  end: number,
  table: PositionTable,
  units: Uint16Array = codeUnits(text),
): FastDocument | null {
  const parser = shared.reset(text, units, end, table);
  const mark = table.open();
  try {
    return parser.document(start, marker);
  } catch (error) {
    if (error === BAIL) {
      table.discard(mark);
      return null;
    }
    throw error;
  } finally {
    parser.release();
  }
}

const IDLE_TABLE = new PositionTable();
const NO_UNITS = new Uint16Array(0);

let unitBytes = Buffer.allocUnsafeSlow(0);
const LITTLE_ENDIAN = new Uint16Array(new Uint8Array([1, 0]).buffer)[0] === 1;
/** Above this, a text's code units are not kept for the next text. */
const UNITS_KEPT = 4 * 1024 * 1024;

/**
 * The UTF-16 code units of `text`, in memory reused from text to text (valid until the next call):
 * the parser reads characters from here, at a typed array's speed rather than charCodeAt's.
 */
export function codeUnits(text: string): Uint16Array {
  const bytes = text.length * 2;
  if (unitBytes.length < bytes) unitBytes = Buffer.allocUnsafeSlow(Math.max(bytes, unitBytes.length * 2, 64 * 1024));
  unitBytes.write(text, 0, 'utf16le');
  if (!LITTLE_ENDIAN) unitBytes.subarray(0, bytes).swap16();
  unitsText = text;
  unitsView = new Uint16Array(unitBytes.buffer, unitBytes.byteOffset, text.length);
  return unitsView;
}

// The text whose code units the buffer holds now.
let unitsText: string | undefined;
let unitsView: Uint16Array = NO_UNITS;

/**
 * `codeUnits(text)`, reusing the buffer when it still holds this text. A stream read document by
 * document asks again before each document: a check may have parsed another text (YAML embedded
 * in a ConfigMap) in between, which wrote its own units over the stream's.
 */
export function codeUnitsFor(text: string): Uint16Array {
  return text === unitsText ? unitsView : codeUnits(text);
}

/** Lets go of an outsized code unit buffer once its text is parsed. */
export function releaseCodeUnits(): void {
  unitsText = undefined;
  unitsView = NO_UNITS;
  if (unitBytes.length > UNITS_KEPT) unitBytes = Buffer.allocUnsafeSlow(0);
}

/** The issues of a document that has none (nearly all): shared, never written to. */
const NO_ISSUES: Issue[] = [];

class FastParser {
  private s = '';
  /** The text's UTF-16 code units: read far faster than through charCodeAt. */
  private u: Uint16Array = NO_UNITS;
  private end = 0;
  private table = IDLE_TABLE;
  private issues: Issue[] = NO_ISSUES;
  /**
   * Sequence items being read, nested sequences above their parents': each sequence is copied out
   * at its end into an array of exactly its size (a growing array would mostly hold empty slots).
   */
  private items: unknown[] = [];
  private itemsTop = 0;
  /** Offset of the first character of the current content line (after its indentation). */
  private pos = 0;
  /** Column (0-based) of `pos` when it starts a content line; -1 at the end of the document. */
  private indent = -1;
  private depth = 0;
  // Registers the scanners leave their result in, to allocate nothing per token.
  private tokEnd = 0;
  private tokStop = 0;
  private tokKind = STOP_EOL;
  private quoted = '';
  private quotedMultiline = false;

  /** Readies the parser for a document (parsing is synchronous, so one instance serves all). */
  reset(s: string, units: Uint16Array, end: number, table: PositionTable): this {
    this.s = s;
    this.u = units;
    this.end = end;
    this.table = table;
    this.issues = NO_ISSUES;
    this.itemsTop = 0;
    this.pos = 0;
    this.indent = -1;
    this.depth = 0;
    return this;
  }

  /** Lets go of the text and table, which must not outlive their parse through this instance. */
  release(): void {
    this.s = '';
    this.u = NO_UNITS;
    this.table = IDLE_TABLE;
    this.issues = NO_ISSUES;
    // Items a bailed-out parse left behind must not keep their values alive.
    this.items.fill(undefined);
  }

  private issue(offset: number, message: string): void {
    if (this.issues === NO_ISSUES) this.issues = [];
    this.issues.push({ offset, message });
  }

  /** Starts a sequence's items: returns the mark `endItems` takes. */
  private startItems(): number {
    return this.itemsTop;
  }

  private pushItem(item: unknown): void {
    this.items[this.itemsTop++] = item;
  }

  /** The items pushed since `mark`, as an array of their own. */
  private endItems(mark: number): unknown[] {
    const top = this.itemsTop;
    const all = this.items;
    this.itemsTop = mark;
    // Most sequences are short: a literal is allocated in line, where slice is a call.
    switch (top - mark) {
      case 1:
        return [all[mark]];
      case 2:
        return [all[mark], all[mark + 1]];
      case 3:
        return [all[mark], all[mark + 1], all[mark + 2]];
      default:
        return all.slice(mark, top);
    }
  }

  document(start: number, marker: number): FastDocument {
    // The comment lines before the marker are looked at only to see they are printable.
    let p = start;
    while (p < marker) p = this.nextLine(p);
    if (marker >= 0) this.finishLine(marker + 3, true);
    else this.skipToContent(start);
    if (this.indent < 0) return { value: null, offset: marker >= 0 ? marker : start, record: -1, issues: this.issues };
    const offset = this.pos;
    const value = this.blockNode(this.indent, -1);
    if (this.indent >= 0) throw BAIL;
    return { value, offset, record: this.recordOf(value), issues: this.issues };
  }

  /** The record of a value just parsed: collections close right before they are returned. */
  private recordOf(value: unknown): number {
    return value !== null && typeof value === 'object' ? this.table.lastClosed : -1;
  }

  // ---- lines -------------------------------------------------------------------------------

  /** The start of the line after the one `p` is on; what it skips (a comment) must be printable. */
  private nextLine(p: number): number {
    const u = this.u;
    const end = this.end;
    for (let i = p; i < end; i++) {
      const c = u[i]!;
      if (c === LF) return i + 1;
      if ((c < SPACE || c > TILDE) && unprintable(u, i, c)) throw BAIL;
    }
    return end;
  }

  /** From a line start, moves to the first content line: sets `pos` and `indent`. */
  private skipToContent(p: number): void {
    const u = this.u;
    const end = this.end;
    while (p < end) {
      let q = p;
      while (q < end && u[q]! === SPACE) q++;
      if (q >= end) break;
      const c = u[q]!;
      if (c === LF) {
        p = q + 1;
        continue;
      }
      if (c === HASH) {
        p = this.nextLine(q);
        continue;
      }
      if (c === TAB) {
        // Tabs may pad blank and comment lines; in front of content they are an error.
        while (q < end && (u[q]! === TAB || u[q]! === SPACE)) q++;
        if (q >= end) break;
        const d = u[q]!;
        if (d === LF || d === HASH) {
          p = this.nextLine(q);
          continue;
        }
        throw BAIL;
      }
      if (c === PERCENT && q === p) throw BAIL;
      this.pos = q;
      this.indent = q - p;
      return;
    }
    this.pos = end;
    this.indent = -1;
  }

  /** After a node on the current line: only white space or a comment may follow. */
  private finishLine(p: number, spaced = false): void {
    const u = this.u;
    const end = this.end;
    let q = p;
    while (q < end && (u[q]! === SPACE || u[q]! === TAB)) q++;
    if (q >= end) {
      this.pos = end;
      this.indent = -1;
      return;
    }
    const c = u[q]!;
    if (c === LF) return this.skipToContent(q + 1);
    if (c === HASH && (q > p || spaced)) return this.skipToContent(this.nextLine(q));
    throw BAIL;
  }

  private blankAt(i: number): boolean {
    if (i >= this.end) return true;
    const c = this.u[i]!;
    if (c === SPACE || c === LF) return true;
    if (c === TAB) throw BAIL;
    return false;
  }

  // ---- block nodes ---------------------------------------------------------------------------

  /** A node starting at `pos` (column `col`), inside a parent whose indentation is `parent`. */
  private blockNode(col: number, parent: number): unknown {
    const s = this.s;
    const u = this.u;
    const p = this.pos;
    const c = u[p]!;
    switch (c) {
      case DASH:
        if (this.blankAt(p + 1)) return this.blockSequence(col);
        break;
      case PIPE:
      case GT:
        return this.blockScalar(parent);
      case LBRACKET:
      case LBRACE:
        return this.flowTop();
      case DQUOTE:
      case SQUOTE: {
        this.scanQuoted(p, parent, true);
        const after = this.tokStop;
        let q = after;
        while (q < this.end && u[q]! === SPACE) q++;
        if (q < this.end && u[q]! === COLON && this.blankAt(q + 1)) {
          if (this.quotedMultiline) throw BAIL;
          this.tokStop = q;
          return this.blockMapping(col, KEY_QUOTED);
        }
        const value = this.quoted;
        this.finishLine(after);
        return value;
      }
      case QUESTION:
      case COLON:
      case AMP:
      case STAR:
      case BANG:
      case PERCENT:
      case AT:
      case BACKTICK:
      case COMMA:
      case RBRACKET:
      case RBRACE:
      case HASH:
        throw BAIL;
      default:
        if (!plainStart(c)) throw BAIL;
    }
    // js-yaml takes an indented `---` at the root for a document marker; libyaml does not.
    if (parent < 0 && (s.startsWith('---', p) || s.startsWith('...', p))) throw BAIL;
    this.scanPlainLine(p);
    if (this.tokKind === STOP_COLON) return this.blockMapping(col, KEY_PLAIN);
    return this.plainValue(p, parent);
  }

  private blockMapping(col: number, first: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const u = this.u;
    const target: Record<string, unknown> = {};
    const mark = this.table.open();
    let keyed = false;
    let kind = first;
    for (;;) {
      const keyStart = this.pos;
      let key: string;
      if (kind === KEY_PLAIN) {
        key = this.plainKeyAt(keyStart, this.tokEnd);
      } else if (kind === KEY_QUOTED) {
        key = this.quoted;
      } else {
        const c = u[keyStart]!;
        if (c === DQUOTE || c === SQUOTE) {
          this.scanQuoted(keyStart, -1, false);
          let q = this.tokStop;
          while (q < this.end && u[q]! === SPACE) q++;
          if (q >= this.end || u[q]! !== COLON || !this.blankAt(q + 1)) throw BAIL;
          this.tokStop = q;
          key = this.quoted;
        } else {
          if (!plainStart(c) || c === QUESTION || c === COLON || (c === DASH && this.blankAt(keyStart + 1))) throw BAIL;
          this.scanPlainLine(keyStart);
          if (this.tokKind !== STOP_COLON) throw BAIL;
          key = this.plainKeyAt(keyStart, this.tokEnd);
        }
      }
      kind = KEY_SCAN;
      this.pos = this.tokStop + 1;
      const value = this.mappingValue(col);
      if (setKey(target, key, value, this.table.hasPendingKey(mark, key))) {
        this.issue(keyStart, duplicateKeyMessage(key));
        keyed = true;
      } else if (isIndexKey(key)) keyed = true;
      this.table.entry(key, keyStart, this.recordOf(value));
      if (this.indent !== col) {
        if (this.indent > col) throw BAIL;
        break;
      }
    }
    this.table.close(mark, keyed);
    this.depth--;
    return target;
  }

  /** The key a plain scalar key in [start, end) stands for. */
  private plainKeyAt(start: number, end: number): string {
    const known = knownKey(this.s, this.u, start, end);
    if (known !== undefined) return known;
    const text = this.s.slice(start, end);
    const key = this.plainKey(text);
    rememberKey(text, key);
    return key;
  }

  private plainKey(text: string): string {
    // `<<` is a merge key (goyaml.v2 recognises it by its text, not by resolution).
    if (text.length > MAX_KEY_LENGTH || text === '<<') throw BAIL;
    const value = resolvePlain(text);
    if (resolvedTag === 'str') return text;
    const key = keyString(value, resolvedTag);
    if (key === null) throw BAIL;
    return key;
  }

  /** The value after `key:` (pos is just past the colon). */
  private mappingValue(col: number): unknown {
    const u = this.u;
    const end = this.end;
    let p = this.pos;
    while (p < end && u[p]! === SPACE) p++;
    if (p >= end) {
      this.pos = end;
      this.indent = -1;
      return null;
    }
    const c = u[p]!;
    if (c === LF || c === HASH) {
      this.skipToContent(c === LF ? p + 1 : this.nextLine(p));
      if (this.indent > col) return this.blockNode(this.indent, col);
      if (this.indent === col && u[this.pos]! === DASH && this.blankAt(this.pos + 1)) {
        return this.blockSequence(col);
      }
      return null;
    }
    if (c === TAB || c === CR) throw BAIL;
    this.pos = p;
    return this.inlineValue(col);
  }

  /** A mapping value written on its key's line: a scalar, a block scalar header or a flow collection. */
  private inlineValue(parent: number): unknown {
    const u = this.u;
    const p = this.pos;
    const c = u[p]!;
    switch (c) {
      case PIPE:
      case GT:
        return this.blockScalar(parent);
      case LBRACKET:
      case LBRACE:
        return this.flowTop();
      case DQUOTE:
      case SQUOTE: {
        this.scanQuoted(p, parent, true);
        const value = this.quoted;
        this.finishLine(this.tokStop);
        return value;
      }
      case DASH:
        if (this.blankAt(p + 1)) throw BAIL;
        break;
      case QUESTION:
      case COLON:
        throw BAIL;
      default:
        if (!plainStart(c)) throw BAIL;
    }
    this.scanPlainLine(p);
    if (this.tokKind === STOP_COLON) throw BAIL;
    return this.plainValue(p, parent);
  }

  /** Records an issue (at the scalar) for numbers JSON cannot carry; the value is kept. */
  private checked(value: unknown, offset: number): unknown {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.issue(offset, nonFiniteMessage(value));
    }
    return value;
  }

  private blockSequence(col: number): unknown[] {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const u = this.u;
    const end = this.end;
    const items = this.startItems();
    const mark = this.table.open();
    const start = this.pos;
    for (;;) {
      const dash = this.pos;
      let p = dash + 1;
      while (p < end && u[p]! === SPACE) p++;
      const c = p < end ? u[p]! : LF;
      if (c === LF || c === HASH) {
        if (p >= end) {
          this.pos = end;
          this.indent = -1;
        } else this.skipToContent(c === LF ? p + 1 : this.nextLine(p));
        if (this.indent > col) {
          const at = this.pos;
          const item = this.blockNode(this.indent, col);
          this.pushItem(item);
          this.table.item(at, this.recordOf(item));
        } else {
          this.pushItem(null);
          this.table.item(start, -1);
        }
      } else {
        if (c === TAB || c === CR) throw BAIL;
        this.pos = p;
        const item = this.blockNode(col + (p - dash), col);
        this.pushItem(item);
        this.table.item(p, this.recordOf(item));
      }
      if (this.indent === col && u[this.pos]! === DASH && this.blankAt(this.pos + 1)) continue;
      if (this.indent > col) throw BAIL;
      break;
    }
    this.table.close(mark);
    this.depth--;
    return this.endItems(items);
  }

  // ---- plain scalars --------------------------------------------------------------------------

  /**
   * Scans a plain scalar's text on one line from `p`: stops at the end of the line, at a `: `
   * value indicator, or at a ` #` comment. Leaves the trimmed end in tokEnd, the stop in tokStop.
   */
  private scanPlainLine(p: number): void {
    const u = this.u;
    const end = this.end;
    let i = p;
    let contentEnd = p;
    while (i < end) {
      const c = u[i]!;
      if (c === LF) break;
      if (c === COLON) {
        const n = i + 1 < end ? u[i + 1]! : LF;
        if (n === SPACE || n === LF) {
          this.tokKind = STOP_COLON;
          this.tokEnd = contentEnd;
          this.tokStop = i;
          return;
        }
        if (n === TAB) throw BAIL;
        contentEnd = i + 1;
      } else if (c === SPACE || c === TAB) {
        if (i + 1 < end && u[i + 1]! === HASH) {
          this.tokKind = STOP_COMMENT;
          this.tokEnd = contentEnd;
          this.tokStop = i;
          return;
        }
      } else if (c === CR) {
        throw BAIL;
      } else {
        if ((c < SPACE || c > TILDE) && unprintable(u, i, c)) throw BAIL;
        contentEnd = i + 1;
      }
      i++;
    }
    this.tokKind = STOP_EOL;
    this.tokEnd = contentEnd;
    this.tokStop = i;
  }

  /** A plain scalar whose first line was just scanned; folds the lines that continue it. */
  private plainValue(start: number, parent: number): unknown {
    const s = this.s;
    const u = this.u;
    const end = this.end;
    const firstEnd = this.tokEnd;
    if (this.tokKind === STOP_COMMENT) {
      this.finishLine(this.tokStop);
      return this.checked(resolvePlain(intern(s, u, start, firstEnd)), start);
    }
    let text: string | null = null;
    let lineEnd = this.tokStop;
    while (lineEnd < end) {
      let r = lineEnd + 1;
      let blank = 0;
      let lineStart = r;
      let c = LF;
      for (;;) {
        lineStart = r;
        while (r < end && u[r]! === SPACE) r++;
        if (r >= end) break;
        c = u[r]!;
        if (c === LF) {
          blank++;
          r++;
          continue;
        }
        if (c === TAB || c === CR) throw BAIL;
        break;
      }
      if (r >= end || r - lineStart <= parent || c === HASH) {
        // The scalar ends with its line, and the next content line was just found: taking it
        // from here spares finishLine and skipToContent going over the same white space again.
        if (r >= end) {
          this.pos = end;
          this.indent = -1;
        } else if (c === HASH || c === PERCENT) {
          this.skipToContent(lineStart);
        } else {
          this.pos = r;
          this.indent = r - lineStart;
        }
        return this.checked(resolvePlain(text === null ? intern(s, u, start, firstEnd) : detach(text)), start);
      }
      // Parsers differ on how a multi-line scalar at the document root may be indented.
      if (parent < 0) throw BAIL;
      if (!plainStart(c) || c === DASH || c === QUESTION || c === COLON) throw BAIL;
      this.scanPlainLine(r);
      if (this.tokKind === STOP_COLON) throw BAIL;
      text = (text ?? s.slice(start, firstEnd)) + (blank === 0 ? ' ' : '\n'.repeat(blank)) + s.slice(r, this.tokEnd);
      if (this.tokKind === STOP_COMMENT) {
        this.finishLine(this.tokStop);
        return this.checked(resolvePlain(detach(text)), start);
      }
      lineEnd = this.tokStop;
    }
    this.finishLine(lineEnd);
    return this.checked(resolvePlain(text === null ? intern(s, u, start, firstEnd) : detach(text)), start);
  }

  // ---- quoted scalars ----------------------------------------------------------------------------

  /** Scans a quoted scalar at `p` into `quoted`; tokStop is just past the closing quote. */
  private scanQuoted(p: number, parent: number, multiline: boolean): void {
    if (this.u[p]! === DQUOTE) this.scanDouble(p, parent, multiline);
    else this.scanSingle(p, parent, multiline);
  }

  private scanSingle(p: number, parent: number, multiline: boolean): void {
    const s = this.s;
    const u = this.u;
    const end = this.end;
    let i = p + 1;
    let segment = i;
    let out = '';
    this.quotedMultiline = false;
    for (;;) {
      if (i >= end) throw BAIL;
      const c = u[i]!;
      if (c === SQUOTE) {
        if (i + 1 < end && u[i + 1]! === SQUOTE) {
          out += s.slice(segment, i + 1);
          i += 2;
          segment = i;
          continue;
        }
        this.quoted = out === '' ? intern(s, u, segment, i) : detach(out + s.slice(segment, i));
        this.tokStop = i + 1;
        return;
      }
      if (c === LF) {
        if (!multiline) throw BAIL;
        out += trimEndWhite(s, u, segment, i);
        i = this.foldBreak(i + 1, parent);
        out += this.folded;
        segment = i;
        continue;
      }
      if (c === CR || ((c < SPACE || c > TILDE) && unprintable(u, i, c))) throw BAIL;
      i++;
    }
  }

  private folded = '';

  /**
   * After a line break inside a quoted scalar: skips empty lines and the next line's indentation.
   * Leaves the folded text (a space, or one newline per empty line) in `folded`.
   */
  private foldBreak(r: number, parent: number, escaped = false): number {
    if (parent < 0) throw BAIL;
    const u = this.u;
    const end = this.end;
    let blank = 0;
    this.quotedMultiline = true;
    for (;;) {
      const lineStart = r;
      while (r < end && u[r]! === SPACE) r++;
      if (r >= end) throw BAIL;
      const c = u[r]!;
      if (c === LF) {
        blank++;
        r++;
        continue;
      }
      if (c === TAB || c === CR) throw BAIL;
      if (r - lineStart <= parent) throw BAIL;
      break;
    }
    // Parsers disagree on empty lines after an escaped line break (the YAML spec and libyaml keep
    // them, js-yaml drops them): too rare to matter, so the full parser decides.
    if (escaped && blank > 0) throw BAIL;
    this.folded = blank === 0 ? (escaped ? '' : ' ') : '\n'.repeat(blank);
    return r;
  }

  private scanDouble(p: number, parent: number, multiline: boolean): void {
    const s = this.s;
    const u = this.u;
    const end = this.end;
    let i = p + 1;
    let segment = i;
    let out = '';
    this.quotedMultiline = false;
    for (;;) {
      if (i >= end) throw BAIL;
      const c = u[i]!;
      if (c === DQUOTE) {
        this.quoted = out === '' ? intern(s, u, segment, i) : detach(out + s.slice(segment, i));
        this.tokStop = i + 1;
        return;
      }
      if (c === BACKSLASH) {
        out += s.slice(segment, i);
        const e = i + 1 < end ? u[i + 1]! : -1;
        if (e === LF) {
          if (!multiline) throw BAIL;
          i = this.foldBreak(i + 2, parent, true);
          out += this.folded;
        } else {
          const width = escapeWidth(e);
          if (width < 0) {
            const simple = SIMPLE_ESCAPES[e];
            if (simple === undefined) throw BAIL;
            out += simple;
            i += 2;
          } else {
            const hex = s.slice(i + 2, i + 2 + width);
            if (hex.length !== width || !/^[0-9A-Fa-f]+$/.test(hex)) throw BAIL;
            const code = Number.parseInt(hex, 16);
            if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw BAIL;
            out += String.fromCodePoint(code);
            i += 2 + width;
          }
        }
        segment = i;
        continue;
      }
      if (c === LF) {
        if (!multiline) throw BAIL;
        out += trimEndWhite(s, u, segment, i);
        i = this.foldBreak(i + 1, parent);
        out += this.folded;
        segment = i;
        continue;
      }
      if (c === CR || ((c < SPACE || c > TILDE) && unprintable(u, i, c))) throw BAIL;
      i++;
    }
  }

  // ---- block scalars -----------------------------------------------------------------------------

  private blockScalar(parent: number): string {
    // Parsers disagree on a block scalar at the document root (never a manifest anyway).
    if (parent < 0) throw BAIL;
    const s = this.s;
    const u = this.u;
    const end = this.end;
    const folded = u[this.pos]! === GT;
    let p = this.pos + 1;
    let chomp = 0; // 0 clip, -1 strip, 1 keep
    const indicator = p < end ? u[p]! : LF;
    if (indicator === DASH) {
      chomp = -1;
      p++;
    } else if (indicator === PLUS) {
      chomp = 1;
      p++;
    }
    let q = p;
    while (q < end && (u[q]! === SPACE || u[q]! === TAB)) q++;
    if (q < end && u[q]! !== LF) {
      // An explicit indentation indicator, or anything but a comment, is left to the full parser.
      if (u[q]! !== HASH || q === p) throw BAIL;
    }
    const first = q < end ? this.nextLine(q) : end;

    // The content's indentation is that of its first non-empty line.
    let r = first;
    let maxBlank = 0;
    let indent = -1;
    while (r < end) {
      const lineStart = r;
      while (r < end && u[r]! === SPACE) r++;
      if (r >= end) {
        if (r > lineStart) throw BAIL;
        break;
      }
      const c = u[r]!;
      if (c === LF) {
        if (r - lineStart > maxBlank) maxBlank = r - lineStart;
        r++;
        continue;
      }
      if (c === TAB || c === CR) throw BAIL;
      indent = r - lineStart;
      break;
    }
    if (indent <= parent) {
      // No content at all: only the simplest form is certain.
      if (chomp === 1 || maxBlank > parent) throw BAIL;
      this.skipToContent(first);
      return '';
    }
    if (maxBlank > indent) throw BAIL;

    let out = '';
    let empty = 0;
    let started = false;
    let moreIndented = false;
    r = first;
    let stop = end;
    while (r < end) {
      const lineStart = r;
      while (r < end && r - lineStart < indent && u[r]! === SPACE) r++;
      if (r >= end) {
        if (r > lineStart) throw BAIL;
        stop = end;
        break;
      }
      const c = u[r]!;
      if (c === LF) {
        empty++;
        r++;
        continue;
      }
      if (r - lineStart < indent) {
        stop = lineStart;
        break;
      }
      // The line's end, found by looking at every character: block content must be printable too.
      let e = r;
      for (; e < end; e++) {
        const d = u[e]!;
        if (d === LF) break;
        if ((d < SPACE || d > TILDE) && unprintable(u, e, d)) throw BAIL;
      }
      // A content line without a final line break (end of file) chomps differently in parsers.
      if (e >= end) throw BAIL;
      if (folded) {
        if (c === SPACE || c === TAB) {
          moreIndented = true;
          out += '\n'.repeat(started ? 1 + empty : empty);
        } else if (moreIndented) {
          moreIndented = false;
          out += '\n'.repeat(empty + 1);
        } else if (empty === 0) {
          if (started) out += ' ';
        } else {
          out += '\n'.repeat(empty);
        }
      } else {
        out += '\n'.repeat(started ? 1 + empty : empty);
      }
      out += s.slice(r, e);
      started = true;
      empty = 0;
      r = e + 1;
      stop = r;
    }
    if (r >= end) stop = end;
    if (chomp === 1) out += '\n'.repeat(started ? 1 + empty : empty);
    else if (chomp === 0 && started) out += '\n';
    if (stop >= end) {
      this.pos = end;
      this.indent = -1;
    } else this.skipToContent(stop);
    return detach(out);
  }

  // ---- flow collections (on one line) ------------------------------------------------------------------

  private flowTop(): unknown {
    const value = this.flowNode();
    let q = this.pos;
    while (q < this.end && this.u[q]! === SPACE) q++;
    if (q < this.end && this.u[q]! === COLON) throw BAIL;
    this.finishLine(this.pos);
    return value;
  }

  private flowSpaces(): number {
    const u = this.u;
    let p = this.pos;
    while (p < this.end && u[p]! === SPACE) p++;
    if (p >= this.end) throw BAIL;
    const c = u[p]!;
    if (c === LF || c === TAB || c === CR || c === HASH) throw BAIL;
    this.pos = p;
    return c;
  }

  private flowNode(): unknown {
    const s = this.s;
    const u = this.u;
    const p = this.pos;
    const c = u[p]!;
    if (c === LBRACKET) return this.flowSequence();
    if (c === LBRACE) return this.flowMapping();
    if (c === DQUOTE || c === SQUOTE) {
      this.scanQuoted(p, -1, false);
      this.pos = this.tokStop;
      return this.quoted;
    }
    this.scanPlainFlow(p);
    this.pos = this.tokStop;
    return this.checked(resolvePlain(intern(s, u, p, this.tokEnd)), p);
  }

  private flowSequence(): unknown[] {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const items = this.startItems();
    const mark = this.table.open();
    this.pos++;
    let c = this.flowSpaces();
    if (c === RBRACKET) {
      this.pos++;
      this.table.close(mark);
      this.depth--;
      return [];
    }
    for (;;) {
      const at = this.pos;
      const item = this.flowNode();
      this.pushItem(item);
      this.table.item(at, this.recordOf(item));
      c = this.flowSpaces();
      if (c === COMMA) {
        this.pos++;
        if (this.flowSpaces() === RBRACKET) throw BAIL;
        continue;
      }
      if (c === RBRACKET) {
        this.pos++;
        break;
      }
      throw BAIL;
    }
    this.table.close(mark);
    this.depth--;
    return this.endItems(items);
  }

  private flowMapping(): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) throw BAIL;
    const target: Record<string, unknown> = {};
    const mark = this.table.open();
    let keyed = false;
    this.pos++;
    let c = this.flowSpaces();
    if (c === RBRACE) {
      this.pos++;
      this.table.close(mark);
      this.depth--;
      return target;
    }
    for (;;) {
      const keyStart = this.pos;
      let key: string;
      if (c === DQUOTE || c === SQUOTE) {
        this.scanQuoted(keyStart, -1, false);
        this.pos = this.tokStop;
        key = this.quoted;
        if (this.flowSpaces() !== COLON) throw BAIL;
        this.pos++;
      } else {
        this.scanPlainFlow(keyStart);
        if (this.tokKind !== STOP_COLON) throw BAIL;
        key = this.plainKeyAt(keyStart, this.tokEnd);
        this.pos = this.tokStop + 1;
      }
      c = this.flowSpaces();
      if (c === COMMA || c === RBRACE) throw BAIL;
      const value = this.flowNode();
      if (setKey(target, key, value, this.table.hasPendingKey(mark, key))) {
        this.issue(keyStart, duplicateKeyMessage(key));
        keyed = true;
      } else if (isIndexKey(key)) keyed = true;
      this.table.entry(key, keyStart, this.recordOf(value));
      c = this.flowSpaces();
      if (c === COMMA) {
        this.pos++;
        c = this.flowSpaces();
        if (c === RBRACE) throw BAIL;
        continue;
      }
      if (c === RBRACE) {
        this.pos++;
        break;
      }
      throw BAIL;
    }
    this.table.close(mark, keyed);
    this.depth--;
    return target;
  }

  /** A plain scalar inside a flow collection: ends at `,[]{}` or a `:` value indicator. */
  private scanPlainFlow(p: number): void {
    const s = this.s;
    const u = this.u;
    const end = this.end;
    const first = p < end ? u[p]! : LF;
    if (!plainStart(first) || first === QUESTION || first === COLON) throw BAIL;
    if (first === DASH) {
      // `-` starts a plain scalar only when a character that could continue one follows it.
      const n = p + 1 < end ? u[p + 1]! : LF;
      if (this.blankAt(p + 1) || n === COMMA || n === LBRACKET || n === RBRACKET || n === LBRACE || n === RBRACE) throw BAIL;
    }
    let i = p;
    let contentEnd = p;
    for (;;) {
      if (i >= end) throw BAIL;
      const c = u[i]!;
      if (c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE) {
        this.tokKind = STOP_FLOW;
        break;
      }
      if (c === COLON) {
        const n = i + 1 < end ? u[i + 1]! : LF;
        if (n === SPACE || n === COMMA || n === RBRACKET || n === RBRACE) {
          this.tokKind = STOP_COLON;
          break;
        }
        throw BAIL;
      }
      if (c === LF || c === CR || c === TAB) throw BAIL;
      if (c === SPACE) {
        if (i + 1 < end && u[i + 1]! === HASH) throw BAIL;
      } else {
        if ((c < SPACE || c > TILDE) && unprintable(u, i, c)) throw BAIL;
        contentEnd = i + 1;
      }
      i++;
    }
    this.tokEnd = contentEnd;
    this.tokStop = i;
  }
}

const shared = new FastParser();

/** Characters that may start a plain scalar (`-`, `?`, `:` need a non-blank after them, checked by callers). */
function plainStart(c: number): boolean {
  switch (c) {
    case LF:
    case CR:
    case TAB:
    case SPACE:
    case BANG:
    case DQUOTE:
    case HASH:
    case PERCENT:
    case AMP:
    case SQUOTE:
    case STAR:
    case COMMA:
    case GT:
    case AT:
    case LBRACKET:
    case RBRACKET:
    case BACKTICK:
    case LBRACE:
    case PIPE:
    case RBRACE:
      return false;
    default:
      return c !== 0xfeff;
  }
}

/**
 * Whether the character `c` at `i` (outside printable ASCII) is one YAML does not allow: C0
 * controls but tab and line breaks, DEL, C1 controls but NEL, U+FFFE, U+FFFF and unpaired
 * surrogates. Every character of a document the fast parser accepts passes this test (the full
 * parser reports the others), so no separate pass over the text looks for them.
 */
function unprintable(u: Uint16Array, i: number, c: number): boolean {
  if (c < 0x20) return c !== TAB && c !== LF && c !== CR;
  if (c <= 0x9f) return c >= 0x7f && c !== 0x85;
  if (c < 0xd800) return false;
  if (c <= 0xdbff) {
    const next = u[i + 1]!;
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (c <= 0xdfff) {
    const previous = u[i - 1]!;
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return c >= 0xfffe;
}

function trimEndWhite(s: string, u: Uint16Array, from: number, to: number): string {
  let t = to;
  while (t > from) {
    const c = u[t - 1]!;
    if (c !== SPACE && c !== TAB) break;
    t--;
  }
  return s.slice(from, t);
}

const SIMPLE_ESCAPES: Record<number, string> = {
  0x30: '\0',
  0x61: '\x07',
  0x62: '\b',
  0x74: '\t',
  0x09: '\t',
  0x6e: '\n',
  0x76: '\v',
  0x66: '\f',
  0x72: '\r',
  0x65: '\x1b',
  0x20: ' ',
  0x22: '"',
  0x2f: '/',
  0x5c: '\\',
  0x4e: '\x85',
  0x5f: '\xa0',
  0x4c: '\u2028',
  0x50: '\u2029',
};

function escapeWidth(c: number): number {
  if (c === 0x78) return 2; // \x
  if (c === 0x75) return 4; // \u
  if (c === 0x55) return 8; // \U
  return -1;
}
