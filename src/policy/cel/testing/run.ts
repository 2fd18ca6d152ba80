// Test helpers: evaluate an expression in the Kubernetes environment and get plain JS back.
import assert from 'node:assert/strict';
import { compileExpression, evaluate, toJs, type CelEvalError } from '../index.ts';

/** The value of `expression` (lists as arrays, maps as objects, ints as bigints). */
export function value(expression: string, activation: Record<string, unknown> = {}): unknown {
  const result = evaluate(compileExpression(expression, Object.keys(activation)), activation);
  if (!result.ok) assert.fail(`${expression}: ${result.error.message}`);
  return toJs(result.value);
}

/** The evaluation error of `expression`; fails the test when it evaluates. */
export function evalError(expression: string, activation: Record<string, unknown> = {}): CelEvalError {
  const result = evaluate(compileExpression(expression, Object.keys(activation)), activation);
  if (result.ok) assert.fail(`${expression}: expected an error, got ${String(toJs(result.value))}`);
  return result.error;
}

/** Asserts each `expression` evaluates to true. */
export function allTrue(expressions: readonly string[]): void {
  for (const expression of expressions) assert.equal(value(expression), true, expression);
}
