// ValidatingAdmissionPolicy and binding objects → a compiled policy set. Every problem is a
// diagnostic naming the object, the field (`spec.validations[1].expression`) and, for expressions,
// the line and column inside the expression; a policy or binding with an error is left out of the
// set, the way the API server would refuse to create it.
import { AREAS, formatPath, isSeverity, type Area, type Diagnostic, type FieldPath, type KubeObject, type Severity } from '../core/index.ts';
import { CelCompileError, compileExpression, type CelProgram, type VariableDeclaration } from './cel/index.ts';
import { parseFieldPath } from './field-path.ts';
import type {
  AuditAnnotation,
  CompiledBinding,
  CompiledPolicy,
  FailurePolicy,
  MatchPolicy,
  MatchResources,
  NamedExpression,
  ParamKind,
  ParamRef,
  PolicyExpression,
  PolicySet,
  ResourceRule,
  RuleScope,
  Validation,
  ValidationAction,
} from './model.ts';
import { splitApiVersion } from './resources.ts';
import { parseLabelSelector, SelectorError, type LabelSelector } from './selector.ts';

export const POLICY_GROUP = 'admissionregistration.k8s.io';
const POLICY_VERSIONS = new Set(['v1', 'v1beta1', 'v1alpha1']);
export const ANNOTATION_SEVERITY = 'bulwark.dev/severity';
export const ANNOTATION_AREA = 'bulwark.dev/area';
export const ANNOTATION_TITLE = 'bulwark.dev/title';
export const ANNOTATION_REMEDIATION = 'bulwark.dev/remediation';

const CEL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REASONS = new Set(['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge']);
/** The API server's bound on match conditions per policy. */
const MAX_MATCH_CONDITIONS = 64;

export interface CompiledPolicySet {
  set: PolicySet;
  diagnostics: Diagnostic[];
}

export function isPolicyObject(object: KubeObject, kind: 'ValidatingAdmissionPolicy' | 'ValidatingAdmissionPolicyBinding'): boolean {
  const { group, version } = splitApiVersion(object.apiVersion);
  return object.kind === kind && group === POLICY_GROUP && POLICY_VERSIONS.has(version);
}

/**
 * Compiles the policies and bindings among `objects`; every other object is kept as a resource
 * (params, namespaces, CustomResourceDefinitions the evaluation may look up).
 */
export function compilePolicySet(objects: readonly KubeObject[]): CompiledPolicySet {
  const diagnostics: Diagnostic[] = [];
  const policies = new Map<string, CompiledPolicy>();
  const bindings = new Map<string, CompiledBinding>();
  const resources: KubeObject[] = [];
  for (const object of objects) {
    if (isPolicyObject(object, 'ValidatingAdmissionPolicy')) {
      const policy = compilePolicy(object, diagnostics);
      if (policy === undefined) continue;
      if (policies.has(policy.name)) {
        diagnostics.push(issue(object, ['metadata', 'name'], `a ValidatingAdmissionPolicy named "${policy.name}" is already defined; this one is ignored`));
        continue;
      }
      policies.set(policy.name, policy);
    } else if (isPolicyObject(object, 'ValidatingAdmissionPolicyBinding')) {
      const binding = compileBinding(object, diagnostics);
      if (binding === undefined) continue;
      if (bindings.has(binding.name)) {
        diagnostics.push(issue(object, ['metadata', 'name'], `a ValidatingAdmissionPolicyBinding named "${binding.name}" is already defined; this one is ignored`));
        continue;
      }
      bindings.set(binding.name, binding);
    } else resources.push(object);
  }
  for (const binding of bindings.values()) {
    if (!policies.has(binding.policyName)) {
      diagnostics.push(
        issue(binding.object, ['spec', 'policyName'], `binds policy "${binding.policyName}", which is not among the policies given; the binding has no effect`, 'warning'),
      );
    } else if (policies.get(binding.policyName)!.paramKind !== null && binding.paramRef === null) {
      diagnostics.push(
        issue(binding.object, ['spec'], `policy "${binding.policyName}" has a paramKind, so the binding needs a paramRef; evaluations through it fail per the policy's failurePolicy`, 'warning'),
      );
    }
  }
  const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { set: { policies: [...policies.values()].sort(byName), bindings: [...bindings.values()].sort(byName), resources }, diagnostics };
}

/** Collects the problems of one object; the object is usable only when there are none. */
class Reader {
  readonly object: KubeObject;
  readonly problems: Diagnostic[] = [];

  constructor(object: KubeObject) {
    this.object = object;
  }

  error(path: FieldPath, message: string): undefined {
    this.problems.push(issue(this.object, path, message));
    return undefined;
  }

  record(value: unknown, path: FieldPath, required: boolean): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return required ? this.error(path, 'is required') : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return this.error(path, 'must be a mapping');
    return value as Record<string, unknown>;
  }

  list(value: unknown, path: FieldPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, 'must be a list');
      return [];
    }
    return value;
  }

  string(value: unknown, path: FieldPath, required: boolean): string | undefined {
    if (value === undefined || value === null || value === '') return required ? this.error(path, 'is required') : undefined;
    if (typeof value !== 'string') return this.error(path, `must be a string (got ${describe(value)})`);
    return value;
  }

  /** A list of strings; `allowEmpty` for lists where "" means something (the core API group). */
  strings(value: unknown, path: FieldPath, allowEmpty = false): string[] {
    const out: string[] = [];
    this.list(value, path).forEach((item, i) => {
      if (allowEmpty && item === '') out.push('');
      else {
        const s = this.string(item, [...path, i], true);
        if (s !== undefined) out.push(s);
      }
    });
    return out;
  }

  oneOf<T extends string>(value: unknown, path: FieldPath, allowed: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.error(path, `must be one of ${allowed.join(', ')} (got ${describe(value)})`);
    return fallback;
  }

  selector(value: unknown, path: FieldPath): LabelSelector | undefined {
    try {
      return parseLabelSelector(value);
    } catch (error) {
      if (error instanceof SelectorError) return this.error([...path, ...error.path], error.message);
      throw error;
    }
  }

  expression(value: unknown, path: FieldPath, declarations: Readonly<Record<string, VariableDeclaration>>): PolicyExpression | undefined {
    const source = this.string(value, path, true);
    if (source === undefined) return undefined;
    let program: CelProgram;
    try {
      program = compileExpression(source, declarations);
    } catch (error) {
      if (!(error instanceof CelCompileError)) throw error;
      const at = this.object.positions.locate(path);
      this.problems.push({
        level: 'error',
        code: error.code,
        message: `${this.object.kind} "${this.object.name}": ${formatPath(path)}: ${error.message}`,
        location: { file: this.object.source.file, line: at.line, column: at.column },
      });
      return undefined;
    }
    return { source, program, field: formatPath(path) };
  }
}

function issue(object: KubeObject, path: FieldPath, message: string, level: 'error' | 'warning' = 'error'): Diagnostic {
  const at = object.positions.locate(path);
  return {
    level,
    code: 'E_CONFIG',
    message: `${object.kind} "${object.name}": ${path.length === 0 ? '' : `${formatPath(path)}: `}${message}`,
    location: { file: object.source.file, line: at.line, column: at.column },
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The variables every admission expression sees (k8s.io/apiserver's admission CEL environment). */
function baseDeclarations(hasParams: boolean): Record<string, VariableDeclaration> {
  const declarations: Record<string, VariableDeclaration> = {
    object: 'dyn',
    oldObject: 'dyn',
    request: 'dyn',
    namespaceObject: 'dyn',
    authorizer: 'dyn',
  };
  if (hasParams) declarations.params = 'dyn';
  return declarations;
}

function compilePolicy(object: KubeObject, diagnostics: Diagnostic[]): CompiledPolicy | undefined {
  const r = new Reader(object);
  const name = object.name;
  if (name === '' || name.endsWith('*')) r.error(['metadata', 'name'], 'is required');
  const spec = r.record(object.raw.spec, ['spec'], true) ?? {};

  let paramKind: ParamKind | null = null;
  const rawParamKind = r.record(spec.paramKind, ['spec', 'paramKind'], false);
  if (rawParamKind !== undefined) {
    const apiVersion = r.string(rawParamKind.apiVersion, ['spec', 'paramKind', 'apiVersion'], true);
    const kind = r.string(rawParamKind.kind, ['spec', 'paramKind', 'kind'], true);
    if (apiVersion !== undefined && kind !== undefined) paramKind = { apiVersion, kind, group: splitApiVersion(apiVersion).group };
  }

  const match = readMatchResources(r, spec.matchConstraints, ['spec', 'matchConstraints'], true);
  const failurePolicy = r.oneOf<FailurePolicy>(spec.failurePolicy, ['spec', 'failurePolicy'], ['Fail', 'Ignore'], 'Fail');
  const base = baseDeclarations(paramKind !== null);

  const matchConditions: NamedExpression[] = [];
  const conditionNames = new Set<string>();
  const rawConditions = r.list(spec.matchConditions, ['spec', 'matchConditions']);
  if (rawConditions.length > MAX_MATCH_CONDITIONS) r.error(['spec', 'matchConditions'], `must have at most ${MAX_MATCH_CONDITIONS} items`);
  rawConditions.forEach((raw, i) => {
    const at: FieldPath = ['spec', 'matchConditions', i];
    const condition = r.record(raw, at, true);
    if (condition === undefined) return;
    const conditionName = r.string(condition.name, [...at, 'name'], true);
    if (conditionName !== undefined && conditionNames.has(conditionName)) r.error([...at, 'name'], `duplicate match condition name "${conditionName}"`);
    if (conditionName !== undefined) conditionNames.add(conditionName);
    const expression = r.expression(condition.expression, [...at, 'expression'], base);
    if (conditionName !== undefined && expression !== undefined) matchConditions.push({ name: conditionName, expression });
  });

  const variables: NamedExpression[] = [];
  const variableNames: string[] = [];
  r.list(spec.variables, ['spec', 'variables']).forEach((raw, i) => {
    const at: FieldPath = ['spec', 'variables', i];
    const variable = r.record(raw, at, true);
    if (variable === undefined) return;
    const variableName = r.string(variable.name, [...at, 'name'], true);
    if (variableName !== undefined && !CEL_IDENTIFIER.test(variableName)) r.error([...at, 'name'], 'must be a valid CEL identifier');
    if (variableName !== undefined && variableNames.includes(variableName)) r.error([...at, 'name'], `duplicate variable name "${variableName}"`);
    // A variable sees only the variables declared before it, as on the API server.
    const expression = r.expression(variable.expression, [...at, 'expression'], { ...base, variables: { fields: [...variableNames] } });
    if (variableName !== undefined) variableNames.push(variableName);
    if (variableName !== undefined && expression !== undefined) variables.push({ name: variableName, expression });
  });
  const full: Record<string, VariableDeclaration> = { ...base, variables: { fields: variableNames } };

  const validations: Validation[] = [];
  const rawValidations = r.list(spec.validations, ['spec', 'validations']);
  rawValidations.forEach((raw, i) => {
    const at: FieldPath = ['spec', 'validations', i];
    const v = r.record(raw, at, true);
    if (v === undefined) return;
    const expression = r.expression(v.expression, [...at, 'expression'], full);
    const message = r.string(v.message, [...at, 'message'], false);
    if (message !== undefined && message.includes('\n')) r.error([...at, 'message'], 'must not contain line breaks');
    const messageExpression = v.messageExpression === undefined || v.messageExpression === null ? undefined : r.expression(v.messageExpression, [...at, 'messageExpression'], full);
    const reason = r.string(v.reason, [...at, 'reason'], false) ?? 'Invalid';
    if (!REASONS.has(reason)) r.error([...at, 'reason'], `must be one of ${[...REASONS].join(', ')} (got ${JSON.stringify(reason)})`);
    let fieldPath: FieldPath = [];
    const rawFieldPath = r.string(v.fieldPath, [...at, 'fieldPath'], false);
    if (rawFieldPath !== undefined) {
      try {
        fieldPath = parseFieldPath(rawFieldPath);
      } catch (error) {
        r.error([...at, 'fieldPath'], `is not a valid field path: ${(error as Error).message}`);
      }
    }
    if (expression !== undefined) validations.push({ index: i, expression, message, messageExpression, reason, fieldPath });
  });

  const auditAnnotations: AuditAnnotation[] = [];
  r.list(spec.auditAnnotations, ['spec', 'auditAnnotations']).forEach((raw, i) => {
    const at: FieldPath = ['spec', 'auditAnnotations', i];
    const a = r.record(raw, at, true);
    if (a === undefined) return;
    const key = r.string(a.key, [...at, 'key'], true);
    const valueExpression = r.expression(a.valueExpression, [...at, 'valueExpression'], full);
    if (key !== undefined && valueExpression !== undefined) auditAnnotations.push({ key, valueExpression });
  });
  if (rawValidations.length === 0 && auditAnnotations.length === 0 && r.problems.length === 0) {
    r.error(['spec', 'validations'], 'a policy needs at least one validation or audit annotation');
  }

  const annotations = annotationsOf(object);
  let severity: Severity = 'medium';
  const rawSeverity = annotations[ANNOTATION_SEVERITY];
  if (rawSeverity !== undefined) {
    if (isSeverity(rawSeverity)) severity = rawSeverity;
    else diagnostics.push(issue(object, ['metadata', 'annotations', ANNOTATION_SEVERITY], `must be info, low, medium, high or critical; using medium`, 'warning'));
  }
  let area: Area = 'deploy';
  const rawArea = annotations[ANNOTATION_AREA];
  if (rawArea !== undefined) {
    if ((AREAS as readonly string[]).includes(rawArea)) area = rawArea as Area;
    else diagnostics.push(issue(object, ['metadata', 'annotations', ANNOTATION_AREA], `must be one of ${AREAS.join(', ')}; using deploy`, 'warning'));
  }

  diagnostics.push(...r.problems);
  if (r.problems.length > 0 || match === undefined) return undefined;
  return {
    name,
    object,
    paramKind,
    match,
    matchConditions,
    variables,
    validations,
    auditAnnotations,
    failurePolicy,
    severity,
    area,
    title: annotations[ANNOTATION_TITLE] ?? `ValidatingAdmissionPolicy ${name}`,
    remediation:
      annotations[ANNOTATION_REMEDIATION] ??
      `Change the object so that it satisfies the ValidatingAdmissionPolicy "${name}", or exclude it from the policy's match constraints.`,
  };
}

function annotationsOf(object: KubeObject): Record<string, string> {
  const metadata = object.raw.metadata;
  const annotations = metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>).annotations : undefined;
  const out: Record<string, string> = {};
  if (annotations !== null && typeof annotations === 'object' && !Array.isArray(annotations)) {
    for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function readMatchResources(r: Reader, raw: unknown, path: FieldPath, requireRules: boolean): MatchResources | undefined {
  const m = r.record(raw, path, requireRules);
  if (m === undefined) return undefined;
  const namespaceSelector = r.selector(m.namespaceSelector, [...path, 'namespaceSelector']);
  const objectSelector = r.selector(m.objectSelector, [...path, 'objectSelector']);
  const resourceRules = readRules(r, m.resourceRules, [...path, 'resourceRules']);
  if (requireRules && resourceRules.length === 0) r.error([...path, 'resourceRules'], 'must name at least one rule');
  const excludeResourceRules = readRules(r, m.excludeResourceRules, [...path, 'excludeResourceRules']);
  const matchPolicy = r.oneOf<MatchPolicy>(m.matchPolicy, [...path, 'matchPolicy'], ['Exact', 'Equivalent'], 'Equivalent');
  if (namespaceSelector === undefined || objectSelector === undefined) return undefined;
  return { namespaceSelector, objectSelector, resourceRules, excludeResourceRules, matchPolicy };
}

function readRules(r: Reader, raw: unknown, path: FieldPath): ResourceRule[] {
  const rules: ResourceRule[] = [];
  r.list(raw, path).forEach((item, i) => {
    const at: FieldPath = [...path, i];
    const rule = r.record(item, at, true);
    if (rule === undefined) return;
    const resources = r.strings(rule.resources, [...at, 'resources']);
    if (resources.length === 0) r.error([...at, 'resources'], 'must name at least one resource');
    const operations = r.strings(rule.operations, [...at, 'operations']);
    if (operations.length === 0) r.error([...at, 'operations'], 'must name at least one operation');
    for (const [j, op] of operations.entries()) {
      if (!['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)) r.error([...at, 'operations', j], `must be CREATE, UPDATE, DELETE, CONNECT or * (got ${JSON.stringify(op)})`);
    }
    rules.push({
      apiGroups: r.strings(rule.apiGroups, [...at, 'apiGroups'], true),
      apiVersions: r.strings(rule.apiVersions, [...at, 'apiVersions']),
      resources,
      operations,
      resourceNames: r.strings(rule.resourceNames, [...at, 'resourceNames']),
      scope: r.oneOf<RuleScope>(rule.scope, [...at, 'scope'], ['*', 'Cluster', 'Namespaced'], '*'),
    });
  });
  return rules;
}

function compileBinding(object: KubeObject, diagnostics: Diagnostic[]): CompiledBinding | undefined {
  const r = new Reader(object);
  if (object.name === '' || object.name.endsWith('*')) r.error(['metadata', 'name'], 'is required');
  const spec = r.record(object.raw.spec, ['spec'], true) ?? {};
  const policyName = r.string(spec.policyName, ['spec', 'policyName'], true);
  const actions = r.strings(spec.validationActions, ['spec', 'validationActions']);
  if (actions.length === 0) r.error(['spec', 'validationActions'], 'must name at least one of Deny, Warn, Audit');
  for (const [i, action] of actions.entries()) {
    if (action !== 'Deny' && action !== 'Warn' && action !== 'Audit') r.error(['spec', 'validationActions', i], `must be Deny, Warn or Audit (got ${JSON.stringify(action)})`);
  }
  if (actions.includes('Deny') && actions.includes('Warn')) r.error(['spec', 'validationActions'], 'must not contain both Deny and Warn');
  if (new Set(actions).size !== actions.length) r.error(['spec', 'validationActions'], 'must not repeat an action');

  let paramRef: ParamRef | null = null;
  const rawRef = r.record(spec.paramRef, ['spec', 'paramRef'], false);
  if (rawRef !== undefined) {
    const name = r.string(rawRef.name, ['spec', 'paramRef', 'name'], false);
    const namespace = r.string(rawRef.namespace, ['spec', 'paramRef', 'namespace'], false);
    const hasSelector = rawRef.selector !== undefined && rawRef.selector !== null;
    const selector = hasSelector ? r.selector(rawRef.selector, ['spec', 'paramRef', 'selector']) : undefined;
    if (name !== undefined && hasSelector) r.error(['spec', 'paramRef'], 'name and selector are mutually exclusive');
    if (name === undefined && !hasSelector) r.error(['spec', 'paramRef'], 'one of name or selector is required');
    const parameterNotFoundAction = r.oneOf<'Allow' | 'Deny'>(rawRef.parameterNotFoundAction, ['spec', 'paramRef', 'parameterNotFoundAction'], ['Allow', 'Deny'], 'Deny');
    paramRef = { name, namespace, selector, parameterNotFoundAction };
  }
  const match = spec.matchResources === undefined || spec.matchResources === null ? null : (readMatchResources(r, spec.matchResources, ['spec', 'matchResources'], false) ?? null);

  diagnostics.push(...r.problems);
  if (r.problems.length > 0 || policyName === undefined) return undefined;
  return { name: object.name, object, policyName, paramRef, match, actions: actions as ValidationAction[] };
}
