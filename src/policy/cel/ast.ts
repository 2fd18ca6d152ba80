// The parsed expression tree as @bufbuild/cel produces it (the cel.expr protobuf shapes), typed
// structurally for the compiler passes here, and builders for the nodes those passes add.

export interface ConstantKind {
  case: 'stringValue' | 'bytesValue' | 'doubleValue' | 'boolValue' | 'int64Value' | 'uint64Value' | 'nullValue' | undefined;
  value?: unknown;
}

export interface CallNode {
  function: string;
  target?: Expr;
  args: Expr[];
}

export interface SelectNode {
  operand?: Expr;
  field: string;
  testOnly: boolean;
}

export interface StructEntry {
  id: bigint;
  keyKind: { case: 'fieldKey'; value: string } | { case: 'mapKey'; value: Expr } | { case: undefined; value?: undefined };
  value?: Expr;
  optionalEntry: boolean;
}

export interface ComprehensionNode {
  iterVar: string;
  iterVar2?: string;
  iterRange?: Expr;
  accuVar: string;
  accuInit?: Expr;
  loopCondition?: Expr;
  loopStep?: Expr;
  result?: Expr;
}

export type ExprKind =
  | { case: 'identExpr'; value: { name: string } }
  | { case: 'constExpr'; value: { constantKind: ConstantKind } }
  | { case: 'callExpr'; value: CallNode }
  | { case: 'listExpr'; value: { elements: Expr[]; optionalIndices: number[] } }
  | { case: 'structExpr'; value: { messageName: string; entries: StructEntry[] } }
  | { case: 'selectExpr'; value: SelectNode }
  | { case: 'comprehensionExpr'; value: ComprehensionNode }
  | { case: undefined; value?: undefined };

export interface Expr {
  id: bigint;
  exprKind: ExprKind;
}

/** Allocates node ids after the parser's and records where each new node stands in the source. */
export class NodeFactory {
  private next: bigint;
  private readonly positions: Record<string, number>;

  constructor(root: Expr, positions: Record<string, number>) {
    this.positions = positions;
    let max = 0n;
    const stack: Expr[] = [root];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e.id > max) max = e.id;
      children(e, (c) => stack.push(c));
    }
    this.next = max + 1n;
  }

  private node(at: number, exprKind: ExprKind): Expr {
    const id = this.next++;
    this.positions[id.toString()] = at;
    return { $typeName: 'cel.expr.Expr', id, exprKind } as Expr;
  }

  ident(at: number, name: string): Expr {
    return this.node(at, { case: 'identExpr', value: { $typeName: 'cel.expr.Expr.Ident', name } as { name: string } });
  }

  bool(at: number, value: boolean): Expr {
    return this.constant(at, { case: 'boolValue', value });
  }

  int(at: number, value: bigint): Expr {
    return this.constant(at, { case: 'int64Value', value });
  }

  private constant(at: number, constantKind: ConstantKind): Expr {
    return this.node(at, { case: 'constExpr', value: { $typeName: 'cel.expr.Constant', constantKind } as { constantKind: ConstantKind } });
  }

  call(at: number, fn: string, args: Expr[], target?: Expr): Expr {
    const value = { $typeName: 'cel.expr.Expr.Call', function: fn, args, ...(target === undefined ? {} : { target }) } as CallNode;
    return this.node(at, { case: 'callExpr', value });
  }

  list(at: number, elements: Expr[]): Expr {
    return this.node(at, { case: 'listExpr', value: { $typeName: 'cel.expr.Expr.CreateList', elements, optionalIndices: [] } as { elements: Expr[]; optionalIndices: number[] } });
  }

  emptyMap(at: number): Expr {
    return this.node(at, { case: 'structExpr', value: { $typeName: 'cel.expr.Expr.CreateStruct', messageName: '', entries: [] } as { messageName: string; entries: StructEntry[] } });
  }

  comprehension(at: number, parts: Required<Omit<ComprehensionNode, 'iterVar2'>>): Expr {
    return this.node(at, { case: 'comprehensionExpr', value: { $typeName: 'cel.expr.Expr.Comprehension', iterVar2: '', ...parts } as ComprehensionNode });
  }

  /** `name` bound to `init` inside `body`: a comprehension over an empty list, as cel.bind expands. */
  bind(at: number, name: string, init: Expr, body: Expr): Expr {
    return this.comprehension(at, {
      iterVar: '#unused',
      iterRange: this.list(at, []),
      accuVar: name,
      accuInit: init,
      loopCondition: this.bool(at, false),
      loopStep: this.ident(at, name),
      result: body,
    });
  }
}

/** Calls `visit` on each direct child. */
export function children(e: Expr, visit: (child: Expr) => void): void {
  const k = e.exprKind;
  switch (k.case) {
    case 'callExpr':
      if (k.value.target !== undefined) visit(k.value.target);
      k.value.args.forEach(visit);
      break;
    case 'listExpr':
      k.value.elements.forEach(visit);
      break;
    case 'structExpr':
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value);
        if (entry.value !== undefined) visit(entry.value);
      }
      break;
    case 'selectExpr':
      if (k.value.operand !== undefined) visit(k.value.operand);
      break;
    case 'comprehensionExpr': {
      const c = k.value;
      for (const part of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) if (part !== undefined) visit(part);
      break;
    }
    default:
      break;
  }
}

/** Depth and node count, iteratively (the tree may be deep). */
export function measure(root: Expr): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, d] = stack.pop()!;
    nodes++;
    if (d > depth) depth = d;
    children(e, (c) => stack.push([c, d + 1]));
  }
  return { depth, nodes };
}

/** `a.b.c` as a dotted name when the chain is only identifiers and field selections. */
export function qualifiedName(e: Expr): string | undefined {
  const k = e.exprKind;
  if (k.case === 'identExpr') return k.value.name;
  if (k.case === 'selectExpr' && !k.value.testOnly && k.value.operand !== undefined) {
    const parent = qualifiedName(k.value.operand);
    return parent === undefined ? undefined : `${parent}.${k.value.field}`;
  }
  return undefined;
}

export function constantOf(e: Expr | undefined): ConstantKind | undefined {
  return e?.exprKind.case === 'constExpr' ? e.exprKind.value.constantKind : undefined;
}
