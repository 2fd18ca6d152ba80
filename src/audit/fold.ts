// Which conditions are settled before any event arrives. Macros like `consider_all_events: "false"`
// switch rules off, and `disallow_kactivity`-style overrides switch whole families off; folding the
// boolean structure (&&, ||, !, literals, macros already known) finds the rules that can never fire,
// so they cost nothing per event instead of an evaluation each. Only what is certain is folded:
// CEL's && and || are commutative over errors, so `x && false` is false whatever `x` is.
import { parse } from '@bufbuild/cel';

interface Node {
  exprKind:
    | { case: 'constExpr'; value: { constantKind: { case: string | undefined; value?: unknown } } }
    | { case: 'callExpr'; value: { function: string; args: Node[]; target?: Node } }
    | { case: 'selectExpr'; value: { operand?: Node; field: string; testOnly: boolean } }
    | { case: 'identExpr'; value: { name: string } }
    | { case: string | undefined; value?: unknown };
}

/** The value of a boolean expression when it does not depend on the event, else undefined. */
export function foldBoolean(source: string, macros: ReadonlyMap<string, boolean>): boolean | undefined {
  let root: Node;
  try {
    root = parse(source).expr as unknown as Node;
  } catch {
    return undefined;
  }
  return fold(root, macros);
}

function fold(node: Node | undefined, macros: ReadonlyMap<string, boolean>): boolean | undefined {
  if (node === undefined) return undefined;
  const kind = node.exprKind;
  switch (kind.case) {
    case 'constExpr': {
      const constant = (kind.value as { constantKind: { case: string | undefined; value?: unknown } }).constantKind;
      return constant.case === 'boolValue' ? (constant.value as boolean) : undefined;
    }
    case 'selectExpr': {
      const select = kind.value as { operand?: Node; field: string; testOnly: boolean };
      if (select.testOnly || select.operand?.exprKind.case !== 'identExpr') return undefined;
      return (select.operand.exprKind.value as { name: string }).name === 'macros' ? macros.get(select.field) : undefined;
    }
    case 'callExpr': {
      const call = kind.value as { function: string; args: Node[]; target?: Node };
      if (call.target !== undefined) return undefined;
      if (call.function === '!_' && call.args.length === 1) {
        const value = fold(call.args[0], macros);
        return value === undefined ? undefined : !value;
      }
      if ((call.function === '_&&_' || call.function === '_||_') && call.args.length === 2) {
        const [a, b] = [fold(call.args[0], macros), fold(call.args[1], macros)];
        const absorbing = call.function === '_&&_' ? false : true;
        if (a === absorbing || b === absorbing) return absorbing;
        return a !== undefined && b !== undefined ? !absorbing : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
