// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1)
// as compiled for evaluation: expressions compiled once, selectors parsed, defaults applied.
import type { Area, FieldPath, KubeObject, Severity } from '../core/index.ts';
import type { CelProgram } from './cel/index.ts';
import type { LabelSelector } from './selector.ts';

export type FailurePolicy = 'Fail' | 'Ignore';
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
export type MatchPolicy = 'Exact' | 'Equivalent';
export type RuleScope = '*' | 'Cluster' | 'Namespaced';

export interface ResourceRule {
  apiGroups: readonly string[];
  apiVersions: readonly string[];
  // `pods`, `*`, `*` slash `*` (everything), `pods` slash `*` (its subresources), `pods/status`.
  resources: readonly string[];
  operations: readonly string[];
  resourceNames: readonly string[];
  scope: RuleScope;
}

export interface MatchResources {
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
  resourceRules: readonly ResourceRule[];
  excludeResourceRules: readonly ResourceRule[];
  matchPolicy: MatchPolicy;
}

/** A compiled expression and where it was written, for messages. */
export interface PolicyExpression {
  source: string;
  program: CelProgram;
  /** `spec.validations[0].expression` */
  field: string;
}

export interface Validation {
  index: number;
  expression: PolicyExpression;
  message: string | undefined;
  messageExpression: PolicyExpression | undefined;
  reason: string;
  /** Where findings point inside the object (the validation's fieldPath), or the object itself. */
  fieldPath: FieldPath;
}

export interface NamedExpression {
  name: string;
  expression: PolicyExpression;
}

export interface AuditAnnotation {
  key: string;
  valueExpression: PolicyExpression;
}

export interface ParamKind {
  apiVersion: string;
  kind: string;
  /** The API group, which is what a param must match (any version of it converts). */
  group: string;
}

export interface CompiledPolicy {
  name: string;
  object: KubeObject;
  paramKind: ParamKind | null;
  match: MatchResources;
  matchConditions: readonly NamedExpression[];
  variables: readonly NamedExpression[];
  validations: readonly Validation[];
  auditAnnotations: readonly AuditAnnotation[];
  failurePolicy: FailurePolicy;
  /** From the `bulwark.dev/*` annotations. */
  severity: Severity;
  area: Area;
  title: string;
  remediation: string;
}

export interface ParamRef {
  name: string | undefined;
  namespace: string | undefined;
  selector: LabelSelector | undefined;
  parameterNotFoundAction: 'Allow' | 'Deny';
}

export interface CompiledBinding {
  name: string;
  object: KubeObject;
  policyName: string;
  paramRef: ParamRef | null;
  /** Narrows the policy's matchConstraints; null when the binding sets none. */
  match: MatchResources | null;
  actions: readonly ValidationAction[];
}

export interface PolicySet {
  /** Sorted by name. */
  policies: readonly CompiledPolicy[];
  /** Sorted by name. */
  bindings: readonly CompiledBinding[];
  /** Other objects found with the policies: params, namespaces, CustomResourceDefinitions. */
  resources: readonly KubeObject[];
}
