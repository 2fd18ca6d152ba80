// Tree rewrites between parsing and planning: the optional selections marked by ./source.ts, the
// two-variable comprehension macros of cel-go's ext.TwoVarComprehensions (Kubernetes 1.32+), which
// @bufbuild/cel's parser leaves as plain calls, and the per-iteration charge that bounds the cost of
// every comprehension.
import { children, measure, type CallNode, type Expr, type NodeFactory } from './ast.ts';
import { OPT_INDEX, OPT_SELECT } from './source.ts';

const ACCU = '@result';

export function rewriteMacros(root: Expr, factory: NodeFactory, positionOf: (e: Expr) => number): Expr {
  let counter = 0;
  const transform = (e: Expr): Expr => {
    replaceChildren(e, transform);
    if (e.exprKind.case !== 'callExpr') return e;
    const call = e.exprKind.value;
    const at = positionOf(e);
    if ((call.function === OPT_SELECT || call.function === OPT_INDEX) && call.target !== undefined && call.args.length === 1) {
      return factory.call(at, '@optSelect', [call.target, call.args[0]!]);
    }
    const twoVar = twoVariableNames(call);
    if (twoVar === undefined) return e;
    const [k, v] = twoVar;
    const n = counter++;
    const temp = `@t${n}`;
    const entry = `@e${n}`;
    const target = call.target!;
    const bound = (body: Expr): Expr =>
      factory.bind(
        at,
        k,
        factory.call(at, '_[_]', [factory.ident(at, entry), factory.int(at, 0n)]),
        factory.bind(at, v, factory.call(at, '_[_]', [factory.ident(at, entry), factory.int(at, 1n)]), body),
      );
    const accu = (): Expr => factory.ident(at, ACCU);
    const loop = (init: Expr, condition: Expr, step: Expr, result: Expr): Expr =>
      factory.bind(
        at,
        temp,
        target,
        factory.comprehension(at, {
          iterVar: entry,
          iterRange: factory.call(at, '@entries', [factory.ident(at, temp)]),
          accuVar: ACCU,
          accuInit: init,
          loopCondition: condition,
          loopStep: step,
          result,
        }),
      );
    const args = call.args;
    switch (call.function) {
      case 'all':
        return loop(factory.bool(at, true), factory.call(at, '@not_strictly_false', [accu()]), factory.call(at, '_&&_', [accu(), bound(args[2]!)]), accu());
      case 'exists':
        return loop(
          factory.bool(at, false),
          factory.call(at, '@not_strictly_false', [factory.call(at, '!_', [accu()])]),
          factory.call(at, '_||_', [accu(), bound(args[2]!)]),
          accu(),
        );
      case 'existsOne':
      case 'exists_one':
        return loop(
          factory.int(at, 0n),
          factory.bool(at, true),
          factory.call(at, '_?_:_', [bound(args[2]!), factory.call(at, '_+_', [accu(), factory.int(at, 1n)]), accu()]),
          factory.call(at, '_==_', [accu(), factory.int(at, 1n)]),
        );
      case 'transformList': {
        const filter = args.length === 4 ? args[2]! : undefined;
        const value = args[args.length - 1]!;
        const append = factory.call(at, '_+_', [accu(), factory.list(at, [value])]);
        const step = bound(filter === undefined ? append : factory.call(at, '_?_:_', [filter, append, accu()]));
        return loop(factory.list(at, []), factory.bool(at, true), step, accu());
      }
      case 'transformMap':
      case 'transformMapEntry': {
        const filter = args.length === 4 ? args[2]! : undefined;
        const value = args[args.length - 1]!;
        const insert =
          call.function === 'transformMap'
            ? factory.call(at, '@mapInsert', [accu(), factory.ident(at, k), value])
            : factory.call(at, '@mapMerge', [accu(), value]);
        const step = bound(filter === undefined ? insert : factory.call(at, '_?_:_', [filter, insert, accu()]));
        return loop(factory.emptyMap(at), factory.bool(at, true), step, accu());
      }
      default:
        return e;
    }
  };
  return transform(root);
}

/** The iteration variables of a two-variable macro call, or undefined when `call` is not one. */
function twoVariableNames(call: CallNode): [string, string] | undefined {
  if (call.target === undefined) return undefined;
  const arity = call.args.length;
  switch (call.function) {
    case 'all':
    case 'exists':
    case 'existsOne':
    case 'exists_one':
      if (arity !== 3) return undefined;
      break;
    case 'transformList':
    case 'transformMap':
    case 'transformMapEntry':
      if (arity !== 3 && arity !== 4) return undefined;
      break;
    default:
      return undefined;
  }
  const [a, b] = call.args;
  if (a?.exprKind.case !== 'identExpr' || b?.exprKind.case !== 'identExpr') return undefined;
  return [a.exprKind.value.name, b.exprKind.value.name];
}

/** Wraps every comprehension's loop condition in `@tick(...)`, charging each iteration. */
export function instrumentComprehensions(root: Expr, factory: NodeFactory, positionOf: (e: Expr) => number): void {
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.exprKind.case === 'comprehensionExpr') {
      const c = e.exprKind.value;
      if (c.loopCondition !== undefined) {
        const nodes = BigInt(Math.max(1, measure(c.loopCondition).nodes + (c.loopStep === undefined ? 0 : measure(c.loopStep).nodes)));
        c.loopCondition = factory.call(positionOf(e), '@tick', [c.loopCondition, factory.int(positionOf(e), nodes)]);
      }
    }
    children(e, (child) => stack.push(child));
  }
}

function replaceChildren(e: Expr, transform: (child: Expr) => Expr): void {
  const k = e.exprKind;
  switch (k.case) {
    case 'callExpr':
      if (k.value.target !== undefined) k.value.target = transform(k.value.target);
      k.value.args = k.value.args.map(transform);
      break;
    case 'listExpr':
      k.value.elements = k.value.elements.map(transform);
      break;
    case 'structExpr':
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') entry.keyKind.value = transform(entry.keyKind.value);
        if (entry.value !== undefined) entry.value = transform(entry.value);
      }
      break;
    case 'selectExpr':
      if (k.value.operand !== undefined) k.value.operand = transform(k.value.operand);
      break;
    case 'comprehensionExpr': {
      const c = k.value;
      if (c.iterRange !== undefined) c.iterRange = transform(c.iterRange);
      if (c.accuInit !== undefined) c.accuInit = transform(c.accuInit);
      if (c.loopCondition !== undefined) c.loopCondition = transform(c.loopCondition);
      if (c.loopStep !== undefined) c.loopStep = transform(c.loopStep);
      if (c.result !== undefined) c.result = transform(c.result);
      break;
    }
    default:
      break;
  }
}
