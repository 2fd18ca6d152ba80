// Typed failures of the CEL environment. Compile errors carry the position inside the expression so
// that a caller can name the policy, the field and the character; evaluation errors say whether the
// expression was wrong for the input or ran out of its cost or time budget.
import { BulwarkError } from '../../core/index.ts';

/** 1-based line and column inside the expression text, and the 0-based UTF-16 offset. */
export interface ExpressionPosition {
  line: number;
  column: number;
  offset: number;
}

/**
 * `syntax`: the text does not parse; `undeclared`: an identifier, field of `variables` or function
 * the environment does not have; `overload`: a known function called with the wrong number of
 * arguments or receiver; `literal`: a constant the API server rejects at compile time (a bad regex,
 * duration or timestamp literal, a list or map literal mixing types); `unsupported`: syntax this
 * engine does not implement; `limit`: the expression is too long or nests too deeply.
 */
export type CompileFailure = 'syntax' | 'undeclared' | 'overload' | 'literal' | 'unsupported' | 'limit';

export class CelCompileError extends BulwarkError {
  readonly reason: CompileFailure;
  /** The message without the position prefix. */
  readonly detail: string;
  readonly position: ExpressionPosition | undefined;
  readonly expression: string;

  constructor(reason: CompileFailure, detail: string, expression: string, position?: ExpressionPosition) {
    super('E_PARSE', position === undefined ? detail : `${position.line}:${position.column}: ${detail}`);
    this.name = 'CelCompileError';
    this.reason = reason;
    this.detail = detail;
    this.position = position;
    this.expression = expression;
  }
}

/**
 * `runtime`: the expression failed on this input (no such key, no matching overload, division by
 * zero…); `cost`: it used up its cost budget; `time`: it ran past its wall-clock limit.
 */
export type EvalFailure = 'runtime' | 'cost' | 'time';

export class CelEvalError extends BulwarkError {
  readonly reason: EvalFailure;
  readonly detail: string;
  readonly position: ExpressionPosition | undefined;

  constructor(reason: EvalFailure, detail: string, position?: ExpressionPosition) {
    super(reason === 'runtime' ? 'E_INPUT' : 'E_TOO_LARGE', position === undefined ? detail : `${position.line}:${position.column}: ${detail}`);
    this.name = 'CelEvalError';
    this.reason = reason;
    this.detail = detail;
    this.position = position;
  }
}

/** Converts a 0-based offset into a 1-based line and column (columns count UTF-16 units, as editors do). */
export function positionAt(text: string, offset: number): ExpressionPosition {
  const bounded = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bounded; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: bounded - lineStart + 1, offset: bounded };
}
