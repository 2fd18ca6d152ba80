// Custom policies written as Kubernetes ValidatingAdmissionPolicies, evaluated offline with the
// API server's CEL environment. The public surface for `scan --policy`, `policy test`, the
// admission webhook and the cluster scan.
export { compilePolicySet, isPolicyObject, ANNOTATION_AREA, ANNOTATION_REMEDIATION, ANNOTATION_SEVERITY, ANNOTATION_TITLE, type CompiledPolicySet } from './compile.ts';
export {
  DEFAULT_RUNTIME_BUDGET,
  evaluatePolicyRequest,
  evaluatePolicySet,
  type AdmissionOperation,
  type PolicyAuditAnnotation,
  type PolicyEvaluation,
  type PolicyEvaluationOptions,
  type PolicyOutcome,
  type PolicyRequest,
  type PolicyResult,
  type PolicyViolation,
  type UserInfo,
  type ViolationKind,
} from './evaluate.ts';
export { policyControlId, violationsToFindings, violationToFinding } from './findings.ts';
export { loadPolicySet } from './load.ts';
export type { CompiledBinding, CompiledPolicy, FailurePolicy, MatchResources, PolicySet, ValidationAction } from './model.ts';
export { ResourceMapper, type ResourceInfo } from './resources.ts';
export { ALL_KINDS, policySetChecks } from './set-checks.ts';
