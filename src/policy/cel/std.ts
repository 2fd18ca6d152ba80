// CEL's standard operators, as @bufbuild/cel implements them, for library functions that must
// compare, add or test equality exactly as the language does (`[1, 2.0].max()` compares across
// numeric types like `1 < 2.0`).
import { celEnv, isCelError, type CelResult, type CelValue } from '@bufbuild/cel';

interface FuncGroup {
  call(id: number, target: CelValue | undefined, args: CelValue[]): CelResult | undefined;
}
import { noOverload } from './overload.ts';

const base = celEnv();

function group(name: string): FuncGroup {
  const found = base.funcs.find(name);
  if (found === undefined) throw new Error(`@bufbuild/cel has no ${name}`);
  return found;
}

const less = group('_<_');
const greater = group('_>_');
const equal = group('_==_');
const add = group('_+_');

function call(g: FuncGroup, label: string, a: CelValue, b: CelValue): CelValue {
  const result = g.call(0, undefined, [a, b]);
  if (result === undefined) throw noOverload(label);
  if (isCelError(result)) throw new Error(result.message);
  return result;
}

/** -1, 0 or 1, or an Error for values CEL does not order (maps, lists, mixed kinds). */
export function compareValues(a: CelValue, b: CelValue): number {
  if (call(less, '_<_', a, b) === true) return -1;
  return call(greater, '_>_', a, b) === true ? 1 : 0;
}

export function equalValues(a: CelValue, b: CelValue): boolean {
  return call(equal, '_==_', a, b) === true;
}

export function addValues(a: CelValue, b: CelValue): CelValue {
  return call(add, '_+_', a, b);
}

/** Every function of the standard library, as the resolver holds them. */
export function standardFunctions(): ReturnType<typeof base.funcs[typeof Symbol.iterator]> {
  return base.funcs[Symbol.iterator]();
}
