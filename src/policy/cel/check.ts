// Compile-time checks of an expression against the environment, the part of the API server's type
// check that does not need schemas: every identifier is declared (or bound by a comprehension),
// every `variables.x` names a variable declared before, every function exists with that receiver
// style and arity, and the literals the API server validates at compile time are valid (regular
// expressions, duration and timestamp strings, homogeneous list and map literals). Field types are
// not known offline, so type errors inside objects surface at evaluation, as for `dyn` values.
import { isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { constantOf, qualifiedName, type CallNode, type ConstantKind, type Expr } from './ast.ts';
import type { FunctionShape } from './environment.ts';
import { CelCompileError, positionAt } from './errors.ts';
import { compileRegex } from './lib/re2.ts';

/** `dyn`: anything; `{ fields }`: a map whose selectable fields are exactly these (`variables`). */
export type VariableDeclaration = 'dyn' | { readonly fields: readonly string[] };

/** Type names the API server lets an expression mention (`type(x) == string`). */
const TYPE_NAMES = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

/** Calls the planner evaluates itself rather than through the function table. */
const PLANNER_CALLS: Record<string, number> = { '_[_]': 2, '_?_:_': 3, '_&&_': 2, '_||_': 2, '@not_strictly_false': 1, '__not_strictly_false__': 1 };

export interface CheckContext {
  source: string;
  declarations: ReadonlyMap<string, VariableDeclaration>;
  functions: ReadonlyMap<string, FunctionShape>;
  env: CelEnv;
  /** Offset in the user's text of a node. */
  offsetOf(e: Expr): number;
}

export interface CheckResult {
  /** The declared variables the expression reads. */
  references: Set<string>;
  /**
   * For each variable declared with fields (`variables`) that the expression reads: the fields it
   * selects, or null when it also uses the variable otherwise (indexes it, passes it, iterates it).
   */
  selections: Map<string, Set<string> | null>;
}

/** Checks `root`; returns what it reads. */
export function checkExpression(root: Expr, context: CheckContext): CheckResult {
  const scopes: Set<string>[] = [];
  const references = new Set<string>();
  const selected = new Map<string, Set<string>>();
  // Reads of a variable with fields, all of them and those that select a field (`variables.x`).
  const reads = new Map<string, number>();
  const selectingReads = new Map<string, number>();
  const fail = (reason: ConstructorParameters<typeof CelCompileError>[0], e: Expr, message: string): never => {
    throw new CelCompileError(reason, message, context.source, positionAt(context.source, context.offsetOf(e)));
  };
  const bound = (name: string): boolean => scopes.some((scope) => scope.has(name));

  const visit = (e: Expr): void => {
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr': {
        const name = k.value.name;
        if (bound(name)) return;
        const declaration = context.declarations.get(name);
        if (declaration !== undefined) {
          references.add(name);
          if (declaration !== 'dyn') reads.set(name, (reads.get(name) ?? 0) + 1);
          return;
        }
        if (TYPE_NAMES.has(name)) return;
        fail('undeclared', e, `undeclared reference to '${name}' (in container '')`);
        return;
      }
      case 'selectExpr': {
        const operand = k.value.operand;
        if (operand === undefined) return;
        if (operand.exprKind.case === 'identExpr' && !bound(operand.exprKind.value.name)) {
          const declaration = context.declarations.get(operand.exprKind.value.name);
          if (declaration !== undefined && declaration !== 'dyn') {
            if (!declaration.fields.includes(k.value.field)) fail('undeclared', e, `undefined field '${k.value.field}'`);
            const variable = operand.exprKind.value.name;
            selectingReads.set(variable, (selectingReads.get(variable) ?? 0) + 1);
            let fields = selected.get(variable);
            if (fields === undefined) selected.set(variable, (fields = new Set()));
            fields.add(k.value.field);
          }
        }
        if (!k.value.testOnly) {
          const name = qualifiedName(e);
          // `google.protobuf.Duration`-style type names are resolved by the evaluator.
          if (name !== undefined && name.startsWith('google.protobuf.') && !bound('google') && !context.declarations.has('google')) return;
        }
        visit(operand);
        return;
      }
      case 'callExpr':
        checkCall(e, k.value);
        return;
      case 'listExpr':
        k.value.elements.forEach(visit);
        homogeneous(k.value.elements, 'list');
        return;
      case 'structExpr': {
        if (k.value.messageName !== '') fail('undeclared', e, `undeclared reference to '${k.value.messageName}' (in container '')`);
        const keys: Expr[] = [];
        const values: Expr[] = [];
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') {
            visit(entry.keyKind.value);
            keys.push(entry.keyKind.value);
          }
          if (entry.value !== undefined) {
            visit(entry.value);
            values.push(entry.value);
          }
        }
        homogeneous(keys, 'map key');
        homogeneous(values, 'map value');
        return;
      }
      case 'comprehensionExpr': {
        const c = k.value;
        // Declared variables are resolved by dotted name for speed (see prepareActivation), so an
        // iteration variable may not hide one.
        for (const name of [c.iterVar, c.accuVar]) {
          if (context.declarations.has(name)) fail('unsupported', e, `iteration variable '${name}' shadows the variable of the same name; rename it`);
        }
        if (c.iterRange !== undefined) visit(c.iterRange);
        if (c.accuInit !== undefined) visit(c.accuInit);
        scopes.push(new Set([c.iterVar, c.accuVar]));
        if (c.loopCondition !== undefined) visit(c.loopCondition);
        if (c.loopStep !== undefined) visit(c.loopStep);
        scopes.pop();
        scopes.push(new Set([c.accuVar]));
        if (c.result !== undefined) visit(c.result);
        scopes.pop();
        return;
      }
      case 'constExpr':
        return;
      default:
        fail('syntax', e, 'invalid expression');
    }
  };

  const checkCall = (e: Expr, call: CallNode): void => {
    const name = call.function;
    const arity = call.args.length;
    if (call.target !== undefined) {
      // `strings.quote(x)`, `optional.none()`: a global function under a qualified name.
      const qualifier = qualifiedName(call.target);
      if (qualifier !== undefined && !bound(qualifier.split('.')[0]!) && !context.declarations.has(qualifier.split('.')[0]!)) {
        const global = context.functions.get(`${qualifier}.${name}`);
        if (global !== undefined) {
          if (!global.global.has(arity)) fail('overload', e, `found no matching overload for '${qualifier}.${name}' applied to '(${dyns(arity)})'`);
          call.args.forEach(visit);
          return;
        }
      }
      visit(call.target);
      call.args.forEach(visit);
      const shape = context.functions.get(name);
      if (shape === undefined) fail('undeclared', e, `undeclared reference to '${name}' (in container '')`);
      if (!shape!.member.has(arity)) fail('overload', e, `found no matching overload for '${name}' applied to 'dyn.(${dyns(arity)})'`);
      checkLiterals(name, call, true);
      return;
    }
    call.args.forEach(visit);
    if (name === 'has') fail('syntax', e, 'invalid argument to has() macro');
    const planned = PLANNER_CALLS[name];
    if (planned !== undefined) {
      if (planned !== arity) fail('overload', e, `found no matching overload for '${name}' applied to '(${dyns(arity)})'`);
      return;
    }
    const shape = context.functions.get(name);
    if (shape === undefined) fail('undeclared', e, `undeclared reference to '${name}' (in container '')`);
    if (!shape!.global.has(arity)) fail('overload', e, `found no matching overload for '${name}' applied to '(${dyns(arity)})'`);
    checkLiterals(name, call, false);
  };

  /** Literal arguments the API server validates when it compiles (cel.ValidateRegexLiterals and friends). */
  const checkLiterals = (name: string, call: CallNode, member: boolean): void => {
    if (name === 'matches' || name === 'find' || name === 'findAll') {
      const pattern = member ? call.args[0] : call.args[1];
      const constant = constantOf(pattern);
      if (constant?.case === 'stringValue') {
        try {
          compileRegex(constant.value as string);
        } catch (error) {
          fail('literal', pattern!, (error as Error).message);
        }
      }
    }
    if (!member && (name === 'duration' || name === 'timestamp') && call.args.length === 1) {
      const argument = call.args[0]!;
      const constant = constantOf(argument);
      if (constant?.case === 'stringValue') {
        // Conversions need @bufbuild/cel's evaluation context, so the literal is checked by evaluating it.
        const result = plan(context.env, parse(`${name}(${JSON.stringify(constant.value)})`))();
        if (isCelError(result)) fail('literal', argument, `invalid ${name} literal ${JSON.stringify(constant.value)}: ${result.message}`);
      }
    }
  };

  /** cel.HomogeneousAggregateLiterals: the constant elements of a literal must share one type. */
  const homogeneous = (items: readonly Expr[], what: string): void => {
    let first: string | undefined;
    for (const item of items) {
      const type = literalType(constantOf(item));
      if (type === undefined) continue;
      if (first === undefined) first = type;
      else if (type !== first) fail('literal', item, `expected type '${first}' but found '${type}' in ${what} literal`);
    }
  };

  visit(root);
  const selections = new Map<string, Set<string> | null>();
  for (const [name, count] of reads) selections.set(name, count === selectingReads.get(name) ? selected.get(name)! : null);
  return { references, selections };
}

function literalType(constant: ConstantKind | undefined): string | undefined {
  switch (constant?.case) {
    case 'stringValue':
      return 'string';
    case 'bytesValue':
      return 'bytes';
    case 'doubleValue':
      return 'double';
    case 'boolValue':
      return 'bool';
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    default:
      return undefined;
  }
}

function dyns(n: number): string {
  return Array.from({ length: n }, () => 'dyn').join(', ');
}
