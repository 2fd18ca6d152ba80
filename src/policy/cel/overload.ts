// How the Kubernetes library functions are declared: a name, a receiver (for `x.f()` style), guards
// on the arguments and an implementation. The objects produced are what @bufbuild/cel's function
// resolver calls; returning `undefined` from `call` means "not this overload" and lets the resolver
// try the next one, so overloads of one name (`indexOf` on strings and on lists) coexist.
import { CelScalar, celError, isCelList, isCelMap, type CelFunc, type CelResult, type CelValue } from '@bufbuild/cel';
import { BudgetExhausted, charge } from './budget.ts';
import { isOpaque, Opaque } from './values.ts';

export type Guard = (value: CelValue) => boolean;

export const anyValue: Guard = () => true;
export const isString: Guard = (v) => typeof v === 'string';
export const isInt: Guard = (v) => typeof v === 'bigint';
export const isBool: Guard = (v) => typeof v === 'boolean';
export const isList: Guard = (v) => isCelList(v);
/** A map that is a map, not one of the opaque library types carried as a map. */
export const isMap: Guard = (v) => isCelMap(v) && !isOpaque(v);

/** Guard for an opaque library type. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function opaque<T extends Opaque>(type: Function & { prototype: T }): Guard {
  return (v) => v instanceof type;
}

/** The signature the static checker reads: receiver style and arity, per name. */
export interface Signature {
  name: string;
  member: boolean;
  arity: number;
}

let nextId = 0;

interface Declared extends Signature {
  id: string;
  call(id: number, target: CelValue | undefined, args: CelValue[]): CelResult | undefined;
}

const DYN_ARGS = (n: number): readonly (typeof CelScalar.DYN)[] => Array.from({ length: n }, () => CelScalar.DYN);

function declare(name: string, member: boolean, arity: number, id: string, call: Declared['call']): CelFunc {
  // The resolver only calls `call` and reads `name` and `id`; `target`, `arguments` and `result`
  // mirror the library's own functions so that the static checker can read every function alike.
  const func = {
    id,
    name,
    member,
    arity,
    target: member ? CelScalar.DYN : undefined,
    arguments: DYN_ARGS(arity),
    result: CelScalar.DYN,
    call,
  };
  return func as unknown as CelFunc;
}

function run(id: number, body: () => CelValue | CelResult): CelResult {
  try {
    return body();
  } catch (error) {
    if (error instanceof BudgetExhausted) throw error;
    return celError(error instanceof Error ? error.message : String(error), id);
  }
}

/** `name(args…)`. The implementation throws an Error to fail the call with its message. */
export function globalFn(name: string, guards: readonly Guard[], impl: (...args: CelValue[]) => CelValue | CelResult, id?: string): CelFunc {
  const overloadId = id ?? `${name}#${nextId++}`;
  return declare(name, false, guards.length, overloadId, (callId, target, args) => {
    if (target !== undefined || args.length !== guards.length) return undefined;
    for (let i = 0; i < guards.length; i++) if (!guards[i]!(args[i]!)) return undefined;
    charge(1);
    return run(callId, () => impl(...args));
  });
}

/** `receiver.name(args…)`. */
export function memberFn(
  name: string,
  receiver: Guard,
  guards: readonly Guard[],
  impl: (receiver: CelValue, ...args: CelValue[]) => CelValue | CelResult,
  id?: string,
): CelFunc {
  const overloadId = id ?? `${name}#${nextId++}`;
  return declare(name, true, guards.length, overloadId, (callId, target, args) => {
    if (target === undefined || !receiver(target) || args.length !== guards.length) return undefined;
    for (let i = 0; i < guards.length; i++) if (!guards[i]!(args[i]!)) return undefined;
    charge(1);
    return run(callId, () => impl(target, ...args));
  });
}

/** The same function callable both as `f(x, …)` and `x.f(…)`, as several Kubernetes ones are. */
export function bothFn(name: string, receiver: Guard, guards: readonly Guard[], impl: (receiver: CelValue, ...args: CelValue[]) => CelValue | CelResult): CelFunc[] {
  return [memberFn(name, receiver, guards, impl), globalFn(name, [receiver, ...guards], (first, ...rest) => impl(first!, ...rest))];
}

export function signatureOf(func: CelFunc): Signature {
  return { name: func.name, member: func.target !== undefined, arity: func.arguments.length };
}

/** Error text for a value of the wrong kind, as the API server words it. */
export function noOverload(name: string): Error {
  return new Error(`no such overload: ${name}`);
}
