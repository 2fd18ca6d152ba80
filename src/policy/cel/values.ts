// Kubernetes objects as CEL values, and the collection types the evaluator builds. Objects are
// wrapped lazily (a field is converted when an expression reads it), each wrapper is made once per
// parsed node and shared by every expression that reads the object, and integral JSON numbers become
// CEL `int` — as the API server's unstructured conversion does — so `object.spec.replicas + 1` works.
import { isCelList, isCelMap, isCelUint, type CelError, type CelList, type CelMap, type CelValue } from '@bufbuild/cel';
import { charge } from './budget.ts';

// @bufbuild/cel recognises its collections by these registered symbols; implementing them is how a
// lazy view of a parsed object becomes a CEL map without copying it.
const MAP_BRAND = Symbol.for('@bufbuild/cel/map');
const LIST_BRAND = Symbol.for('@bufbuild/cel/list');

const INT64_BOUND = 2 ** 63;
const SMALL_INTS: readonly bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i));

/** Map keys CEL lets a program use. */
type MapKey = string | bigint | boolean | { readonly value: bigint };

/** A JS value read from a parsed manifest, as CEL sees it. `undefined` stands for an absent field. */
export function fromJs(value: unknown): CelValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      // Small integers (ports, replicas, ids) are the common case: reuse their bigints.
      if (value >= 0 && value < SMALL_INTS.length && Number.isInteger(value)) return SMALL_INTS[value]!;
      return Number.isInteger(value) && Math.abs(value) < INT64_BOUND ? BigInt(value) : value;
    case 'object':
      return value === null ? null : wrap(value);
    default:
      return undefined;
  }
}

// Wrappers of the values handed to evaluations (whole objects), shared by every expression that
// reads one; nested values are wrapped by their parent wrapper, which keeps them (no table lookup).
// fromJsUnshared skips the table for the whole value too.
const wrappers = new WeakMap<object, CelValue>();

function wrap(value: object): CelValue {
  let wrapper = wrappers.get(value);
  if (wrapper !== undefined) return wrapper;
  if (isCelMap(value) || isCelList(value) || isCelUint(value) || value instanceof Uint8Array) return value as CelValue;
  wrapper = wrapNew(value);
  wrappers.set(value, wrapper);
  return wrapper;
}

function wrapNew(value: object): CelValue {
  if (isCelMap(value) || isCelList(value) || isCelUint(value) || value instanceof Uint8Array) return value as CelValue;
  if (Array.isArray(value)) return new ObjectList(value) as unknown as CelList;
  if (value instanceof Map) return new HostMap(value) as unknown as CelMap;
  return new ObjectMap(value as Record<string, unknown>) as unknown as CelMap;
}

/**
 * Like fromJs, but a container gets a wrapper of its own instead of the one shared through a table
 * keyed by the parsed value. For a caller that converts an object once and keeps the result while it
 * evaluates (one object of a scan): the wrappers and their converted children then die with that
 * evaluation, young, instead of living as long as the parsed object and being copied by every
 * minor collection until they are promoted.
 */
export function fromJsUnshared(value: unknown): CelValue | undefined {
  return typeof value === 'object' && value !== null ? wrapNew(value) : fromJs(value);
}


/**
 * A parsed mapping. Keys whose value is null count as absent: the API server decodes built-in
 * objects into their Go types, where a null field and a missing one are the same thing.
 */
class ObjectMap {
  readonly [MAP_BRAND] = {};
  private readonly record: Readonly<Record<string, unknown>>;
  private keyList: string[] | undefined;
  /** Converted children that are themselves objects: every read after the first is a Map lookup. */
  private children: Map<string, CelValue> | undefined;

  constructor(record: Readonly<Record<string, unknown>>) {
    this.record = record;
  }

  private presentKeys(): string[] {
    if (this.keyList === undefined) {
      const keys: string[] = [];
      for (const key of Object.keys(this.record)) {
        const value = this.record[key];
        if (value !== null && value !== undefined) keys.push(key);
      }
      this.keyList = keys;
    }
    return this.keyList;
  }

  get size(): number {
    return this.presentKeys().length;
  }

  get(key: unknown): CelValue | undefined {
    if (typeof key !== 'string') return undefined;
    const cached = this.children?.get(key);
    if (cached !== undefined) return cached;
    if (!Object.hasOwn(this.record, key)) return undefined;
    const value = this.record[key];
    if (value === null) return undefined;
    const converted = fromJsUnshared(value);
    if (typeof value === 'object' && converted !== undefined) (this.children ??= new Map()).set(key, converted);
    return converted;
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }

  *keys(): IterableIterator<string> {
    for (const key of this.presentKeys()) {
      charge(1);
      yield key;
    }
  }

  *values(): IterableIterator<CelValue> {
    for (const key of this.presentKeys()) {
      charge(1);
      yield this.get(key)!;
    }
  }

  *entries(): IterableIterator<[string, CelValue]> {
    for (const key of this.presentKeys()) {
      charge(1);
      yield [key, this.get(key)!];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }

  forEach(callback: (value: CelValue, key: string, map: unknown) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/** A JS Map handed in by a caller (an activation built in code rather than parsed). */
class HostMap {
  readonly [MAP_BRAND] = {};
  private readonly map: ReadonlyMap<unknown, unknown>;

  constructor(map: ReadonlyMap<unknown, unknown>) {
    this.map = map;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: unknown): CelValue | undefined {
    const value = this.map.get(typeof key === 'number' && Number.isInteger(key) ? BigInt(key) : key);
    return value === undefined ? undefined : fromJs(value);
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }

  *keys(): IterableIterator<MapKey> {
    for (const key of this.map.keys()) {
      charge(1);
      yield fromJs(key) as MapKey;
    }
  }

  *values(): IterableIterator<CelValue> {
    for (const value of this.map.values()) {
      charge(1);
      yield fromJs(value) as CelValue;
    }
  }

  *entries(): IterableIterator<[MapKey, CelValue]> {
    for (const [key, value] of this.map) {
      charge(1);
      yield [fromJs(key) as MapKey, fromJs(value) as CelValue];
    }
  }

  [Symbol.iterator](): IterableIterator<[MapKey, CelValue]> {
    return this.entries();
  }

  forEach(callback: (value: CelValue, key: MapKey, map: unknown) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/** A parsed sequence; its items are converted once, on first read. */
class ObjectList {
  readonly [LIST_BRAND] = {};
  private readonly items: readonly unknown[];
  private converted: (CelValue | undefined)[] | undefined;

  constructor(items: readonly unknown[]) {
    this.items = items;
  }

  get size(): number {
    return this.items.length;
  }

  get(index: number): CelValue | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.items.length) return undefined;
    const converted = (this.converted ??= new Array<CelValue | undefined>(this.items.length));
    let value = converted[index];
    if (value === undefined) converted[index] = value = fromJsUnshared(this.items[index]) ?? null;
    return value;
  }

  *values(): IterableIterator<CelValue> {
    for (let i = 0; i < this.items.length; i++) {
      charge(1);
      yield this.get(i)!;
    }
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/**
 * A list built by an expression. `a + b` appends to `a`'s backing array when `a` is its last
 * version, so a comprehension that grows its result (`map`, `filter`) runs in linear time instead of
 * building a chain of concatenations; older versions keep seeing only their own prefix.
 */
class BuiltList {
  readonly [LIST_BRAND] = {};
  readonly store: CelValue[];
  readonly length: number;

  constructor(store: CelValue[], length: number) {
    this.store = store;
    this.length = length;
  }

  get size(): number {
    return this.length;
  }

  get(index: number): CelValue | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    return this.store[index];
  }

  *values(): IterableIterator<CelValue> {
    for (let i = 0; i < this.length; i++) {
      charge(1);
      yield this.store[i]!;
    }
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/**
 * The lists this module builds (parsed sequences and expression results), which charge the budget
 * one unit per element iterated; the evaluators read them by index after charging the whole
 * iteration at once, instead of going through a generator per element.
 */
export function isIndexedList(value: unknown): value is { readonly size: number; get(index: number): CelValue | undefined } {
  return value instanceof ObjectList || value instanceof BuiltList;
}

/** A CEL list holding exactly these values. */
export function listOf(values: CelValue[]): CelList {
  return new BuiltList(values, values.length) as unknown as CelList;
}

/**
 * A map whose values are computed on first read and kept: the `variables` of a policy, each
 * evaluated at most once per evaluation and only if an expression reads it. A failed computation
 * reads as the error, which the evaluator propagates like any other.
 */
export function lazyMap(keys: readonly string[], compute: (key: string) => CelValue | CelError, observe?: (key: string) => void): CelMap {
  return new LazyMap(keys, compute, observe) as unknown as CelMap;
}

class LazyMap {
  readonly [MAP_BRAND] = {};
  private readonly names: readonly string[];
  private readonly compute: (key: string) => CelValue | CelError;
  /** Told of every read of a value, computed or not (what an expression's result depends on). */
  private readonly observe: ((key: string) => void) | undefined;
  private readonly done = new Map<string, CelValue | CelError>();

  constructor(names: readonly string[], compute: (key: string) => CelValue | CelError, observe: ((key: string) => void) | undefined) {
    this.names = names;
    this.compute = compute;
    this.observe = observe;
  }

  get size(): number {
    return this.names.length;
  }

  get(key: unknown): CelValue | undefined {
    if (typeof key !== 'string' || !this.names.includes(key)) return undefined;
    this.observe?.(key);
    let value = this.done.get(key);
    if (value === undefined) {
      value = this.compute(key);
      this.done.set(key, value);
    }
    return value as CelValue;
  }

  has(key: unknown): boolean {
    return typeof key === 'string' && this.names.includes(key);
  }

  *keys(): IterableIterator<string> {
    yield* this.names;
  }

  *values(): IterableIterator<CelValue> {
    for (const name of this.names) yield this.get(name)!;
  }

  *entries(): IterableIterator<[string, CelValue]> {
    for (const name of this.names) yield [name, this.get(name)!];
  }

  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }

  forEach(callback: (value: CelValue, key: string, map: unknown) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/** `a + b` for lists. */
export function concatLists(a: CelList, b: CelList): CelList {
  if (b.size === 0) return a;
  const left = a as unknown as BuiltList;
  if (left instanceof BuiltList && left.store.length === left.length) {
    for (const value of b) left.store.push(value);
    return new BuiltList(left.store, left.store.length) as unknown as CelList;
  }
  const store: CelValue[] = [];
  for (const value of a) store.push(value);
  for (const value of b) store.push(value);
  return new BuiltList(store, store.length) as unknown as CelList;
}

/** A CEL map over a JS Map whose keys are already CEL keys (strings, bigints, booleans). */
export function mapOf(entries: Map<MapKey, CelValue>): CelMap {
  return new HostMap(entries) as unknown as CelMap;
}

/**
 * Values of types the Kubernetes libraries add (Quantity, URL, IP, CIDR, Semver, Format, optional).
 * @bufbuild/cel only carries its own value kinds, so these travel as one-entry maps: the entry is
 * the value's identity, which makes `==` compare them by value as the API server does, and it never
 * collides with a parsed object because no Kubernetes field is named like a CEL type.
 */
export abstract class Opaque {
  readonly [MAP_BRAND] = {};
  abstract readonly typeName: string;
  /** The key and value `==` compares. */
  protected abstract identity(): [string, CelValue];

  get size(): number {
    return 1;
  }

  get(key: unknown): CelValue | undefined {
    const [name, value] = this.identity();
    return key === name ? value : this.select(key);
  }

  /** Field selection and indexing on the value; only optionals support it. */
  protected select(_key: unknown): CelValue | undefined {
    return undefined;
  }

  has(key: unknown): boolean {
    return this.select(key) !== undefined;
  }

  keys(): IterableIterator<string> {
    throw new Error(`a ${this.typeName} cannot be iterated`);
  }

  values(): IterableIterator<CelValue> {
    throw new Error(`a ${this.typeName} cannot be iterated`);
  }

  *entries(): IterableIterator<[string, CelValue]> {
    yield this.identity();
  }

  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }

  forEach(callback: (value: CelValue, key: string, map: unknown) => void): void {
    const [key, value] = this.identity();
    callback(value, key, this);
  }

  /** The value as `string()` or a message prints it. */
  abstract toString(): string;
}

export function asCel(value: Opaque): CelValue {
  return value as unknown as CelValue;
}

export function isOpaque(value: unknown): value is Opaque {
  return value instanceof Opaque;
}

/** Plain JS for a CEL result: lists become arrays, maps objects, ints stay bigints. */
export function toJs(value: CelValue | undefined, depth = 0): unknown {
  if (depth > 100) return '…';
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
    case 'number':
    case 'undefined':
      return value;
  }
  if (value === null) return null;
  if (isCelUint(value)) return value.value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Opaque) return value.toString();
  if (isCelList(value)) return Array.from(value, (item) => toJs(item, depth + 1));
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) out[String(isCelUint(key) ? key.value : key)] = toJs(item, depth + 1);
    return out;
  }
  return describeMessage(value);
}

/** Timestamps and durations are protobuf messages inside @bufbuild/cel. */
function describeMessage(value: unknown): string {
  const message = (value as { message?: { $typeName?: string; seconds?: bigint; nanos?: number } }).message;
  if (message?.$typeName === 'google.protobuf.Timestamp' && typeof message.seconds === 'bigint') {
    return new Date(Number(message.seconds) * 1000 + Math.floor((message.nanos ?? 0) / 1e6)).toISOString();
  }
  if (message?.$typeName === 'google.protobuf.Duration' && typeof message.seconds === 'bigint') {
    const nanos = message.nanos ?? 0;
    return nanos === 0 ? `${message.seconds}s` : `${Number(message.seconds) + nanos / 1e9}s`;
  }
  if (typeof value === 'object' && value !== null && 'name' in value) return `type(${String((value as { name: unknown }).name)})`;
  return String(value);
}
