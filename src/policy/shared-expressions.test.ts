// Sharing expression results between the policies of a set: which expressions may share (same
// program, variables defined alike, no params), and that sharing changes nothing a user can see —
// the same violations, messages, results and annotations, and the same cost-limit failures at the
// same places, on generated policy sets over generated objects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../core/index.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { compileExpression, evaluate } from './cel/index.ts';
import { compilePolicySet } from './compile.ts';
import { evaluatePolicySet, type PolicyEvaluation, type PolicyEvaluationOptions } from './evaluate.ts';
import type { PolicySet } from './model.ts';
import { sharedExpressions } from './shared-expressions.ts';

interface PolicySpec {
  name: string;
  variables: readonly [string, string][];
  validations: readonly { expression: string; messageExpression?: string }[];
  matchCondition?: string;
  params?: boolean;
}

function policyYaml(spec: PolicySpec): string {
  const q = (text: string): string => JSON.stringify(text);
  let yaml = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${spec.name}
spec:
${spec.params ? '  paramKind: {apiVersion: v1, kind: ConfigMap}\n' : ''}  matchConstraints:
    resourceRules:
      - {apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}
`;
  if (spec.matchCondition !== undefined) yaml += `  matchConditions:\n    - {name: c, expression: ${q(spec.matchCondition)}}\n`;
  if (spec.variables.length > 0) yaml += `  variables:\n${spec.variables.map(([name, expression]) => `    - {name: ${name}, expression: ${q(expression)}}\n`).join('')}`;
  yaml += `  validations:\n${spec.validations
    .map((v) => `    - {expression: ${q(v.expression)}${v.messageExpression === undefined ? '' : `, messageExpression: ${q(v.messageExpression)}`}}\n`)
    .join('')}---\n`;
  return yaml;
}

function compile(specs: readonly PolicySpec[], extra = ''): PolicySet {
  const compiled = compilePolicySet(objectsFromYaml(specs.map(policyYaml).join('') + extra, 'policies.yaml'));
  assert.deepEqual(
    compiled.diagnostics.filter((d) => d.level === 'error').map((d) => d.message),
    [],
  );
  return compiled.set;
}

function slotsOf(set: PolicySet) {
  const { slots } = sharedExpressions(set.policies, () => 1);
  return (name: string) => slots.get(set.policies.find((p) => p.name === name)!)!;
}

describe('which expressions share', () => {
  it('the same check in two policies shares; over variables defined differently it does not', () => {
    const set = compile([
      { name: 'a', variables: [['v', 'object.metadata.labels']], validations: [{ expression: 'size(variables.v) > 0' }, { expression: "object.metadata.name != ''" }] },
      { name: 'b', variables: [['v', 'object.metadata.labels']], validations: [{ expression: 'size(variables.v) > 0' }, { expression: "object.metadata.name != ''" }] },
      { name: 'c', variables: [['v', 'object.spec.template.spec.containers']], validations: [{ expression: 'size(variables.v) > 0' }] },
    ]);
    const slots = slotsOf(set);
    assert.ok(slots('a').validations[0]! >= 0);
    assert.equal(slots('a').validations[0], slots('b').validations[0]);
    assert.equal(slots('a').validations[1], slots('b').validations[1]);
    assert.equal(slots('a').variables[0], slots('b').variables[0]);
    // c's validation reads a variable of another definition, used only once in the set.
    assert.equal(slots('c').validations[0], -1);
    assert.equal(slots('c').variables[0], -1);
  });

  it('nothing that reads params shares, directly or through a variable', () => {
    const set = compile([
      { name: 'a', params: true, variables: [['p', 'params.data'], ['o', 'object.metadata']], validations: [{ expression: 'has(variables.p.x)' }, { expression: "has(variables.o.name)" }] },
      { name: 'b', params: true, variables: [['p', 'params.data'], ['o', 'object.metadata']], validations: [{ expression: 'has(variables.p.x)' }, { expression: "has(variables.o.name)" }] },
    ]);
    const slots = slotsOf(set);
    assert.equal(slots('a').variables[0], -1);
    assert.equal(slots('a').validations[0], -1);
    assert.ok(slots('a').validations[1]! >= 0);
    assert.equal(slots('a').validations[1], slots('b').validations[1]);
  });

  it('an expression that uses `variables` as a whole depends on every variable', () => {
    const set = compile([
      { name: 'a', variables: [['first', "'1'"], ['second', "'2'"]], validations: [{ expression: 'size(variables) == 2' }] },
      { name: 'b', variables: [['first', "'1'"], ['second', "'3'"]], validations: [{ expression: 'size(variables) == 2' }] },
      { name: 'c', variables: [['first', "'1'"], ['second', "'3'"]], validations: [{ expression: 'size(variables) == 2' }] },
    ]);
    const slots = slotsOf(set);
    assert.notEqual(slots('a').validations[0], slots('b').validations[0]);
    assert.equal(slots('b').validations[0], slots('c').validations[0]);
  });
});

// Building blocks of generated policies: variables `a` and `b` (b may read a), checks and messages
// over them, so that generated sets repeat some definitions and vary others.
const VARIABLE_A = [
  'object.spec.template.spec.containers',
  'object.spec.template.spec.containers.map(c, c.name)',
  "['app', 'team', 'owner'].filter(l, !has(object.metadata.labels) || !(l in object.metadata.labels))",
  'object.spec.template.spec.containers.filter(c, c.image.endsWith(":latest"))',
];
const VARIABLE_B = [
  'has(object.spec.replicas) ? object.spec.replicas : 0',
  'size(variables.a)',
  'variables.a.size() + (has(object.spec.replicas) ? object.spec.replicas : 0)',
  'object.spec.template.spec.containers.all(c, c.name.size() < 4)',
];
const CHECKS = [
  'size(variables.a) < 2',
  'variables.b == 0 || variables.b > 2',
  "object.metadata.name.startsWith('w')",
  'variables.a.all(x, string(x) != "bad")',
  'object.spec.template.spec.containers.all(c, c.image.contains(":") && !c.image.endsWith(":latest"))',
  'variables.b',
  "object.spec.template.spec.containers.exists(c, c.name == 'side') || variables.b == 1",
];
const MESSAGES = ["'b is ' + string(variables.b)", "'name ' + object.metadata.name", "'a has ' + string(size(variables.a))"];
const CONDITIONS = ["object.metadata.name != 'skip'", 'has(object.spec.replicas)', 'object.spec.replicas > 1'];

const policySpecs = fc
  .array(
    fc.record({
      a: fc.constantFrom(...VARIABLE_A),
      b: fc.constantFrom(...VARIABLE_B),
      checks: fc.array(fc.record({ expression: fc.constantFrom(...CHECKS), message: fc.option(fc.constantFrom(...MESSAGES), { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
      condition: fc.option(fc.constantFrom(...CONDITIONS), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((policies) =>
    policies.map(
      (p, i): PolicySpec => ({
        name: `p${i}`,
        variables: [
          ['a', p.a],
          ['b', p.b],
        ],
        validations: p.checks.map((c) => ({ expression: c.expression, messageExpression: c.message })),
        matchCondition: p.condition,
      }),
    ),
  );

const deployments = fc.array(
  fc.record({
    name: fc.constantFrom('web', 'worker', 'skip', 'api'),
    replicas: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    labels: fc.option(fc.subarray(['app', 'team', 'owner']), { nil: undefined }),
    containers: fc.array(fc.record({ name: fc.constantFrom('app', 'side', 'init', 'bad'), image: fc.constantFrom('nginx:1.25', 'busybox:latest', 'registry/app', 'x@sha256:ab') }), {
      minLength: 0,
      maxLength: 3,
    }),
  }),
  { minLength: 1, maxLength: 4 },
);

type GeneratedDeployments = typeof deployments extends fc.Arbitrary<infer T> ? T : never;

function kubeObjects(specs: GeneratedDeployments): KubeObject[] {
  return specs.map((d, i) => {
    const raw: Record<string, unknown> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${d.name}-${i}`, namespace: 'shop', ...(d.labels === undefined ? {} : { labels: Object.fromEntries(d.labels.map((l) => [l, 'x'])) }) },
      spec: { ...(d.replicas === undefined ? {} : { replicas: d.replicas }), template: { spec: { containers: d.containers } } },
    };
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: `${d.name}-${i}`,
      raw,
      source: { file: 'gen.yaml', document: i, line: 1, column: 1 },
      positions: { locate: () => ({ line: 1, column: 1 }) },
    };
  });
}

function visible(evaluation: PolicyEvaluation): unknown {
  return {
    violations: evaluation.violations.map((v) => [v.object.name, v.policy, v.validationIndex, v.kind, v.message]),
    results: evaluation.results.map((r) => [r.object.name, r.policy, r.outcome, r.messages]),
    annotations: evaluation.auditAnnotations.map((a) => [a.object.name, a.key, a.value]),
    evaluations: evaluation.evaluations,
  };
}

describe('sharing results changes nothing visible', () => {
  it('on generated policy sets and objects, with and without tight cost limits', () => {
    fc.assert(
      fc.property(
        policySpecs,
        deployments,
        fc.option(fc.record({ costLimit: fc.integer({ min: 1, max: 60 }), runtimeBudget: fc.integer({ min: 1, max: 150 }) }), { nil: undefined }),
        (specs, objects, limits) => {
          const set = compile(specs);
          const targets = kubeObjects(objects);
          const options: PolicyEvaluationOptions = { collectResults: true, timeLimitMs: 5_000, ...limits };
          const shared = evaluatePolicySet(set, targets, options);
          const alone = evaluatePolicySet(set, targets, { ...options, shareResults: false });
          assert.deepEqual(visible(shared), visible(alone));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('a reused result is charged: a policy whose budget cannot pay for it fails as if it had evaluated it', () => {
    const CHEAP = "!object.spec.template.spec.containers.exists(c, c.name == 'none')";
    const heavy = 'object.spec.template.spec.containers.all(c, object.spec.template.spec.containers.all(d, c.name != "" && d.name != ""))';
    const set = compile([
      { name: 'a', variables: [], validations: [{ expression: heavy }] },
      { name: 'b', variables: [], validations: [{ expression: CHEAP }, { expression: heavy }] },
    ]);
    const containers = Array.from({ length: 6 }, (_, i) => ({ name: i % 2 === 0 ? ('app' as const) : ('side' as const), image: 'nginx:1.25' as const }));
    const targets = kubeObjects([{ name: 'web', replicas: 1, labels: undefined, containers }]);
    const activation = { object: targets[0]!.raw };
    const heavyCost = evaluate(compileExpression(heavy, ['object']), activation).cost;
    const nameCost = evaluate(compileExpression(CHEAP, ['object']), activation).cost;
    assert.ok(nameCost > 0 && heavyCost > nameCost);
    // Enough for `heavy` alone, not for the cheap check and `heavy` together.
    const runtimeBudget = heavyCost + Math.floor(nameCost / 2);
    const alone = evaluatePolicySet(set, targets, { shareResults: false, runtimeBudget, collectResults: true });
    const shared = evaluatePolicySet(set, targets, { runtimeBudget, collectResults: true });
    assert.deepEqual(visible(shared), visible(alone));
    assert.deepEqual(
      alone.results.map((r) => r.outcome),
      ['pass', 'error'],
    );
  });
});
