// CEL sets extension (cel-go ext.Sets, in the API server since 1.29): sets.contains,
// sets.equivalent and sets.intersects over lists, with CEL equality.
import type { CelFunc, CelList, CelValue } from '@bufbuild/cel';
import { charge } from '../budget.ts';
import { globalFn, isList } from '../overload.ts';
import { equalValues } from '../std.ts';

function elements(list: CelValue): CelValue[] {
  return Array.from(list as CelList);
}

function includes(haystack: readonly CelValue[], needle: CelValue): boolean {
  for (const item of haystack) if (equalValues(item, needle)) return true;
  return false;
}

/** Every element of `sub` is in `list`. Quadratic, as the definition is; charged accordingly. */
function containsAll(list: readonly CelValue[], sub: readonly CelValue[]): boolean {
  charge(list.length * sub.length);
  return sub.every((item) => includes(list, item));
}

export const setFunctions: CelFunc[] = [
  globalFn('sets.contains', [isList, isList], (a, b) => containsAll(elements(a!), elements(b!))),
  globalFn('sets.equivalent', [isList, isList], (a, b) => {
    const x = elements(a!);
    const y = elements(b!);
    return containsAll(x, y) && containsAll(y, x);
  }),
  globalFn('sets.intersects', [isList, isList], (a, b) => {
    const x = elements(a!);
    const y = elements(b!);
    charge(x.length * y.length);
    return y.some((item) => includes(x, item));
  }),
];
