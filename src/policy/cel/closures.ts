// A faster evaluator for the expressions admission policies are made of. @bufbuild/cel's planner
// resolves every identifier through chains of activations and candidate names, and dispatches
// every node through attribute objects; on a 10,000-object scan that interpretation was most of
// the policies' cost. Here the checked and rewritten tree becomes a tree of closures instead:
// comprehension variables live in slots fixed at compile time, declared variables are one property
// read, field selections are fused into one loop, and the hottest operators on primitive values
// skip overload dispatch. Everything else — every library function, every overload, every value
// kind — goes through the very function table the planner uses, with the planner's evaluation
// order and error rules, so both evaluators give the same results (a differential test holds them
// to it). Expressions that could produce protobuf messages (timestamps, durations, type values)
// keep the planner, whose functions need its evaluation context.
import { celError, celList, celMap, celType, celUint, isCelError, isCelList, isCelMap, isCelUint, type CelEnv, type CelError, type CelValue } from '@bufbuild/cel';
import { qualifiedName, type ConstantKind, type Expr } from './ast.ts';
import { charge } from './budget.ts';
import { concatLists, isIndexedList } from './values.ts';

type Result = CelValue | CelError;
/** Declared variables by name, already converted to CEL values. */
export type ClosureVars = Readonly<Record<string, CelValue | undefined>>;
type Frame = (CelValue | CelError | undefined)[];
type Node = (vars: ClosureVars, frame: Frame) => Result;

export type ClosureProgram = (vars: ClosureVars) => Result;

interface FunctionGroup {
  call(id: number, target: CelValue | undefined, args: CelValue[]): Result | undefined;
}

/** Thrown while compiling: this expression stays with the planner. */
class Unsupported extends Error {}

/** Functions whose values are protobuf messages or types; see the header. */
const PLANNER_ONLY_FUNCTIONS: ReadonlySet<string> = new Set(['timestamp', 'duration', 'type']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const EMPTY_LIST = celList([]);
/**
 * @bufbuild/cel's list over an array (list literals, library results): read by index, it spares a
 * generator per iteration; it charges nothing per element, whichever way it is read.
 */
const ARRAY_LIST: unknown = (EMPTY_LIST as object).constructor;

function isArrayList(value: unknown): value is { readonly size: number; get(index: number): CelValue | undefined } {
  return typeof value === 'object' && value !== null && value.constructor === ARRAY_LIST;
}

// Errors for a declared variable the activation lacks: `has()` on them is false, as in the planner.
const unresolvedErrors = new WeakSet<object>();

function unresolved(id: number): CelError {
  const error = celError('unresolved attribute', id);
  unresolvedErrors.add(error);
  return error;
}

function fieldNotFound(id: number, name: unknown): CelError {
  return celError(`field not found: ${String(name)}`, id);
}

function indexOutOfBounds(id: number, index: unknown): CelError {
  return celError(`index ${String(index)} out of bounds [0, -1)`, id);
}

function noOverload(id: number, name: string, target: CelValue | undefined, args: readonly CelValue[]): CelError {
  const types = args.map((arg) => celType(arg).name).join(', ');
  return celError(`found no matching overload for '${name}' applied to '${target !== undefined ? `${String(celType(target))}.` : ''}(${types})'`, id);
}

function isMap(value: unknown): value is { get(key: unknown): CelValue | undefined; has(key: unknown): boolean; size: number; keys(): Iterable<unknown> } {
  return typeof value === 'object' && value !== null && isCelMap(value);
}

/** `obj.name`, as the planner's string access does it. */
function selectField(obj: Result, name: string, id: number): Result {
  if (isMap(obj)) {
    const value = obj.get(name);
    return value === undefined ? fieldNotFound(id, name) : value;
  }
  return fieldNotFound(id, name);
}

function byIndex(obj: Result, index: unknown): CelValue | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  if (isCelMap(obj)) return (obj as { get(key: unknown): CelValue | undefined }).get(index);
  if (isCelList(obj)) return obj.get(Number(index));
  return undefined;
}

/** `obj[key]`, with the planner's choice of access by the key's kind and its error texts. */
function indexValue(obj: Result, key: CelValue, id: number): Result {
  switch (typeof key) {
    case 'boolean': {
      const value = byIndex(obj, key);
      return value === undefined ? fieldNotFound(id, key) : value;
    }
    case 'number':
    case 'bigint': {
      const value = byIndex(obj, key);
      return value === undefined ? indexOutOfBounds(id, typeof key === 'bigint' ? Number(key) : key) : value;
    }
    case 'string':
      return selectField(obj, key, id);
    case 'object':
      if (isCelUint(key)) {
        const value = byIndex(obj, key.value);
        return value === undefined ? indexOutOfBounds(id, Number(key.value)) : value;
      }
      break;
  }
  return celError('unsupported key type', id);
}

function constant(kind: ConstantKind): CelValue {
  switch (kind.case) {
    case 'stringValue':
    case 'bytesValue':
    case 'doubleValue':
    case 'boolValue':
    case 'int64Value':
      return kind.value as CelValue;
    case 'uint64Value':
      return celUint(kind.value as bigint);
    case 'nullValue':
      return null;
    default:
      throw new Unsupported(`constant ${String(kind.case)}`);
  }
}

function mapKey(key: Result, id: number): Result {
  switch (typeof key) {
    case 'boolean':
    case 'bigint':
    case 'string':
      return key;
    case 'object':
      if (isCelUint(key)) return key;
      return celError('unsupported key type', id);
    case 'number':
      return Number.isInteger(key) ? BigInt(key) : celError('unsupported key type', id);
    default:
      return celError('unsupported key type', id);
  }
}

/** Lexical scope of comprehension variables: name → frame slot. */
class Scope {
  readonly parent: Scope | null;
  readonly names: ReadonlyMap<string, number>;

  constructor(parent: Scope | null, names: ReadonlyMap<string, number>) {
    this.parent = parent;
    this.names = names;
  }

  slot(name: string): number | undefined {
    for (let scope: Scope | null = this; scope !== null; scope = scope.parent) {
      const slot = scope.names.get(name);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }
}

class ClosureCompiler {
  private readonly env: CelEnv;
  private readonly globals: ReadonlySet<string>;
  slots = 0;

  constructor(env: CelEnv, globals: ReadonlySet<string>) {
    this.env = env;
    this.globals = globals;
  }

  private group(name: string): FunctionGroup | undefined {
    return this.env.funcs.find(name) as FunctionGroup | undefined;
  }

  node(e: Expr, scope: Scope | null): Node {
    const id = Number(e.id);
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': {
        const value = constant(k.value.constantKind);
        return () => value;
      }
      case 'identExpr':
        return this.ident(k.value.name, id, scope);
      case 'selectExpr': {
        if (k.value.operand === undefined) throw new Unsupported('select without operand');
        if (k.value.testOnly) return this.has(k.value.operand, k.value.field, id, scope);
        return this.select(e, scope);
      }
      case 'callExpr':
        return this.call(e, scope);
      case 'listExpr': {
        if (k.value.optionalIndices.length > 0) throw new Unsupported('optional list elements');
        const elements = k.value.elements.map((element) => this.node(element, scope));
        if (elements.length === 0) return () => EMPTY_LIST;
        return (vars, frame) => {
          const values: CelValue[] = new Array(elements.length);
          for (let i = 0; i < elements.length; i++) {
            const value = elements[i]!(vars, frame);
            if (isCelError(value)) return value;
            values[i] = value;
          }
          return celList(values);
        };
      }
      case 'structExpr': {
        if (k.value.messageName !== '') throw new Unsupported('message literal');
        const keys: Node[] = [];
        const values: Node[] = [];
        for (const entry of k.value.entries) {
          if (entry.optionalEntry || entry.keyKind.case !== 'mapKey' || entry.value === undefined) throw new Unsupported('map entry');
          keys.push(this.node(entry.keyKind.value, scope));
          values.push(this.node(entry.value, scope));
        }
        return (vars, frame) => {
          const entries = new Map<CelValue, CelValue>();
          for (let i = 0; i < keys.length; i++) {
            const key = mapKey(keys[i]!(vars, frame), id);
            if (isCelError(key)) return key;
            const value = values[i]!(vars, frame);
            if (isCelError(value)) return value;
            if (i > 0 && entries.has(key)) return celError(`map key conflict: ${String(key)}`, id);
            entries.set(key, value);
          }
          return celMap(entries as Parameters<typeof celMap>[0]);
        };
      }
      case 'comprehensionExpr':
        return this.comprehension(e, scope);
      default:
        throw new Unsupported('expression kind');
    }
  }

  private ident(name: string, id: number, scope: Scope | null): Node {
    const slot = scope?.slot(name);
    if (slot !== undefined) return (_vars, frame) => frame[slot] as Result;
    if (!this.globals.has(name)) throw new Unsupported(`identifier ${name}`);
    return (vars) => {
      const value = vars[name];
      return value === undefined ? unresolved(id) : value;
    };
  }

  /** A chain of field selections `x.a.b.c`, fused into one loop over its names. */
  private select(e: Expr, scope: Scope | null): Node {
    const names: string[] = [];
    const ids: number[] = [];
    let base = e;
    while (base.exprKind.case === 'selectExpr' && !base.exprKind.value.testOnly && base.exprKind.value.operand !== undefined) {
      names.unshift(base.exprKind.value.field);
      ids.unshift(Number(base.id));
      base = base.exprKind.value.operand;
    }
    const root = this.node(base, scope);
    if (names.length === 1) {
      const name = names[0]!;
      const id = ids[0]!;
      return (vars, frame) => {
        const value = root(vars, frame);
        return isCelError(value) ? value : selectField(value, name, id);
      };
    }
    return (vars, frame) => {
      let value = root(vars, frame);
      for (let i = 0; i < names.length; i++) {
        if (isCelError(value)) return value;
        value = selectField(value, names[i]!, ids[i]!);
      }
      return value;
    };
  }

  private has(operand: Expr, field: string, id: number, scope: Scope | null): Node {
    const target = this.node(operand, scope);
    return (vars, frame) => {
      const value = target(vars, frame);
      if (isCelError(value)) return unresolvedErrors.has(value) ? false : value;
      return isMap(value) ? value.has(field) : false;
    };
  }

  private comprehension(e: Expr, scope: Scope | null): Node {
    if (e.exprKind.case !== 'comprehensionExpr') throw new Unsupported('comprehension');
    const c = e.exprKind.value;
    if (c.iterVar2 !== undefined && c.iterVar2 !== '') throw new Unsupported('two-variable comprehension');
    if (c.accuInit === undefined || c.iterRange === undefined || c.loopCondition === undefined || c.loopStep === undefined || c.result === undefined) {
      throw new Unsupported('incomplete comprehension');
    }
    const id = Number(e.id);
    const accuSlot = this.slots++;
    const iterSlot = this.slots++;
    const accuScope = new Scope(scope, new Map([[c.accuVar, accuSlot]]));
    const loopScope = new Scope(accuScope, new Map([[c.iterVar, iterSlot]]));
    const init = this.node(c.accuInit, scope);
    const range = this.node(c.iterRange, scope);
    const condition = this.node(c.loopCondition, loopScope);
    const step = this.node(c.loopStep, loopScope);
    const result = this.node(c.result, accuScope);
    return (vars, frame) => {
      const accu = init(vars, frame);
      if (isCelError(accu)) return accu;
      const iterable = range(vars, frame);
      if (isCelError(iterable)) return iterable;
      frame[accuSlot] = accu;
      if (isIndexedList(iterable)) {
        // The planner materialises the list first, charging every element before the loop runs.
        const size = iterable.size;
        charge(size);
        for (let i = 0; i < size; i++) {
          frame[iterSlot] = iterable.get(i)!;
          const proceed = condition(vars, frame);
          if (isCelError(proceed)) return proceed;
          if (proceed !== true) break;
          frame[accuSlot] = step(vars, frame);
        }
        return result(vars, frame);
      }
      if (isArrayList(iterable)) {
        const size = iterable.size;
        for (let i = 0; i < size; i++) {
          frame[iterSlot] = iterable.get(i)!;
          const proceed = condition(vars, frame);
          if (isCelError(proceed)) return proceed;
          if (proceed !== true) break;
          frame[accuSlot] = step(vars, frame);
        }
        return result(vars, frame);
      }
      let items: Result[];
      if (isMap(iterable)) items = Array.from(iterable.keys()) as Result[];
      else if (isCelList(iterable)) items = Array.from(iterable);
      else return celError(`type mismatch: iterable vs ${String(celType(iterable))}`, id);
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (isCelError(item)) return item;
        frame[iterSlot] = item;
        const proceed = condition(vars, frame);
        if (isCelError(proceed)) return proceed;
        if (proceed !== true) break;
        frame[accuSlot] = step(vars, frame);
      }
      return result(vars, frame);
    };
  }

  private call(e: Expr, scope: Scope | null): Node {
    if (e.exprKind.case !== 'callExpr') throw new Unsupported('call');
    const call = e.exprKind.value;
    const id = Number(e.id);
    const name = call.function;
    if (PLANNER_ONLY_FUNCTIONS.has(name)) throw new Unsupported(`function ${name}`);
    // `optional.of(x)`: a function whose name is qualified, not a member call on `optional`.
    if (call.target !== undefined) {
      const qualified = qualifiedName(call.target);
      if (qualified !== undefined) {
        const group = this.group(`${qualified}.${name}`);
        if (group !== undefined) return this.generic(`${qualified}.${name}`, group, id, undefined, call.args.map((arg) => this.node(arg, scope)));
      }
    }
    const args = call.args.map((arg) => this.node(arg, scope));
    const target = call.target === undefined ? undefined : this.node(call.target, scope);
    switch (name) {
      case '_&&_':
      case '_||_':
        if (target !== undefined) break;
        return this.logical(name === '_&&_', id, args);
      case '_?_:_': {
        if (target !== undefined || args.length !== 3) break;
        const [test, then, otherwise] = args as [Node, Node, Node];
        return (vars, frame) => {
          const value = test(vars, frame);
          if (value === true) return then(vars, frame);
          if (value === false) return otherwise(vars, frame);
          if (isCelError(value)) return value;
          return celError(`found no matching overload for _?_:_ applied to '(${celType(value).name})'`, id);
        };
      }
      case '@not_strictly_false':
      case '__not_strictly_false__': {
        if (target !== undefined || args.length !== 1) break;
        const arg = args[0]!;
        return (vars, frame) => arg(vars, frame) !== false;
      }
      case '_[_]': {
        if (target !== undefined || args.length !== 2) break;
        const [operand, index] = args as [Node, Node];
        return (vars, frame) => {
          const value = operand(vars, frame);
          if (isCelError(value)) return value;
          const key = index(vars, frame);
          if (isCelError(key)) return key;
          return indexValue(value, key, id);
        };
      }
      case '_[?_]':
      case '_?._':
        throw new Unsupported('optional access operator');
    }
    const group = this.group(name);
    if (group === undefined) return () => celError(`unbound function: ${name}`, id);
    return this.fast(name, group, id, target, args) ?? this.generic(name, group, id, target, args);
  }

  private logical(and: boolean, id: number, args: readonly Node[]): Node {
    // The planner's rule: a deciding operand wins even over an error in the other.
    const decisive = !and;
    return (vars, frame) => {
      let error: CelError | undefined;
      for (let i = 0; i < args.length; i++) {
        const value = args[i]!(vars, frame);
        if (typeof value === 'boolean') {
          if (value === decisive) return decisive;
          continue;
        }
        error ??= isCelError(value) ? value : celError(`type mismatch: expected bool, got ${String(celType(value))}`, id);
      }
      return error ?? !decisive;
    };
  }

  private generic(name: string, group: FunctionGroup, id: number, target: Node | undefined, args: readonly Node[]): Node {
    const arity = args.length;
    return (vars, frame) => {
      let receiver: CelValue | undefined;
      if (target !== undefined) {
        const value = target(vars, frame);
        if (isCelError(value)) return value;
        receiver = value;
      }
      const values: CelValue[] = new Array(arity);
      for (let i = 0; i < arity; i++) {
        const value = args[i]!(vars, frame);
        if (isCelError(value)) return value;
        values[i] = value;
      }
      const result = group.call(id, receiver, values);
      return result !== undefined ? result : noOverload(id, name, receiver, values);
    };
  }

  /**
   * The operators and methods that dominate policy expressions, on the primitive values they are
   * almost always applied to; any other value falls through to the function table.
   */
  private fast(name: string, group: FunctionGroup, id: number, target: Node | undefined, args: readonly Node[]): Node | undefined {
    const dispatch = (receiver: CelValue | undefined, values: CelValue[]): Result => {
      const result = group.call(id, receiver, values);
      return result !== undefined ? result : noOverload(id, name, receiver, values);
    };
    if (target === undefined && args.length === 2) {
      const [left, right] = args as [Node, Node];
      const binary = (op: (a: CelValue, b: CelValue) => Result | undefined): Node => (vars, frame) => {
        const a = left(vars, frame);
        if (isCelError(a)) return a;
        const b = right(vars, frame);
        if (isCelError(b)) return b;
        const quick = op(a, b);
        return quick !== undefined ? quick : dispatch(undefined, [a, b]);
      };
      const primitive = (a: CelValue, b: CelValue): boolean => {
        const type = typeof a;
        return type === typeof b && (type === 'string' || type === 'bigint' || type === 'boolean');
      };
      const ordered = (a: CelValue, b: CelValue): boolean => {
        const type = typeof a;
        return type === typeof b && (type === 'string' || type === 'bigint');
      };
      const int64 = (value: bigint): bigint | undefined => (value < INT64_MIN || value > INT64_MAX ? undefined : value);
      switch (name) {
        case '_==_':
          return binary((a, b) => (primitive(a, b) || (a === null && b === null) ? a === b : undefined));
        case '_!=_':
          return binary((a, b) => (primitive(a, b) || (a === null && b === null) ? a !== b : undefined));
        case '_<_':
          return binary((a, b) => (ordered(a, b) ? (a as string) < (b as string) : undefined));
        case '_<=_':
          return binary((a, b) => (ordered(a, b) ? (a as string) <= (b as string) : undefined));
        case '_>_':
          return binary((a, b) => (ordered(a, b) ? (a as string) > (b as string) : undefined));
        case '_>=_':
          return binary((a, b) => (ordered(a, b) ? (a as string) >= (b as string) : undefined));
        case '_+_':
          return binary((a, b) => {
            if (typeof a === 'string' && typeof b === 'string') return a + b;
            if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a + b);
            if (isCelList(a) && isCelList(b)) {
              // The environment's only list overload (./lib/internal.ts), its charge included.
              charge(1 + b.size);
              return concatLists(a, b);
            }
            return undefined;
          });
        case '_-_':
          return binary((a, b) => (typeof a === 'bigint' && typeof b === 'bigint' ? int64(a - b) : undefined));
        case '@in':
          return binary((value, container) => {
            if (typeof value !== 'string') return undefined;
            if (isMap(container)) return container.has(value);
            if (isArrayList(container)) {
              for (let i = 0; i < container.size; i++) if (container.get(i) === value) return true;
              return false;
            }
            if (isIndexedList(container)) {
              // These charge one unit per element iterated, as `in` walking them does.
              for (let i = 0; i < container.size; i++) {
                charge(1);
                if (container.get(i) === value) return true;
              }
              return false;
            }
            if (!isCelList(container)) return undefined;
            for (const item of container) if (item === value) return true;
            return false;
          });
        case '@tick': {
          // The per-iteration charge added by the compiler, with a constant node count.
          return (vars, frame) => {
            const a = left(vars, frame);
            if (isCelError(a)) return a;
            const b = right(vars, frame);
            if (isCelError(b)) return b;
            if (typeof b !== 'bigint') return dispatch(undefined, [a, b]);
            charge(Number(b));
            return a;
          };
        }
      }
      return undefined;
    }
    if (target === undefined && args.length === 1) {
      const arg = args[0]!;
      if (name === '!_') {
        return (vars, frame) => {
          const value = arg(vars, frame);
          if (typeof value === 'boolean') return !value;
          return isCelError(value) ? value : dispatch(undefined, [value]);
        };
      }
      if (name === 'size') {
        return (vars, frame) => {
          const value = arg(vars, frame);
          if (isCelError(value)) return value;
          if (isCelList(value) || isMap(value)) return BigInt(value.size);
          return dispatch(undefined, [value]);
        };
      }
      return undefined;
    }
    if (target !== undefined && args.length === 1 && (name === 'startsWith' || name === 'endsWith' || name === 'contains')) {
      const arg = args[0]!;
      const method = name === 'startsWith' ? String.prototype.startsWith : name === 'endsWith' ? String.prototype.endsWith : String.prototype.includes;
      return (vars, frame) => {
        const receiver = target(vars, frame);
        if (isCelError(receiver)) return receiver;
        const value = arg(vars, frame);
        if (isCelError(value)) return value;
        if (typeof receiver === 'string' && typeof value === 'string') return method.call(receiver, value);
        return dispatch(receiver, [value]);
      };
    }
    if (target !== undefined && args.length === 0 && name === 'size') {
      return (vars, frame) => {
        const receiver = target(vars, frame);
        if (isCelError(receiver)) return receiver;
        if (isCelList(receiver) || isMap(receiver)) return BigInt(receiver.size);
        return dispatch(receiver, []);
      };
    }
    return undefined;
  }
}

/**
 * The closure form of `root` (already checked and rewritten), reading the declared variables
 * `globals`; undefined when the expression uses something only the planner evaluates.
 */
export function compileClosures(root: Expr, env: CelEnv, globals: ReadonlySet<string>): ClosureProgram | undefined {
  const compiler = new ClosureCompiler(env, globals);
  let node: Node;
  try {
    node = compiler.node(root, null);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  const size = compiler.slots;
  const rootId = Number(root.id);
  return (vars) => {
    const frame: Frame = size === 0 ? [] : new Array(size);
    try {
      return node(vars, frame);
    } catch (error) {
      // As the planner: anything thrown becomes the expression's error (the budget, when it is
      // what ran out, is sticky and reported by the caller).
      return celError(error, rootId);
    }
  };
}
