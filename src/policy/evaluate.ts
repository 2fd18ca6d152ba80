// Evaluates a compiled policy set the way the API server admits requests: for each request, each
// policy whose matchConstraints match, each binding of that policy whose matchResources match (or,
// offline, an implicit binding to everything with Deny when a policy has none), each param the
// binding selects: matchConditions, then validations with lazily evaluated variables, then audit
// annotations; errors go by the policy's failurePolicy. A scan evaluates each object as a CREATE of
// it; the admission webhook evaluates the request it received (UPDATE with its old object, DELETE,
// CONNECT, subresources). What depends only on the policy set (expression plans, which policies a
// kind and operation can match, which expressions repeat) is computed once per set and kept with it;
// what depends only on the request (its CEL values, the results of repeated expressions) is computed
// once for all the policies evaluated on it.
import { celError, type CelError, type CelMap, type CelValue } from '@bufbuild/cel';
import type { Area, Diagnostic, FieldPath, KubeObject, Severity } from '../core/index.ts';
import { activationOf, AUTHORIZER, Budget, CelEvalError, DEFAULT_COST_LIMIT, evaluate, fromJs, fromJsUnshared, lazyMap, type CelProgram, type Evaluation, type PreparedActivation } from './cel/index.ts';
import type { BudgetExhausted } from './cel/budget.ts';
import { matchesResources, matchesRules, matchesSelectors, rulesNameObjects, type MatchTarget } from './match.ts';
import type { CompiledBinding, CompiledPolicy, PolicySet, ValidationAction } from './model.ts';
import { ResourceMapper, splitApiVersion, type ResourceInfo } from './resources.ts';
import { labelsOf, matchesLabels } from './selector.ts';
import { sharedExpressions, type ExpressionSlots } from './shared-expressions.ts';

/** The API server's runtime cost budget for one policy on one request (celconfig.RuntimeCELCostBudget). */
export const DEFAULT_RUNTIME_BUDGET = 10_000_000;

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

export interface PolicyEvaluationOptions {
  /** The requesting user `request.userInfo` shows (default: empty). */
  userInfo?: UserInfo;
  /** Per-expression cost limit (default 1,000,000, as the API server). */
  costLimit?: number;
  /** Per-expression wall-clock bound in ms (default 250). */
  timeLimitMs?: number;
  /** Cost budget of one policy on one object (default 10,000,000, as the API server). */
  runtimeBudget?: number;
  /** Also return one result per policy and object (pass, fail, error, skip), for policy tests. */
  collectResults?: boolean;
  /**
   * Let expressions that always agree on a request share one evaluation (./shared-expressions.ts;
   * default true). Results and costs are the same either way; off, every expression is evaluated.
   */
  shareResults?: boolean;
}

export type ViolationKind = 'validation' | 'error';

export interface PolicyViolation {
  object: KubeObject;
  policy: string;
  /** null for the implicit binding of a policy that has none. */
  binding: string | null;
  param: KubeObject | null;
  /** The validation that failed; null for a failing match condition, variable or binding setup. */
  validationIndex: number | null;
  /** `validation`: an expression was false; `error`: evaluation failed under failurePolicy Fail. */
  kind: ViolationKind;
  path: FieldPath;
  message: string;
  reason: string;
  actions: readonly ValidationAction[];
  severity: Severity;
  area: Area;
  title: string;
  remediation: string;
}

export interface PolicyAuditAnnotation {
  object: KubeObject;
  policy: string;
  binding: string | null;
  /** `<policy name>/<key>`, as the API server records it. */
  key: string;
  value: string;
}

export type PolicyOutcome = 'pass' | 'fail' | 'error' | 'skip';

export interface PolicyResult {
  object: KubeObject;
  policy: string;
  outcome: PolicyOutcome;
  messages: string[];
}

export interface PolicyEvaluation {
  violations: PolicyViolation[];
  auditAnnotations: PolicyAuditAnnotation[];
  /** Present when `collectResults` was set: one per policy and object, in object then policy order. */
  results: PolicyResult[];
  /** Notes about what offline evaluation could not know (a param kind with no objects, …). */
  diagnostics: Diagnostic[];
  /** (policy, binding, param, object) combinations evaluated. */
  evaluations: number;
}

const IMPLICIT_ACTIONS: readonly ValidationAction[] = ['Deny'];
const NO_VARIABLES = lazyMap([], () => null);

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** One admission request, as the API server presents it to policies. */
export interface PolicyRequest {
  /** Names the request in violations and results: kind, namespace, name, where it came from. */
  subject: KubeObject;
  /** The request's kind and resource (for CONNECT the options kind, e.g. PodExecOptions, on pods). */
  info: ResourceInfo;
  /** '' for the resource itself; `ephemeralcontainers`, `exec`, `status`… */
  subResource: string;
  operation: AdmissionOperation;
  /** `object`: the new object (CREATE, UPDATE), the options (CONNECT), null on DELETE. */
  object: Record<string, unknown> | null;
  /** `oldObject`: the stored object on UPDATE and DELETE, else null. */
  oldObject: Record<string, unknown> | null;
  /** `request`: the AdmissionRequest as the webhook received it. */
  request: Record<string, unknown>;
}

interface Lookup {
  mapper: ResourceMapper;
  namespaces: Map<string, KubeObject>;
  /** Objects of the policies' param kinds by `group/kind`. */
  byKind: Map<string, KubeObject[]>;
}

function buildLookup(set: PolicySet, objects: readonly KubeObject[]): Lookup {
  const all = set.resources.length === 0 ? objects : [...set.resources, ...objects];
  // Only namespaces and params are looked up: other objects are not indexed.
  const looked = new Set<string>(['Namespace']);
  for (const policy of set.policies) if (policy.paramKind !== null) looked.add(policy.paramKind.kind);
  const seen = new Set<string>();
  const namespaces = new Map<string, KubeObject>();
  const byKind = new Map<string, KubeObject[]>();
  for (const object of all) {
    if (!looked.has(object.kind)) continue;
    const { group } = splitApiVersion(object.apiVersion);
    const key = `${group}/${object.kind}/${object.namespace ?? ''}/${object.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (object.kind === 'Namespace' && group === '' && object.name !== '') namespaces.set(object.name, object);
    const kindKey = `${group}/${object.kind}`;
    let list = byKind.get(kindKey);
    if (list === undefined) byKind.set(kindKey, (list = []));
    list.push(object);
  }
  return { mapper: new ResourceMapper(all), namespaces, byKind };
}

/** What evaluating a policy needs beyond its expressions, computed once per policy. */
interface PolicyPlan {
  policy: CompiledPolicy;
  /** The admission variables its expressions read besides `object`; the others are not built. */
  reads: { oldObject: boolean; params: boolean; namespaceObject: boolean; request: boolean; authorizer: boolean };
  variableNames: readonly string[];
  variableIndex: ReadonlyMap<string, number>;
  variablePrograms: readonly CelProgram[];
  /** Which of its expressions share results with others of the set. */
  slots: ExpressionSlots;
  bindings: readonly (CompiledBinding | null)[];
  /** Its resource rules name objects (resourceNames): they are matched per object, not per kind. */
  byName: boolean;
}

/** The plans of a policy set and which policies each kind of request can match, kept with the set. */
interface SetPlan {
  plans: readonly PolicyPlan[];
  /** `group/version/resource/subresource/namespaced/operation` → the plans whose rules match it. */
  candidates: Map<string, readonly PolicyPlan[]>;
  /** How many expression results a request can share (see ./shared-expressions.ts). */
  sharedSlots: number;
}

const setPlans = new WeakMap<PolicySet, SetPlan>();
/** Kinds of request a long-running webhook may see are bounded in practice; the cache is anyway. */
const MAX_CANDIDATE_KEYS = 4096;

function setPlanOf(set: PolicySet): SetPlan {
  let plan = setPlans.get(set);
  if (plan !== undefined) return plan;
  const bindingsByPolicy = new Map<string, CompiledBinding[]>();
  for (const binding of set.bindings) {
    let list = bindingsByPolicy.get(binding.policyName);
    if (list === undefined) bindingsByPolicy.set(binding.policyName, (list = []));
    list.push(binding);
  }
  const bindingsOf = (policy: CompiledPolicy): readonly (CompiledBinding | null)[] => bindingsByPolicy.get(policy.name) ?? IMPLICIT_BINDINGS;
  // A policy with params may run once per param object for one request.
  const shared = sharedExpressions(set.policies, (policy) => bindingsOf(policy).length * (policy.paramKind === null ? 1 : 2));
  plan = {
    plans: set.policies.map((policy) => planOf(policy, bindingsOf(policy), shared.slots.get(policy)!)),
    candidates: new Map(),
    sharedSlots: shared.count,
  };
  setPlans.set(set, plan);
  return plan;
}

/** The plans whose resource rules can match this kind of request (selectors are checked per object). */
function candidatesFor(plan: SetPlan, target: MatchTarget): readonly PolicyPlan[] {
  const { info } = target;
  const key = `${info.group}/${info.version}/${info.resource}/${target.subResource}/${info.namespaced}/${target.operation}`;
  let found = plan.candidates.get(key);
  if (found === undefined) {
    found = plan.plans.filter((p) => p.byName || matchesRules(p.policy.match, target));
    if (plan.candidates.size >= MAX_CANDIDATE_KEYS) plan.candidates.clear();
    plan.candidates.set(key, found);
  }
  return found;
}

/** Every object as a CREATE of it, the way `scan --policy` and `policy test` see manifests. */
export function evaluatePolicySet(set: PolicySet, objects: readonly KubeObject[], options: PolicyEvaluationOptions = {}): PolicyEvaluation {
  const lookup = buildLookup(set, objects);
  const evaluator = new SetEvaluator(set, lookup, options);
  for (const object of objects) {
    const info = lookup.mapper.describe(object.apiVersion, object.kind);
    const namespace = info.namespaced ? object.namespace : null;
    let request: Record<string, unknown> | undefined;
    evaluator.evaluate(
      object,
      { info, subResource: '', name: object.name, operation: 'CREATE', labels: labelsOf(object.raw), oldLabels: null, namespaceLabels: evaluator.namespaceLabelsFor(object, info, namespace) },
      {
        object: object.raw,
        oldObject: null,
        namespace,
        request: () => (request ??= requestView(object, info, namespace, options.userInfo)),
      },
    );
  }
  return evaluator.out;
}

/**
 * One admission request. `context` holds what the evaluation may look up besides the policy set's
 * own resources: the request's Namespace (for namespaceObject and namespaceSelector), params.
 */
export function evaluatePolicyRequest(set: PolicySet, request: PolicyRequest, context: readonly KubeObject[] = [], options: PolicyEvaluationOptions = {}): PolicyEvaluation {
  const lookup = buildLookup(set, context);
  const evaluator = new SetEvaluator(set, lookup, options);
  const { subject, info } = request;
  const namespace = info.namespaced ? subject.namespace : null;
  const labels = request.object === null || request.operation === 'CONNECT' ? (request.oldObject === null ? {} : labelsOf(request.oldObject)) : labelsOf(request.object);
  const oldLabels = request.operation === 'UPDATE' && request.oldObject !== null ? labelsOf(request.oldObject) : null;
  evaluator.evaluate(
    subject,
    { info, subResource: request.subResource, name: subject.name, operation: request.operation, labels, oldLabels, namespaceLabels: evaluator.namespaceLabelsFor(subject, info, namespace) },
    { object: request.object, oldObject: request.oldObject, namespace, request: () => request.request },
  );
  return evaluator.out;
}

/** The CEL-visible side of one request. */
interface Inputs {
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  namespace: string | null;
  request(): Record<string, unknown>;
}

class SetEvaluator {
  readonly out: PolicyEvaluation = { violations: [], auditAnnotations: [], results: [], diagnostics: [], evaluations: 0 };
  private readonly plan: SetPlan;
  private readonly lookup: Lookup;
  private readonly options: PolicyEvaluationOptions;
  private readonly runner: Runner;
  private readonly noted = new Set<string>();
  // Namespace labels and views are shared by every object of a namespace.
  private readonly namespaceLabelsCache = new Map<string, Record<string, string>>();
  private readonly namespaceViews = new Map<string, Record<string, unknown>>();
  private readonly paramsCache = new Map<string, Params>();

  constructor(set: PolicySet, lookup: Lookup, options: PolicyEvaluationOptions) {
    this.plan = setPlanOf(set);
    this.lookup = lookup;
    this.options = options;
    this.runner = new Runner(options, this.out, options.shareResults === false ? 0 : this.plan.sharedSlots);
  }

  private labelsOfNamespace(name: string): Record<string, string> {
    let labels = this.namespaceLabelsCache.get(name);
    if (labels === undefined) {
      const found = this.lookup.namespaces.get(name);
      labels = { ...(found === undefined ? {} : labelsOf(found.raw)), 'kubernetes.io/metadata.name': name };
      this.namespaceLabelsCache.set(name, labels);
    }
    return labels;
  }

  /** What a namespaceSelector is matched against for this object (see MatchTarget). */
  namespaceLabelsFor(object: KubeObject, info: ResourceInfo, namespace: string | null): Record<string, string> | null {
    if (info.kind === 'Namespace' && info.group === '') return { ...labelsOf(object.raw), 'kubernetes.io/metadata.name': object.name };
    if (info.namespaced) return namespace === null ? {} : this.labelsOfNamespace(namespace);
    return null;
  }

  /** The params of a binding depend on the object only through its namespace and scope. */
  private paramsFor(policy: CompiledPolicy, binding: CompiledBinding | null, object: KubeObject, namespaced: boolean): Params {
    const key = `${policy.name}\u0000${binding?.name ?? ''}\u0000${!namespaced ? '\u0001' : object.namespace === null ? '\u0002' : object.namespace}`;
    let params = this.paramsCache.get(key);
    if (params === undefined) this.paramsCache.set(key, (params = resolveParams(policy, binding, object, namespaced, this.lookup)));
    return params;
  }

  private note(key: string, object: KubeObject, message: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.out.diagnostics.push({ level: 'note', message, location: { file: object.source.file, line: object.source.line, column: object.source.column } });
  }

  evaluate(object: KubeObject, target: MatchTarget, inputs: Inputs): void {
    const { options, out, lookup } = this;
    this.runner.nextRequest();
    const { namespace } = inputs;
    const context = new ObjectContext(object, inputs, () => {
      if (namespace === null) return null;
      let view = this.namespaceViews.get(namespace);
      if (view === undefined) this.namespaceViews.set(namespace, (view = namespaceView(namespace, lookup.namespaces.get(namespace), this.labelsOfNamespace(namespace))));
      return view;
    });
    // Policy tests want a result for every policy, matched or not; everyone else only the matches.
    const plans = options.collectResults ? this.plan.plans : candidatesFor(this.plan, target);
    for (let p = 0; p < plans.length; p++) {
      const plan = plans[p]!;
      const { policy } = plan;
      const matched = options.collectResults || plan.byName ? matchesResources(policy.match, target) : matchesSelectors(policy.match, target);
      if (!matched) {
        if (options.collectResults) out.results.push({ object, policy: policy.name, outcome: 'skip', messages: [] });
        continue;
      }
      const before = out.violations.length;
      let evaluated = false;
      for (const binding of plan.bindings) {
        if (binding?.match != null && !matchesResources(binding.match, target)) continue;
        const actions = binding?.actions ?? IMPLICIT_ACTIONS;
        const params = policy.paramKind === null ? NO_PARAMS : this.paramsFor(policy, binding, object, target.info.namespaced);
        if (params.kind === 'error') {
          if (policy.failurePolicy === 'Fail') this.runner.violation(policy, binding, null, object, actions, null, 'error', [], params.message, 'Invalid');
          continue;
        }
        if (params.kind === 'none') {
          if (binding === null) this.note(`params:${policy.name}`, policy.object, `policy "${policy.name}" has paramKind ${policy.paramKind!.kind} but no binding and no ${policy.paramKind!.kind} objects were found; it was not evaluated`);
          continue;
        }
        for (const param of params.objects) {
          out.evaluations++;
          if (this.runner.run(policy, plan, binding, param, context, actions)) evaluated = true;
        }
      }
      if (options.collectResults) {
        const found = out.violations.slice(before);
        const outcome: PolicyOutcome = found.length === 0 ? (evaluated ? 'pass' : 'skip') : found.some((v) => v.kind === 'validation') ? 'fail' : 'error';
        out.results.push({ object, policy: policy.name, outcome, messages: found.map((v) => v.message) });
      }
    }
  }
}

type Params = { kind: 'objects'; objects: readonly (KubeObject | null)[] } | { kind: 'none' } | { kind: 'error'; message: string };

const NO_PARAMS: Params = { kind: 'objects', objects: [null] };
const IMPLICIT_BINDINGS: readonly null[] = [null];

function planOf(policy: CompiledPolicy, bindings: readonly (CompiledBinding | null)[], slots: ExpressionSlots): PolicyPlan {
  const programs: CelProgram[] = [
    ...policy.matchConditions.map((c) => c.expression.program),
    ...policy.variables.map((v) => v.expression.program),
    ...policy.validations.flatMap((v) => (v.messageExpression === undefined ? [v.expression.program] : [v.expression.program, v.messageExpression.program])),
    ...policy.auditAnnotations.map((a) => a.valueExpression.program),
  ];
  const needs = new Set<string>();
  for (const program of programs) for (const name of program.references) needs.add(name);
  return {
    policy,
    reads: {
      oldObject: needs.has('oldObject'),
      params: needs.has('params'),
      namespaceObject: needs.has('namespaceObject'),
      request: needs.has('request'),
      authorizer: needs.has('authorizer'),
    },
    variableNames: policy.variables.map((v) => v.name),
    variableIndex: new Map(policy.variables.map((v, i) => [v.name, i])),
    variablePrograms: policy.variables.map((v) => v.expression.program),
    slots,
    bindings,
    byName: rulesNameObjects(policy.match),
  };
}

/**
 * The object under evaluation and what its policies' expressions see, converted to CEL values once
 * for all of them and only when an expression reads it.
 */
class ObjectContext {
  readonly object: KubeObject;
  private readonly inputs: Inputs;
  private readonly namespaceView: () => Record<string, unknown> | null;
  private objectValue: CelValue | undefined;
  private oldObjectValue: CelValue | undefined;
  private requestValue: CelValue | undefined;
  private namespaceValue: CelValue | undefined;

  constructor(object: KubeObject, inputs: Inputs, namespaceView: () => Record<string, unknown> | null) {
    this.object = object;
    this.inputs = inputs;
    this.namespaceView = namespaceView;
  }

  // The object's own wrappers are not shared through the table keyed by parsed values: they are
  // dropped with this context, young, rather than kept as long as the scan keeps the object.
  objectCel(): CelValue {
    return (this.objectValue ??= fromJsUnshared(this.inputs.object) ?? null);
  }

  oldObjectCel(): CelValue {
    return (this.oldObjectValue ??= fromJsUnshared(this.inputs.oldObject) ?? null);
  }

  requestCel(): CelValue {
    return (this.requestValue ??= fromJsUnshared(this.inputs.request()) ?? null);
  }

  namespaceObjectCel(): CelValue {
    // Namespace views are shared by the objects of a namespace, and so are their wrappers.
    return (this.namespaceValue ??= fromJs(this.namespaceView()) ?? null);
  }
}

function resolveParams(policy: CompiledPolicy, binding: CompiledBinding | null, object: KubeObject, objectNamespaced: boolean, lookup: Lookup): Params {
  const paramKind = policy.paramKind;
  if (paramKind === null) return NO_PARAMS;
  const candidates = lookup.byKind.get(`${paramKind.group}/${paramKind.kind}`) ?? [];
  if (binding === null) {
    // No binding offline: the policy applies once per param object of its kind that was given.
    return candidates.length === 0 ? { kind: 'none' } : { kind: 'objects', objects: sortByIdentity(candidates) };
  }
  const ref = binding.paramRef;
  if (ref === null) return { kind: 'error', message: `failed to configure binding: policy "${policy.name}" has paramKind ${paramKind.kind} but binding "${binding.name}" has no paramRef` };
  const paramNamespaced = lookup.mapper.describe(paramKind.apiVersion, paramKind.kind).namespaced;
  let namespace: string | null = null;
  if (paramNamespaced) {
    if (ref.namespace !== undefined) namespace = ref.namespace;
    else if (!objectNamespaced) {
      return { kind: 'error', message: `failed to configure binding: cannot use namespaced paramKind ${paramKind.kind} for a cluster-scoped object without paramRef.namespace` };
    } else namespace = object.namespace;
  }
  const inNamespace = (p: KubeObject): boolean => !paramNamespaced || p.namespace === namespace || (namespace === null && p.namespace === 'default') || (namespace === 'default' && p.namespace === null);
  let found: KubeObject[];
  if (ref.name !== undefined) found = candidates.filter((p) => p.name === ref.name && inNamespace(p));
  else found = candidates.filter((p) => inNamespace(p) && matchesLabels(ref.selector!, labelsOf(p.raw)));
  if (found.length > 0) return { kind: 'objects', objects: sortByIdentity(found) };
  if (ref.parameterNotFoundAction === 'Allow') return { kind: 'none' };
  const what = ref.name !== undefined ? `${paramKind.kind} "${ref.name}"${namespace === null ? '' : ` in namespace "${namespace}"`}` : `${paramKind.kind} objects matching the paramRef selector`;
  return { kind: 'error', message: `no params found for policy binding with \`Deny\` parameterNotFoundAction: ${what} not found` };
}

function sortByIdentity(objects: readonly KubeObject[]): KubeObject[] {
  const key = (o: KubeObject): string => `${o.namespace ?? ''}/${o.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The namespace as `namespaceObject` shows it: metadata, spec and status, with its name label. */
function namespaceView(name: string, found: KubeObject | undefined, labels: Record<string, string>): Record<string, unknown> {
  const raw = found?.raw ?? {};
  const metadata = raw.metadata !== null && typeof raw.metadata === 'object' ? (raw.metadata as Record<string, unknown>) : {};
  const view: Record<string, unknown> = { apiVersion: 'v1', kind: 'Namespace', metadata: { ...metadata, name, labels } };
  if (raw.spec !== undefined) view.spec = raw.spec;
  if (raw.status !== undefined) view.status = raw.status;
  return view;
}

function requestView(object: KubeObject, info: ReturnType<ResourceMapper['describe']>, namespace: string | null, user: UserInfo | undefined): Record<string, unknown> {
  const kind = { group: info.group, version: info.version, kind: info.kind };
  const resource = { group: info.group, version: info.version, resource: info.resource };
  return {
    uid: '',
    kind,
    resource,
    subResource: '',
    requestKind: kind,
    requestResource: resource,
    requestSubResource: '',
    name: object.name.endsWith('*') ? '' : object.name,
    namespace: namespace ?? '',
    operation: 'CREATE',
    userInfo: { username: user?.username ?? '', uid: user?.uid ?? '', groups: [...(user?.groups ?? [])], extra: user?.extra ?? {} },
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  };
}

/** What one expression's evaluation read and what the variables it computed on the way cost. */
interface Frame {
  /** The variables it read (each once), in the order it first read them. */
  reads: string[];
  /** Units charged by variables computed inside it. */
  nested: number;
}

/**
 * One expression's successful result on the current request, for the other expressions of its slot
 * (./shared-expressions.ts). Reusing it must charge what evaluating would: the same variables are
 * read (computing those the policy has not computed yet), then `self`, what the expression itself
 * charged. `upper` bounds what that can come to, so that a reuse that might run out of budget is
 * evaluated instead and runs out exactly as it would have.
 */
interface SharedResult {
  value: CelValue;
  reads: readonly string[];
  self: number;
  upper: number;
}

/** One policy on one object (through one binding, with one param). */
interface RunState {
  plan: PolicyPlan;
  activation: PreparedActivation;
  variables: CelMap;
  /** Per variable of the policy computed in this run: a bound on what computing it from nothing costs. */
  variableUpper: number[];
}

/** Runs one policy through one binding with one param on one object. */
class Runner {
  private readonly options: PolicyEvaluationOptions;
  private readonly out: PolicyEvaluation;
  /** Reused by every run (reset at its start): one policy on one object at a time. */
  private readonly budget = new Budget(DEFAULT_RUNTIME_BUDGET, 1e9);
  private readonly limits: { budget: Budget; costLimit: number | undefined; timeLimitMs: number | undefined };
  private readonly costLimit: number;
  /** Expressions being evaluated, innermost last; reused across runs. */
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** Results by slot, valid while their request is the current one. */
  private readonly shared: (SharedResult | undefined)[];
  private readonly sharedRequest: number[];
  private request = 0;
  /** The run in progress (runs do not nest). */
  private state: RunState | undefined;

  constructor(options: PolicyEvaluationOptions, out: PolicyEvaluation, slots: number) {
    this.options = options;
    this.out = out;
    this.limits = { budget: this.budget, costLimit: options.costLimit, timeLimitMs: options.timeLimitMs };
    this.costLimit = options.costLimit ?? DEFAULT_COST_LIMIT;
    this.shared = new Array<SharedResult | undefined>(slots).fill(undefined);
    this.sharedRequest = new Array<number>(slots).fill(-1);
  }

  /** The next runs are about another request: results are not shared with the previous one's. */
  nextRequest(): void {
    this.request++;
  }

  violation(
    policy: CompiledPolicy,
    binding: CompiledBinding | null,
    param: KubeObject | null,
    object: KubeObject,
    actions: readonly ValidationAction[],
    validationIndex: number | null,
    kind: 'validation' | 'error',
    path: FieldPath,
    message: string,
    reason: string,
  ): void {
    this.out.violations.push({
      object,
      policy: policy.name,
      binding: binding?.name ?? null,
      param,
      validationIndex,
      kind,
      path,
      message,
      reason,
      actions,
      severity: policy.severity,
      area: policy.area,
      title: policy.title,
      remediation: policy.remediation,
    });
  }

  /** Told by the variables map of each read, to record it on the expression being evaluated. */
  private readonly observe = (name: string): void => {
    if (this.depth === 0) return;
    const reads = this.frames[this.depth - 1]!.reads;
    if (!reads.includes(name)) reads.push(name);
  };

  private readonly computeVariable = (name: string): CelValue | CelError => {
    const state = this.state!;
    const index = state.plan.variableIndex.get(name)!;
    const result = this.exec(state, state.plan.variablePrograms[index]!, state.plan.slots.variables[index]!, index);
    return result.ok ? result.value : celError(`variable "${name}": ${result.error.message}`);
  };

  /** Evaluates `program` in the current run, or reuses the result of its slot on this request. */
  private exec(state: RunState, program: CelProgram, slot: number, variable: number): Evaluation {
    const { budget } = this;
    const before = budget.used;
    const parent = this.depth > 0 ? this.frames[this.depth - 1]! : undefined;
    let frame = this.frames[this.depth];
    if (frame === undefined) this.frames.push((frame = { reads: [], nested: 0 }));
    frame.reads.length = 0;
    frame.nested = 0;
    this.depth++;
    let result: Evaluation;
    let upper: number;
    try {
      const found = slot >= 0 && slot < this.shared.length && this.sharedRequest[slot] === this.request ? this.shared[slot] : undefined;
      if (found !== undefined && budget.exhausted === null && found.upper <= this.costLimit && before + found.upper <= budget.limit) {
        for (let i = 0; i < found.reads.length; i++) state.variables.get(found.reads[i]!);
        budget.used += found.self;
        upper = found.upper;
        // Read again: forcing the variables may have changed it since the test above.
        const exhausted = budget.exhausted as BudgetExhausted | null;
        // Only the time bound can run out here (the cost is bounded above), in a variable computed
        // on the way, and it stays run out, so the expression would have stopped too.
        result = exhausted !== null ? { ok: false, error: new CelEvalError(exhausted.kind, exhausted.message), cost: budget.used - before } : { ok: true, value: found.value, cost: budget.used - before };
      } else {
        result = evaluate(program, state.activation, this.limits);
        const self = budget.used - before - frame.nested;
        upper = self;
        for (let i = 0; i < frame.reads.length; i++) upper += state.variableUpper[state.plan.variableIndex.get(frame.reads[i]!)!] ?? 0;
        if (slot >= 0 && slot < this.shared.length && result.ok) {
          this.shared[slot] = { value: result.value, reads: frame.reads.slice(), self, upper };
          this.sharedRequest[slot] = this.request;
        }
      }
    } finally {
      this.depth--;
    }
    if (variable >= 0) state.variableUpper[variable] = upper;
    if (parent !== undefined) parent.nested += budget.used - before;
    return result;
  }

  run(
    policy: CompiledPolicy,
    plan: PolicyPlan,
    binding: CompiledBinding | null,
    param: KubeObject | null,
    context: ObjectContext,
    actions: readonly ValidationAction[],
  ): boolean {
    const { object } = context;
    this.budget.reset(this.options.runtimeBudget ?? DEFAULT_RUNTIME_BUDGET, 1e9);
    // Errors count as violations under failurePolicy Fail only.
    const fail = (validationIndex: number | null, path: FieldPath, message: string): void => {
      if (policy.failurePolicy === 'Fail') this.violation(policy, binding, param, object, actions, validationIndex, 'error', path, message, 'Invalid');
    };

    // One activation for the whole run, of one shape for every policy; the checker keeps
    // `variables` out of match conditions.
    const { reads, slots } = plan;
    const variables = plan.variablePrograms.length === 0 ? NO_VARIABLES : lazyMap(plan.variableNames, this.computeVariable, this.observe);
    const state: RunState = {
      plan,
      variables,
      variableUpper: [],
      activation: activationOf({
        object: context.objectCel(),
        oldObject: reads.oldObject ? context.oldObjectCel() : undefined,
        params: reads.params ? (param === null ? null : (fromJs(param.raw) ?? null)) : undefined,
        namespaceObject: reads.namespaceObject ? context.namespaceObjectCel() : undefined,
        request: reads.request ? context.requestCel() : undefined,
        authorizer: reads.authorizer ? AUTHORIZER : undefined,
        variables,
      }),
    };
    this.state = state;

    // Match conditions: any false skips the policy, even if another errored; otherwise an error
    // goes by failurePolicy.
    let conditionError: string | undefined;
    for (let i = 0; i < policy.matchConditions.length; i++) {
      const condition = policy.matchConditions[i]!;
      const result = this.exec(state, condition.expression.program, slots.conditions[i]!, -1);
      if (result.ok && result.value === false) return false;
      if (!result.ok) conditionError ??= `failed to evaluate match condition "${condition.name}": ${result.error.message}`;
      else if (result.value !== true) conditionError ??= `match condition "${condition.name}" must evaluate to bool, got ${describeValue(result.value)}`;
    }
    if (conditionError !== undefined) {
      fail(null, [], conditionError);
      return true;
    }

    for (let i = 0; i < policy.validations.length; i++) {
      const validation = policy.validations[i]!;
      const result = this.exec(state, validation.expression.program, slots.validations[i]!, -1);
      if (!result.ok) {
        const message =
          result.error.reason === 'runtime'
            ? `expression '${validation.expression.source}' resulted in error: ${result.error.message}`
            : `validation failed due to running out of ${result.error.reason === 'cost' ? 'cost budget' : 'time'} (${result.error.message}), no further validation rules will be run`;
        fail(validation.index, validation.fieldPath, message);
        if (result.error.reason !== 'runtime') return true;
        continue;
      }
      if (result.value === true) continue;
      if (result.value !== false) {
        fail(validation.index, validation.fieldPath, `expression '${validation.expression.source}' must evaluate to bool, got ${describeValue(result.value)}`);
        continue;
      }
      this.violation(policy, binding, param, object, actions, validation.index, 'validation', validation.fieldPath, this.message(state, validation, slots.messages[i]!), validation.reason);
    }

    for (let i = 0; i < policy.auditAnnotations.length; i++) {
      const annotation = policy.auditAnnotations[i]!;
      const result = this.exec(state, annotation.valueExpression.program, slots.annotations[i]!, -1);
      if (!result.ok) {
        fail(null, [], `audit annotation "${annotation.key}" resulted in error: ${result.error.message}`);
        continue;
      }
      if (result.value === null) continue;
      if (typeof result.value !== 'string') {
        fail(null, [], `audit annotation "${annotation.key}" must evaluate to a string or null, got ${describeValue(result.value)}`);
        continue;
      }
      this.out.auditAnnotations.push({ object, policy: policy.name, binding: binding?.name ?? null, key: `${policy.name}/${annotation.key}`, value: result.value });
    }
    return true;
  }

  /**
   * The failure message: messageExpression when it yields a usable string (non-empty, one line),
   * else message, else the API server's "failed expression: …".
   */
  private message(state: RunState, validation: CompiledPolicy['validations'][number], slot: number): string {
    if (validation.messageExpression !== undefined) {
      const result = this.exec(state, validation.messageExpression.program, slot, -1);
      if (result.ok && typeof result.value === 'string' && result.value.trim() !== '' && !result.value.includes('\n')) return result.value;
    }
    return validation.message ?? `failed expression: ${validation.expression.source.trim()}`;
  }
}

function describeValue(value: CelValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'a non-bool value';
  }
}
