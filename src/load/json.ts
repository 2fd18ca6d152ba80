// JSON input, read the way kubectl reads a stream whose first character is `{`: a sequence of JSON
// values. Hand-written (rather than JSON.parse) to record where each key and item is written and to
// report duplicate keys, in the same side table the YAML paths fill.
import { MAX_DEPTH } from './limits.ts';
import { detachedSlice } from '../core/detach.ts';
import { duplicateKeyMessage, isIndexKey, setKey, type Issue, type PositionTable } from './tree.ts';

export interface JsonDocument {
  value: unknown;
  offset: number;
  /** The root's record in the position table (-1 for a scalar). */
  record: number;
  issues: Issue[];
}

export interface JsonOutcome {
  documents: JsonDocument[];
  /** The first syntax error; reading stops there (a JSON stream cannot be resynchronised). */
  error: Issue | null;
}

/** True when kubectl would read this text as JSON: its first non-white-space character is `{`. */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b;
  }
  return false;
}

class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

export function parseJsonStream(text: string, table: PositionTable): JsonOutcome {
  const parser = new JsonParser(text, table);
  const documents: JsonDocument[] = [];
  const mark = table.open();
  try {
    for (;;) {
      parser.skipWhite();
      if (parser.pos >= text.length) break;
      const offset = parser.pos;
      parser.issues = [];
      const value = parser.value();
      documents.push({ value, offset, record: parser.recordOf(value), issues: parser.issues });
    }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    table.discard(mark);
    return { documents, error: { offset: error.offset, message: `invalid JSON: ${error.message}` } };
  }
  return { documents, error: null };
}

class JsonParser {
  readonly s: string;
  readonly table: PositionTable;
  pos = 0;
  depth = 0;
  issues: Issue[] = [];

  constructor(s: string, table: PositionTable) {
    this.s = s;
    this.table = table;
  }

  recordOf(value: unknown): number {
    return value !== null && typeof value === 'object' ? this.table.lastClosed : -1;
  }

  skipWhite(): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(at, message);
  }

  private unexpected(): never {
    if (this.pos >= this.s.length) this.fail('unexpected end of JSON input');
    this.fail(`invalid character ${JSON.stringify(this.s[this.pos])} in JSON`);
  }

  value(): unknown {
    this.skipWhite();
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default: {
        NUMBER.lastIndex = this.pos;
        const m = NUMBER.exec(s);
        if (m === null || m[0].length === 0) this.unexpected();
        const value = Number(m[0]);
        if (!Number.isFinite(value)) this.fail(`number ${m[0]} is out of range`);
        this.pos += m[0].length;
        return value === 0 ? 0 : value;
      }
    }
  }

  private literal(word: string, value: unknown): unknown {
    if (!this.s.startsWith(word, this.pos)) this.unexpected();
    this.pos += word.length;
    return value;
  }

  private string(): string {
    const s = this.s;
    const start = this.pos;
    let p = start + 1;
    let escaped = false;
    for (;;) {
      if (p >= s.length) this.fail('unterminated string in JSON', start);
      const c = s.charCodeAt(p);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) this.fail('invalid control character in JSON string', p);
      p++;
    }
    this.pos = p + 1;
    if (!escaped) return detachedSlice(s, start + 1, p);
    try {
      return JSON.parse(s.slice(start, p + 1)) as string;
    } catch {
      this.fail('invalid escape sequence in JSON string', start);
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`JSON nests deeper than ${MAX_DEPTH} levels`);
  }

  private object(): Record<string, unknown> {
    this.enter();
    const target: Record<string, unknown> = {};
    const mark = this.table.open();
    let keyed = false;
    this.pos++;
    this.skipWhite();
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.table.close(mark);
      this.depth--;
      return target;
    }
    for (;;) {
      this.skipWhite();
      const keyStart = this.pos;
      if (this.s.charCodeAt(keyStart) !== 0x22) this.unexpected();
      const key = this.string();
      this.skipWhite();
      if (this.s.charCodeAt(this.pos) !== 0x3a) this.unexpected();
      this.pos++;
      const value = this.value();
      if (setKey(target, key, value)) {
        this.issues.push({ offset: keyStart, message: duplicateKeyMessage(key) });
        keyed = true;
      } else if (isIndexKey(key)) keyed = true;
      this.table.entry(key, keyStart, this.recordOf(value));
      this.skipWhite();
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        break;
      }
      this.unexpected();
    }
    this.table.close(mark, keyed);
    this.depth--;
    return target;
  }

  private array(): unknown[] {
    this.enter();
    const items: unknown[] = [];
    const mark = this.table.open();
    this.pos++;
    this.skipWhite();
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.table.close(mark);
      this.depth--;
      return items;
    }
    for (;;) {
      this.skipWhite();
      const at = this.pos;
      const item = this.value();
      items.push(item);
      this.table.item(at, this.recordOf(item));
      this.skipWhite();
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        break;
      }
      this.unexpected();
    }
    this.table.close(mark);
    this.depth--;
    return items;
  }
}
