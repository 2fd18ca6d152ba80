// The Kubernetes CEL environment as a reusable module: ValidatingAdmissionPolicies use it with
// `object`, `params`, `request`…; other rule engines (audit-event detections) with their own
// variables.
export { Budget } from './budget.ts';
export { activationOf, compileExpression, DEFAULT_COST_LIMIT, DEFAULT_TIME_LIMIT_MS, evaluate, prepareActivation } from './compile.ts';
export type { CelProgram, CompileLimits, Declarations, Evaluation, EvaluateOptions, PreparedActivation, VariableDeclaration } from './compile.ts';
export { CelCompileError, CelEvalError } from './errors.ts';
export type { CompileFailure, EvalFailure, ExpressionPosition } from './errors.ts';
export { AUTHORIZER } from './lib/authz.ts';
export { fromJs, fromJsUnshared, lazyMap, mapOf, toJs } from './values.ts';
