// A policy set as cross-object checks of the scan engine: one SetCheck per policy (so reports list
// each policy as a control and SARIF as a rule), all served by one evaluation of the whole set per
// object set — namespaces, params and CRDs are looked up across every scanned file.
import type { ObjectSet, SetCheck, SetViolation } from '../checks/check.ts';
import { evaluatePolicySet, type PolicyEvaluation, type PolicyEvaluationOptions } from './evaluate.ts';
import { policyControlId } from './findings.ts';
import type { PolicySet } from './model.ts';

/** Kinds value meaning "every object": a policy can match any kind, and needs namespaces and params. */
export const ALL_KINDS = '*';

export function policySetChecks(set: PolicySet, options: PolicyEvaluationOptions = {}): SetCheck[] {
  // Only a policy evaluated more than once per object, or with several validations, can report
  // the same thing twice for one object.
  const bindings = new Map<string, number>();
  for (const binding of set.bindings) bindings.set(binding.policyName, (bindings.get(binding.policyName) ?? 0) + 1);
  const mayRepeat = new Set(set.policies.filter((p) => p.paramKind !== null || p.validations.length > 1 || (bindings.get(p.name) ?? 0) > 1).map((p) => p.name));
  const evaluations = new WeakMap<ObjectSet, Map<string, SetViolation[]>>();
  const violationsFor = (objects: ObjectSet, policy: string): readonly SetViolation[] => {
    let byPolicy = evaluations.get(objects);
    if (byPolicy === undefined) {
      byPolicy = group(evaluatePolicySet(set, objects.objects, options), mayRepeat);
      evaluations.set(objects, byPolicy);
    }
    return byPolicy.get(policy) ?? [];
  };
  return set.policies.map((policy) => ({
    id: policyControlId(policy.name),
    title: policy.title,
    area: policy.area,
    severity: policy.severity,
    frameworks: {},
    description: `Custom ValidatingAdmissionPolicy "${policy.name}" (${policy.object.source.file}), evaluated with the Kubernetes CEL environment.`,
    remediation: policy.remediation,
    kinds: [ALL_KINDS],
    fixtures: { pass: [], fail: [] },
    evaluateSet: (objects: ObjectSet) => violationsFor(objects, policy.name),
  }));
}

/**
 * Violations by policy, identical ones (a policy bound twice, several params) reported once. The
 * evaluation lists an object's violations together, so duplicates are looked for within one
 * object's run only.
 */
function group(evaluation: PolicyEvaluation, mayRepeat: ReadonlySet<string>): Map<string, SetViolation[]> {
  const out = new Map<string, SetViolation[]>();
  let current: unknown;
  let seen: Set<string> | undefined;
  for (const v of evaluation.violations) {
    if (v.object !== current) {
      current = v.object;
      seen = undefined;
    }
    if (mayRepeat.has(v.policy)) {
      const key = `${v.policy}\u0000${v.path.join('\u0001')}\u0000${v.message}`;
      if (seen?.has(key)) continue;
      (seen ??= new Set()).add(key);
    }
    let list = out.get(v.policy);
    if (list === undefined) out.set(v.policy, (list = []));
    // A violation is a SetViolation already (object, path, message): kept as it is, not copied.
    list.push(v);
  }
  return out;
}
