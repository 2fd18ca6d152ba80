// CEL optional types (cel.OptionalTypes, enabled in the API server since Kubernetes 1.28):
// optional.of / none / ofNonZeroValue, hasValue, value, orValue, or, the `x.?field` and `x[?key]`
// selections, and optional list elements and map entries (`[a, ?b]`, `{?k: v}`), which the
// compiler rewrites into calls of the functions below because @bufbuild/cel's parser does not read
// that syntax (see ../source.ts).
import { isCelList, isCelMap, isCelUint, type CelFunc, type CelList, type CelMap, type CelValue } from '@bufbuild/cel';
import { anyValue, globalFn, isList, isMap, memberFn, opaque } from '../overload.ts';
import { OPT_ELEMENT, OPT_LIST, OPT_MAP } from '../source.ts';
import { asCel, isOpaque, listOf, mapOf, Opaque } from '../values.ts';

export class Optional extends Opaque {
  readonly typeName = 'optional_type';
  readonly value: CelValue | undefined;

  private constructor(value: CelValue | undefined) {
    super();
    this.value = value;
  }

  static of(value: CelValue): Optional {
    return new Optional(value);
  }

  static readonly NONE = new Optional(undefined);

  protected identity(): [string, CelValue] {
    return this.value === undefined ? ['optional.none', true] : ['optional.of', this.value];
  }

  /** Selecting into an optional yields an optional: none stays none, a missing field becomes none. */
  protected override select(key: unknown): CelValue | undefined {
    if (this.value === undefined) return asCel(Optional.NONE);
    const inner = lookup(this.value, key);
    return asCel(inner === undefined ? Optional.NONE : Optional.of(inner));
  }

  toString(): string {
    return this.value === undefined ? 'optional.none()' : `optional.of(${String(this.value)})`;
  }
}

function lookup(container: CelValue, key: unknown): CelValue | undefined {
  if (isCelMap(container) && !isOpaque(container)) {
    const k = typeof key === 'number' && Number.isInteger(key) ? BigInt(key) : key;
    return (container as CelMap).get(k as string);
  }
  if (isCelList(container)) {
    const index = typeof key === 'bigint' ? Number(key) : typeof key === 'number' && Number.isInteger(key) ? key : isCelUint(key) ? Number(key.value) : Number.NaN;
    return Number.isInteger(index) ? (container as CelList).get(index) : undefined;
  }
  return undefined;
}

export function optionalOf(value: CelValue | undefined): CelValue {
  return asCel(value === undefined ? Optional.NONE : Optional.of(value));
}

function isZero(value: CelValue): boolean {
  switch (typeof value) {
    case 'string':
      return value === '';
    case 'bigint':
      return value === 0n;
    case 'number':
      return value === 0;
    case 'boolean':
      return !value;
  }
  if (value === null) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (isCelUint(value)) return value.value === 0n;
  if (isCelList(value)) return value.size === 0;
  if (isCelMap(value) && !isOpaque(value)) return value.size === 0;
  return false;
}

const isOptional = opaque(Optional);
const opt = (v: CelValue): Optional => v as unknown as Optional;

/** `target.?field` / `target[?key]`: optional of the element, none when absent. */
function optionalSelect(target: CelValue, key: CelValue): CelValue {
  if (target instanceof Optional) {
    if (target.value === undefined) return asCel(Optional.NONE);
    return optionalOf(lookup(target.value, key));
  }
  if (!isCelMap(target) && !isCelList(target)) throw new Error('no such overload: optional selection applies to maps, lists and optionals');
  if (isOpaque(target)) throw new Error('no such overload: optional selection applies to maps, lists and optionals');
  return optionalOf(lookup(target, key));
}

/** `?x` inside a literal: carried to the literal's builder, which keeps or drops it. */
class Element extends Opaque {
  readonly typeName = 'optional_element';
  readonly inner: CelValue;

  constructor(inner: CelValue) {
    super();
    this.inner = inner;
  }

  protected identity(): [string, CelValue] {
    return ['optional.element', this.inner];
  }

  toString(): string {
    return `?${String(this.inner)}`;
  }
}

/** The value an element contributes, or undefined for optional.none(). */
function present(value: CelValue): CelValue | undefined {
  if (!(value instanceof Element)) return value;
  if (!(value.inner instanceof Optional)) throw new Error(`no such overload: an optional element or entry must be an optional value, not ${describeKind(value.inner)}`);
  return value.inner.value;
}

function describeKind(value: CelValue): string {
  if (value === null) return 'null';
  if (isCelList(value)) return 'a list';
  if (isCelMap(value)) return 'a map';
  return typeof value === 'bigint' ? 'an int' : `a ${typeof value}`;
}

type MapKey = string | bigint | boolean | { readonly value: bigint };

export const optionalFunctions: CelFunc[] = [
  globalFn(OPT_ELEMENT, [anyValue], (v) => asCel(new Element(v!))),
  globalFn(OPT_LIST, [isList], (list) => {
    const out: CelValue[] = [];
    for (const item of list as CelList) {
      const value = present(item);
      if (value !== undefined) out.push(value);
    }
    return listOf(out);
  }),
  globalFn(OPT_MAP, [isMap], (map) => {
    const out = new Map<MapKey, CelValue>();
    for (const [key, item] of map as CelMap) {
      const value = present(item);
      if (value !== undefined) out.set(key as MapKey, value);
    }
    return mapOf(out);
  }),
  globalFn('optional.of', [anyValue], (v) => asCel(Optional.of(v!))),
  globalFn('optional.none', [], () => asCel(Optional.NONE)),
  globalFn('optional.ofNonZeroValue', [anyValue], (v) => asCel(isZero(v!) ? Optional.NONE : Optional.of(v!))),
  memberFn('hasValue', isOptional, [], (o) => opt(o).value !== undefined),
  memberFn('value', isOptional, [], (o) => {
    const value = opt(o).value;
    if (value === undefined) throw new Error('optional.none() dereference');
    return value;
  }),
  memberFn('orValue', isOptional, [anyValue], (o, fallback) => opt(o).value ?? fallback!),
  memberFn('or', isOptional, [isOptional], (o, other) => (opt(o).value === undefined ? other! : o)),
  globalFn('@optSelect', [anyValue, anyValue], (target, key) => optionalSelect(target!, key!)),
];
