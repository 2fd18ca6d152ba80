// What both YAML paths (the fast parser and the event constructor) and the JSON parser produce:
// plain JSON-like values, plus a side table of source offsets so that positions cost one small
// array per collection instead of a node object per value.

/**
 * Where each member of each collection is written, for one file. It lives as long as the objects
 * do, so it is a tape of 32-bit integers rather than objects: each collection is a record
 * `[count, offset₀, child₀, offset₁, child₁, …]` where `child` is the member's own record (or -1
 * for a scalar). A mapping's member order is its keys' order (Object.keys); mappings where that
 * does not hold (integer-like keys, which JavaScript orders first; a key written twice; merged
 * keys) also keep their keys in source order.
 *
 * Parsers record members as they read them (`open`, then `item`/`entry` after each member's value,
 * then `close`); children close before their parent, so a pending stack is enough.
 */
export class PositionTable {
  private tape: Int32Array;
  private used = 0;
  private pending = new Int32Array(512);
  private readonly pendingKeys: string[] = [];
  private top = 0;
  private readonly keyLists = new Map<number, string[]>();
  /** The record of the collection closed last. */
  lastClosed = -1;

  /**
   * `characters`: the length of the text the table is for. Manifests take about one slot for
   * every 7 characters; reserving that up front spares growing (copying, zeroing) the tape.
   */
  constructor(characters = 0) {
    this.tape = new Int32Array(Math.max(256, Math.ceil(characters / 6)));
  }

  /** Starts a collection; returns the mark its `close` takes. */
  open(): number {
    return this.top;
  }

  private push(key: string, offset: number, child: number): void {
    const at = this.top * 2;
    if (at + 2 > this.pending.length) {
      const grown = new Int32Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[at] = offset;
    this.pending[at + 1] = child;
    this.pendingKeys[this.top++] = key;
  }

  /** A sequence item written at `offset`; `child` is its record when it is a collection, else -1. */
  item(offset: number, child: number): void {
    this.push('', offset, child);
  }

  /** A mapping entry whose key is written at `offset`. */
  entry(key: string, offset: number, child: number): void {
    this.push(key, offset, child);
  }

  /** Ends the collection opened at `mark` and returns its record. `keyed`: keep the keys. */
  close(mark: number, keyed = false): number {
    const count = this.top - mark;
    const size = 1 + 2 * count;
    if (this.used + size > this.tape.length) {
      const grown = new Int32Array(Math.max(this.tape.length * 2, this.used + size));
      grown.set(this.tape.subarray(0, this.used));
      this.tape = grown;
    }
    const record = this.used;
    const tape = this.tape;
    const pending = this.pending;
    tape[record] = count;
    // A plain loop: most collections have a handful of members, too few for a native copy to pay.
    for (let from = mark * 2, to = record + 1, end = this.top * 2; from < end; from++, to++) tape[to] = pending[from]!;
    this.used += size;
    if (keyed) this.keyLists.set(record, this.pendingKeys.slice(mark, this.top));
    this.top = mark;
    this.lastClosed = record;
    return record;
  }

  /**
   * Whether the mapping opened at `mark` already has `key` (null when it has too many entries for
   * a scan to beat a property lookup).
   */
  hasPendingKey(mark: number, key: string): boolean | null {
    if (this.top - mark > 16) return null;
    const keys = this.pendingKeys;
    for (let i = mark; i < this.top; i++) if (keys[i] === key) return true;
    return false;
  }

  /** Drops what was recorded since `mark` (a parser gave up on a document). */
  discard(mark: number): void {
    this.top = mark;
  }

  /**
   * The member `segment` of `container` (whose record is `record`): its offset and record, or null.
   * `member.child` is left in the returned register to avoid allocating.
   */
  member(record: number, container: object, segment: string | number): number {
    if (record < 0) return -1;
    const count = this.tape[record]!;
    let index = -1;
    if (Array.isArray(container)) {
      if (typeof segment === 'number' && Number.isInteger(segment) && segment >= 0) index = segment;
    } else if (typeof segment === 'string') {
      const keys = this.keyLists.get(record);
      index = keys === undefined ? ownKeyIndex(container, segment) : keys.lastIndexOf(segment);
    }
    if (index < 0 || index >= count) return -1;
    this.memberChild = this.tape[record + 2 + 2 * index]!;
    return this.tape[record + 1 + 2 * index]!;
  }

  /** The record of the member found by the last successful `member` call. */
  memberChild = -1;

  /** A mapping's keys with their offsets and records, in source order (for merge keys). */
  entriesOf(record: number, container: Record<string, unknown>): [key: string, offset: number, child: number][] {
    if (record < 0) return Object.keys(container).map((key) => [key, -1, -1]);
    const keys = this.keyLists.get(record) ?? Object.keys(container);
    return keys.map((key, i) => [key, this.tape[record + 1 + 2 * i] ?? -1, this.tape[record + 2 + 2 * i] ?? -1]);
  }
}

/**
 * The position of `key` among the own keys of `container` in Object.keys order, or -1: for…in
 * walks them in that order (inherited ones after) without building the array Object.keys would.
 */
function ownKeyIndex(container: object, key: string): number {
  let index = 0;
  for (const own in container) {
    if (own === key) return Object.hasOwn(container, own) ? index : -1;
    index++;
  }
  return -1;
}

/** Keys JavaScript orders before all others in an object: canonical array indices. */
export function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  if (!(first >= 0x30 && first <= 0x39)) return false;
  if (key.length > 10 || (first === 0x30 && key.length > 1)) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return Number(key) < 4294967295;
}

/** Something wrong with a document that does not stop it from being read (duplicate key, value JSON cannot hold). */
export interface Issue {
  /** Offset in the file's text. */
  offset: number;
  message: string;
}

/**
 * Sets `key` on a decoded mapping and tells whether it was already there (`known`, when the caller
 * already knows). The last value wins, as
 * the API server's (non-strict) decoding does. `__proto__` is defined as an own property so a
 * manifest can never reach an object's prototype.
 */
export function setKey(target: Record<string, unknown>, key: string, value: unknown, known?: boolean | null): boolean {
  if (key === '__proto__') {
    const existed = Object.hasOwn(target, key);
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    return existed;
  }
  const existed = known ?? (target[key] !== undefined && Object.hasOwn(target, key));
  target[key] = value;
  return existed;
}

export function duplicateKeyMessage(key: string): string {
  return `duplicate key ${JSON.stringify(key)} (the API server keeps the last value; kubectl's strict decoding rejects the document)`;
}

/** The message for a decoded number the JSON the API server receives cannot hold (goyaml's `.nan`, `.inf`). */
export function nonFiniteMessage(value: number): string {
  const spelled = Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  return `${spelled} cannot be represented in JSON: the API server rejects this document`;
}
