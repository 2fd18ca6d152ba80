// compileExpression and evaluate: the whole life of one CEL expression in the Kubernetes
// environment. Compiling parses, rewrites, checks and plans once; evaluating runs the plan against
// an activation under a cost and time budget and never throws for anything the expression or its
// input does.
import { isCelError, isCelMap, parse, plan, type CelError, type CelMap, type CelValue } from '@bufbuild/cel';
import { measure, NodeFactory, type Expr } from './ast.ts';
import { Budget, BudgetExhausted, swapBudget } from './budget.ts';
import { checkExpression, type VariableDeclaration } from './check.ts';
import { compileClosures, type ClosureProgram } from './closures.ts';
import { kubernetesEnvironment } from './environment.ts';
import { CelCompileError, CelEvalError, positionAt, type ExpressionPosition } from './errors.ts';
import { instrumentComprehensions, rewriteMacros } from './rewrite.ts';
import { prepareSource } from './source.ts';
import { fromJs } from './values.ts';

export type { VariableDeclaration };

/** Variables an expression may use: a list of names (each `dyn`), or names with declarations. */
export type Declarations = readonly string[] | Readonly<Record<string, VariableDeclaration>>;

export interface CompileLimits {
  /** Longest accepted expression, in UTF-16 units (default 20,000). */
  maxLength?: number;
  /** Deepest accepted nesting of the expression tree (default 250, as cel-go's parser). */
  maxDepth?: number;
  /** Most accepted nodes (default 20,000). */
  maxNodes?: number;
}

/** The Kubernetes API server's per-expression runtime cost limit (celconfig.PerCallLimit). */
export const DEFAULT_COST_LIMIT = 1_000_000;
/** A wall-clock bound per expression; the API server bounds the whole admission request instead. */
export const DEFAULT_TIME_LIMIT_MS = 250;

const PROGRAM = Symbol('program');

interface Internal {
  /** @bufbuild/cel's plan of the expression: the reference evaluator. */
  planned: (bindings: Record<string, unknown>) => CelValue | CelError;
  /** The same expression as closures (./closures.ts), when it can be; preferred. */
  closures: ClosureProgram | undefined;
  position(exprId: bigint | undefined): ExpressionPosition | undefined;
  names: readonly string[];
}

/** A compiled expression, reusable across evaluations (and threads of the same module instance). */
export interface CelProgram {
  readonly source: string;
  /** The declared variables the expression may read. */
  readonly variables: readonly string[];
  /** The declared variables it does read: a caller may leave the others out of the activation. */
  readonly references: ReadonlySet<string>;
  /**
   * For each variable declared with fields that it reads (`variables`): the fields it selects, or
   * null when it uses the variable as a whole. What its value can depend on.
   */
  readonly selections: ReadonlyMap<string, ReadonlySet<string> | null>;
  readonly [PROGRAM]: Internal;
}

/**
 * Compiles `source` against the Kubernetes CEL environment with `declarations` as its variables.
 * Throws CelCompileError, whose position is the line and column inside `source`.
 */
export function compileExpression(source: string, declarations: Declarations, limits: CompileLimits = {}): CelProgram {
  // Policy libraries repeat expressions (the same `variables` in many policies) and parsing is the
  // dear part of compiling; a program is immutable, so one compilation serves every repetition.
  const key = typeof source === 'string' ? cacheKey(source, declarations, limits) : undefined;
  const cached = key === undefined ? undefined : compiled.get(key);
  if (cached !== undefined) return cached;
  const program = compileUncached(source, declarations, limits);
  if (key !== undefined) {
    if (compiled.size >= MAX_CACHED_PROGRAMS) compiled.clear();
    compiled.set(key, program);
  }
  return program;
}

const compiled = new Map<string, CelProgram>();
const MAX_CACHED_PROGRAMS = 2_000;

function cacheKey(source: string, declarations: Declarations, limits: CompileLimits): string | undefined {
  // Expressions far beyond what policies hold are not worth keeping.
  if (source.length > 4_096) return undefined;
  const declared = Array.isArray(declarations)
    ? (declarations as readonly string[]).join(',')
    : Object.entries(declarations as Record<string, VariableDeclaration>)
        .map(([name, d]) => (d === 'dyn' ? name : `${name}{${d.fields.join(',')}}`))
        .join(',');
  return `${limits.maxLength ?? ''}/${limits.maxDepth ?? ''}/${limits.maxNodes ?? ''}\u0000${declared}\u0000${source}`;
}

function compileUncached(source: string, declarations: Declarations, limits: CompileLimits): CelProgram {
  const maxLength = limits.maxLength ?? 20_000;
  const maxDepth = limits.maxDepth ?? 250;
  const maxNodes = limits.maxNodes ?? 20_000;
  if (typeof source !== 'string') throw new CelCompileError('syntax', 'the expression must be a string', String(source));
  if (source.length > maxLength) throw new CelCompileError('limit', `the expression is longer than ${maxLength} characters`, source);
  if (source.trim() === '') throw new CelCompileError('syntax', 'the expression is empty', source, positionAt(source, 0));

  const declared = toDeclarationMap(declarations);
  const prepared = prepareSource(source, maxDepth);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(prepared.text);
  } catch (error) {
    throw parseFailure(error, source, prepared.toOriginal);
  }
  const positions = (parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  const root = parsed.expr as unknown as Expr;
  const size = measure(root);
  if (size.depth > maxDepth) throw new CelCompileError('limit', `the expression nests more than ${maxDepth} deep`, source, positionAt(source, 0));
  if (size.nodes > maxNodes) throw new CelCompileError('limit', `the expression has more than ${maxNodes} nodes`, source, positionAt(source, 0));

  const offsetOf = (e: Expr): number => prepared.toOriginal(positions[e.id.toString()] ?? 0);
  const factory = new NodeFactory(root, positions);
  const { env, functions } = kubernetesEnvironment();
  const rewritten = rewriteMacros(root, factory, (e) => positions[e.id.toString()] ?? 0);
  const { references, selections } = checkExpression(rewritten, { source, declarations: declared, functions, env, offsetOf });
  instrumentComprehensions(rewritten, factory, (e) => positions[e.id.toString()] ?? 0);

  let planned: Internal['planned'];
  try {
    planned = plan(env, { ...parsed, expr: rewritten } as unknown as Parameters<typeof plan>[1]) as Internal['planned'];
  } catch (error) {
    throw new CelCompileError('syntax', error instanceof Error ? error.message : String(error), source, positionAt(source, 0));
  }
  const names = [...declared.keys()];
  return {
    source,
    variables: names,
    references,
    selections,
    [PROGRAM]: {
      planned,
      closures: compileClosures(rewritten, env, new Set(names)),
      names,
      position(exprId) {
        if (exprId === undefined) return undefined;
        const offset = positions[exprId.toString()];
        return offset === undefined ? undefined : positionAt(source, prepared.toOriginal(offset));
      },
    },
  };
}

/** Which evaluator runs `program`: the closure evaluator, or @bufbuild/cel's planner. */
export function engineOf(program: CelProgram): 'closures' | 'planner' {
  return program[PROGRAM].closures === undefined ? 'planner' : 'closures';
}

function toDeclarationMap(declarations: Declarations): Map<string, VariableDeclaration> {
  const map = new Map<string, VariableDeclaration>();
  if (Array.isArray(declarations)) for (const name of declarations as readonly string[]) map.set(name, 'dyn');
  else for (const [name, declaration] of Object.entries(declarations as Record<string, VariableDeclaration>)) map.set(name, declaration);
  return map;
}

function parseFailure(error: unknown, source: string, toOriginal: (offset: number) => number): CelCompileError {
  if (error instanceof RangeError) return new CelCompileError('limit', 'the expression nests too deeply to parse', source, positionAt(source, 0));
  const located = error as { location?: { start?: { offset?: number } }; rawMessage?: unknown; message?: unknown };
  const offset = located.location?.start?.offset;
  const raw = typeof located.rawMessage === 'string' ? located.rawMessage : typeof located.message === 'string' ? located.message : String(error);
  // The parser prefixes its own "<input>:line:col: "; the position is reported separately.
  const detail = raw.replace(/^<input>:\d+:\d+: /, '');
  return new CelCompileError('syntax', `syntax error: ${detail}`, source, offset === undefined ? undefined : positionAt(source, toOriginal(offset)));
}

export interface EvaluateOptions {
  /** Cost units the expression may use (default DEFAULT_COST_LIMIT). */
  costLimit?: number;
  /** Wall-clock bound in milliseconds (default DEFAULT_TIME_LIMIT_MS). */
  timeLimitMs?: number;
  /**
   * A budget shared by several evaluations (one policy on one object); the expression may use at
   * most `costLimit` of what remains in it.
   */
  budget?: Budget;
  /**
   * `planner` evaluates with @bufbuild/cel's planner even where the closure evaluator applies:
   * the reference the differential tests compare against.
   */
  engine?: 'auto' | 'planner';
}

export type Evaluation = { ok: true; value: CelValue; cost: number } | { ok: false; error: CelEvalError; cost: number };

const PREPARED = Symbol('prepared activation');

interface Prepared {
  /** The variables, converted once. */
  readonly record: Readonly<Record<string, CelValue | undefined>>;
  /** The planner's view of them, built when a planned expression first runs. */
  bindings: Record<string, unknown> | undefined;
}

/**
 * An activation converted once for several evaluations (the expressions of one policy on one
 * object). For the planner it also answers dotted names (`object.spec.template`) directly:
 * @bufbuild/cel tries `a.b.c`, then `a.b`, then `a` for every field selection on a variable, and a
 * miss costs a type registry lookup, so serving the longest name first saves that work.
 */
export interface PreparedActivation {
  readonly [PREPARED]: Prepared;
}

export function prepareActivation(values: Readonly<Record<string, unknown>>): PreparedActivation {
  const record = Object.create(null) as Record<string, CelValue | undefined>;
  for (const name of Object.keys(values)) {
    const value = fromJs(values[name]);
    if (value !== undefined) record[name] = value;
  }
  return { [PREPARED]: { record, bindings: undefined } };
}

/**
 * An activation over values that are already CEL values (fromJs, fromJsUnshared), for a caller that
 * converts its inputs once and evaluates many expressions on them. `record` is used as it is: it
 * must not change while the activation is in use. An undefined value is an absent variable.
 */
export function activationOf(record: Readonly<Record<string, CelValue | undefined>>): PreparedActivation {
  return { [PREPARED]: { record, bindings: undefined } };
}

function plannerBindings(prepared: Prepared): Record<string, unknown> {
  if (prepared.bindings !== undefined) return prepared.bindings;
  // Values never change during an activation's life, so a dotted name is walked once.
  let paths: Map<string, unknown> | undefined;
  prepared.bindings = new Proxy(prepared.record, {
    get(record, name) {
      if (typeof name !== 'string') return undefined;
      const direct = record[name];
      if (direct !== undefined) return direct;
      if (name.indexOf('.') < 0) return undefined;
      paths ??= new Map();
      if (paths.has(name)) return paths.get(name);
      const value = selectPath(record, name);
      paths.set(name, value);
      return value;
    },
  });
  return prepared.bindings;
}

const splitNames = new Map<string, readonly string[]>();

function selectPath(record: Record<string, CelValue | undefined>, name: string): unknown {
  let segments = splitNames.get(name);
  if (segments === undefined) {
    segments = name.split('.');
    // Names come from compiled expressions; the memo stays small, but is bounded anyway.
    if (splitNames.size > 10_000) splitNames.clear();
    splitNames.set(name, segments);
  }
  let current: unknown = record[segments[0]!];
  for (let i = 1; i < segments.length; i++) {
    if (current === undefined || isCelError(current) || !isCelMap(current)) return undefined;
    current = (current as CelMap).get(segments[i]!);
  }
  return current;
}

function isPrepared(value: unknown): value is PreparedActivation {
  return typeof value === 'object' && value !== null && PREPARED in value;
}

/**
 * Evaluates `program` with `activation` (plain JS values: parsed objects, strings, numbers — an
 * integral number is a CEL int — or CEL values). Returns the value or a typed error; the cost and
 * time bounds turn runaway evaluations into `cost`/`time` errors.
 */
export function evaluate(program: CelProgram, activation: Readonly<Record<string, unknown>> | PreparedActivation, options: EvaluateOptions = {}): Evaluation {
  const internal = program[PROGRAM];
  const costLimit = options.costLimit ?? DEFAULT_COST_LIMIT;
  const budget = options.budget ?? new Budget(costLimit, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const sharedLimit = budget.limit;
  const start = budget.used;
  // Within a shared budget each expression still has its own cost limit and time bound.
  const window = options.budget !== undefined ? budget.window(costLimit, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS) : undefined;
  const prepared = isPrepared(activation) ? activation[PREPARED] : prepareActivation(activation)[PREPARED];
  const closures = options.engine === 'planner' ? undefined : internal.closures;
  let result: CelValue | CelError | undefined;
  let thrown: unknown;
  // CEL errors are values here, never debugged by their stack: not capturing stacks makes the
  // errors that `||` and `&&` absorb cheap.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const previous = swapBudget(budget);
  try {
    result = closures !== undefined ? closures(prepared.record) : internal.planned(plannerBindings(prepared));
  } catch (error) {
    thrown = error;
  } finally {
    swapBudget(previous);
    Error.stackTraceLimit = stackLimit;
    if (window !== undefined) budget.restore(window);
  }
  const cost = budget.used - start;
  const exhausted = budget.exhausted ?? (thrown instanceof BudgetExhausted ? thrown : undefined) ?? exhaustedCause(result);
  if (exhausted !== undefined) {
    // An expression that ran out may have been cut short inside a shared budget: the next one may
    // still run with what is left, so only a total exhaustion stays sticky.
    if (options.budget !== undefined && budget.used <= sharedLimit && exhausted.kind === 'cost') budget.exhausted = null;
    return { ok: false, error: new CelEvalError(exhausted.kind, exhausted.message), cost };
  }
  if (thrown !== undefined) {
    const message = thrown instanceof RangeError ? 'evaluation nested too deeply' : thrown instanceof Error ? thrown.message : String(thrown);
    return { ok: false, error: new CelEvalError('runtime', message), cost };
  }
  if (isCelError(result)) return { ok: false, error: new CelEvalError('runtime', result.message, internal.position(result.exprId)), cost };
  return { ok: true, value: result as CelValue, cost };
}

function exhaustedCause(result: unknown): BudgetExhausted | undefined {
  if (!isCelError(result)) return undefined;
  let cause: unknown = result.cause;
  for (let i = 0; i < 8 && cause !== undefined; i++) {
    if (cause instanceof BudgetExhausted) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

export { Budget };
