// Which expressions of a policy set always give the same result for the same request, so that one
// evaluation can serve them all. Policy libraries repeat themselves: the same `variables` idiom
// (the pod spec of any workload kind, its containers) in every policy about pods, the same check
// in variants that differ only in their message or match conditions. An expression's value depends
// on the request (object, oldObject, namespaceObject, request, authorizer), which is the same for
// every policy evaluated on it, on `params`, which is not, and on the policy's variables it reads,
// which are the same when they are defined by the same expressions over the same variables, and so
// on. Two expressions of one program whose variables have equal definitions in that sense get the
// same slot; an expression that reads params (or a variable that does) gets none.
import type { CelProgram } from './cel/index.ts';
import type { CompiledPolicy } from './model.ts';

/** A slot per expression of a policy, in the order the policy lists them; -1: not shared. */
export interface ExpressionSlots {
  conditions: readonly number[];
  variables: readonly number[];
  validations: readonly number[];
  /** Of each validation's messageExpression (-1 when it has none). */
  messages: readonly number[];
  annotations: readonly number[];
}

export interface SharedExpressions {
  slots: ReadonlyMap<CompiledPolicy, ExpressionSlots>;
  /** How many slots there are. */
  count: number;
}

/**
 * The slots of `policies`. `evaluationsPerRequest` says how often a policy's expressions can run
 * for one request (its bindings, or several params): only what runs at least twice gets a slot.
 */
export function sharedExpressions(policies: readonly CompiledPolicy[], evaluationsPerRequest: (policy: CompiledPolicy) => number): SharedExpressions {
  const programIds = new Map<CelProgram, number>();
  const idOf = (program: CelProgram): number => {
    let id = programIds.get(program);
    if (id === undefined) programIds.set(program, (id = programIds.size));
    return id;
  };

  interface Keys {
    conditions: (string | null)[];
    variables: (string | null)[];
    validations: (string | null)[];
    messages: (string | null)[];
    annotations: (string | null)[];
  }
  const keysByPolicy = new Map<CompiledPolicy, Keys>();
  const uses = new Map<string, number>();
  for (const policy of policies) {
    const variableKeys: (string | null)[] = [];
    const variableIndex = new Map<string, number>();
    // A key names the program and, for each variable it reads, that variable's own key.
    const keyOf = (program: CelProgram, visible: number): string | null => {
      if (program.references.has('params')) return null;
      let dependencies = '';
      if (program.references.has('variables')) {
        const fields = program.selections.get('variables');
        const names = fields === null || fields === undefined ? policy.variables.slice(0, visible).map((v) => v.name) : [...fields].sort();
        for (const name of names) {
          const index = variableIndex.get(name);
          if (index === undefined || index >= visible) return null;
          const key = variableKeys[index];
          if (key === null || key === undefined) return null;
          dependencies += `${name}=${key};`;
        }
      }
      return `#${idOf(program)}(${dependencies})`;
    };
    policy.variables.forEach((variable, i) => {
      variableKeys.push(keyOf(variable.expression.program, i));
      variableIndex.set(variable.name, i);
    });
    const all = policy.variables.length;
    const keys: Keys = {
      conditions: policy.matchConditions.map((c) => keyOf(c.expression.program, 0)),
      variables: variableKeys,
      validations: policy.validations.map((v) => keyOf(v.expression.program, all)),
      messages: policy.validations.map((v) => (v.messageExpression === undefined ? null : keyOf(v.messageExpression.program, all))),
      annotations: policy.auditAnnotations.map((a) => keyOf(a.valueExpression.program, all)),
    };
    keysByPolicy.set(policy, keys);
    const times = Math.max(1, evaluationsPerRequest(policy));
    for (const list of [keys.conditions, keys.variables, keys.validations, keys.messages, keys.annotations]) {
      for (const key of list) if (key !== null) uses.set(key, (uses.get(key) ?? 0) + times);
    }
  }

  const slotOf = new Map<string, number>();
  const slot = (key: string | null): number => {
    if (key === null || (uses.get(key) ?? 0) < 2) return -1;
    let found = slotOf.get(key);
    if (found === undefined) slotOf.set(key, (found = slotOf.size));
    return found;
  };
  const slots = new Map<CompiledPolicy, ExpressionSlots>();
  for (const [policy, keys] of keysByPolicy) {
    slots.set(policy, {
      conditions: keys.conditions.map(slot),
      variables: keys.variables.map(slot),
      validations: keys.validations.map(slot),
      messages: keys.messages.map(slot),
      annotations: keys.annotations.map(slot),
    });
  }
  return { slots, count: slotOf.size };
}
