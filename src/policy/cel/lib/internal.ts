// Functions the compiler itself calls from rewritten expressions (names starting with `@` cannot
// be written in CEL source): the per-iteration charge of comprehensions, the entries of a list or
// map for two-variable comprehensions, map building for transformMap, and linear-time list `+`.
import { isCelList, isCelMap, isCelUint, type CelFunc, type CelList, type CelMap, type CelValue } from '@bufbuild/cel';
import { charge } from '../budget.ts';
import { anyValue, globalFn, isInt, isList, isMap } from '../overload.ts';
import { concatLists, listOf, mapOf } from '../values.ts';

type Key = string | bigint | boolean | { readonly value: bigint };

function entries(value: CelValue): CelValue {
  if (isCelList(value)) {
    const out: CelValue[] = [];
    let i = 0n;
    for (const item of value as CelList) out.push(listOf([i++, item]));
    return listOf(out);
  }
  if (isCelMap(value)) {
    const out: CelValue[] = [];
    for (const [key, item] of value as CelMap) out.push(listOf([key as CelValue, item]));
    return listOf(out);
  }
  throw new Error('no such overload: a two-variable comprehension iterates over a list or a map');
}

function isKey(value: CelValue): boolean {
  return typeof value === 'string' || typeof value === 'bigint' || typeof value === 'boolean' || isCelUint(value);
}

function copy(map: CelMap): Map<Key, CelValue> {
  charge(map.size);
  const out = new Map<Key, CelValue>();
  for (const [key, value] of map) out.set(key as Key, value);
  return out;
}

function hasKey(map: Map<Key, CelValue>, key: Key): boolean {
  if (map.has(key)) return true;
  if (isCelUint(key)) for (const k of map.keys()) if (isCelUint(k) && k.value === key.value) return true;
  return false;
}

export const internalFunctions: CelFunc[] = [
  // One comprehension iteration: charged the number of expression nodes its condition and step
  // evaluate (the factory charges 1), so a loop's cost tracks the work it does.
  globalFn('@tick', [anyValue, isInt], (value, nodes) => {
    charge(Number(nodes) - 1);
    return value!;
  }),
  globalFn('@entries', [anyValue], (value) => entries(value!)),
  globalFn('@mapInsert', [isMap, anyValue, anyValue], (map, key, value) => {
    if (!isKey(key!)) throw new Error('unsupported map key type');
    const out = copy(map as CelMap);
    if (hasKey(out, key as Key)) throw new Error(`insert failed: key ${String(isCelUint(key) ? key.value : key)} already exists`);
    out.set(key as Key, value!);
    return mapOf(out);
  }),
  globalFn('@mapMerge', [isMap, isMap], (map, more) => {
    const out = copy(map as CelMap);
    for (const [key, value] of more as CelMap) {
      if (hasKey(out, key as Key)) throw new Error(`insert failed: key ${String(key)} already exists`);
      out.set(key as Key, value);
    }
    return mapOf(out);
  }),
  // Same id as @bufbuild/cel's list concatenation, which it replaces.
  globalFn(
    '_+_',
    [isList, isList],
    (a, b) => {
      charge((b as CelList).size);
      return concatLists(a as CelList, b as CelList);
    },
    '_+_(list,list)',
  ),
];
