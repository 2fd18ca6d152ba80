// Compiling ValidatingAdmissionPolicies and bindings: what is accepted, defaults, and every problem
// reported as a diagnostic naming the object, the field and the position inside the expression.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../core/index.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { compilePolicySet } from './compile.ts';

function compile(text: string) {
  return compilePolicySet(objectsFromYaml(text, 'policies.yaml'));
}

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: demo
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
`;

describe('compilePolicySet', () => {
  it('compiles a policy with defaults: failurePolicy Fail, matchPolicy Equivalent, reason Invalid, severity medium', () => {
    const { set, diagnostics } = compile(POLICY);
    assert.deepEqual(diagnostics, []);
    const [policy] = set.policies;
    assert.equal(policy?.name, 'demo');
    assert.equal(policy?.failurePolicy, 'Fail');
    assert.equal(policy?.match.matchPolicy, 'Equivalent');
    assert.equal(policy?.match.resourceRules[0]?.scope, '*');
    assert.equal(policy?.validations[0]?.reason, 'Invalid');
    assert.equal(policy?.severity, 'medium');
    assert.equal(policy?.area, 'deploy');
  });

  it('names the policy, the validation index and the position in the expression on a compile error', () => {
    const { set, diagnostics } = compile(`${POLICY}    - expression: |
        object.spec.replicas > 0 &&
          objec.metadata.name != ''
`);
    assert.equal(set.policies.length, 0, 'a policy with an error is left out');
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d?.level, 'error');
    assert.equal(d?.code, 'E_PARSE');
    assert.equal(d?.message, `ValidatingAdmissionPolicy "demo": spec.validations[1].expression: 2:3: undeclared reference to 'objec' (in container '')`);
    assert.deepEqual([d?.location.file, d?.location.line], ['policies.yaml', 14]);
  });

  it('declares params only with a paramKind, and variables only to later expressions', () => {
    const noParams = compile(POLICY.replace('object.spec.replicas <= 5', 'object.spec.replicas <= params.max'));
    assert.match(noParams.diagnostics[0]?.message ?? '', /spec.validations\[0\].expression: 1:25: undeclared reference to 'params'/);
    const variables = compile(`${POLICY}  variables:
    - name: a
      expression: "variables.b"
    - name: b
      expression: "1"
`);
    assert.match(variables.diagnostics[0]?.message ?? '', /spec.variables\[0\].expression: 1:10: undefined field 'b'/);
    const conditions = compile(`${POLICY}  variables:
    - name: v
      expression: "1"
  matchConditions:
    - name: uses-variable
      expression: "variables.v == 1"
`);
    assert.match(conditions.diagnostics[0]?.message ?? '', /spec.matchConditions\[0\].expression: 1:1: undeclared reference to 'variables'/);
  });

  it('reports structural problems with their field', () => {
    const cases: [string, RegExp][] = [
      [POLICY.replace('  matchConstraints:\n', '  notMatch:\n'), /spec.matchConstraints: is required/],
      [POLICY.replace('operations: ["CREATE"]', 'operations: ["CREATE", "PATCH"]'), /operations\[1\]: must be CREATE, UPDATE, DELETE, CONNECT or \*/],
      [POLICY.replace('        resources: ["deployments"]\n', ''), /resources: must name at least one resource/],
      [`${POLICY}      reason: Nope\n`, /spec.validations\[0\].reason: must be one of/],
      [`${POLICY}      fieldPath: "spec.containers[x]"\n`, /fieldPath: is not a valid field path/],
      [`${POLICY}      message: "two\\nlines"\n`, /message: must not contain line breaks/],
      [`${POLICY}  failurePolicy: Sometimes\n`, /failurePolicy: must be one of Fail, Ignore/],
      [POLICY.replace('  validations:\n    - expression: "object.spec.replicas <= 5"\n', ''), /at least one validation or audit annotation/],
      [
        POLICY.replace('  matchConstraints:\n', '  matchConstraints:\n    namespaceSelector:\n      matchExpressions: [{key: a, operator: In}]\n'),
        /namespaceSelector.matchExpressions\[0\].values: values must be non-empty when operator is In/,
      ],
    ];
    for (const [text, expected] of cases) {
      const { set, diagnostics } = compile(text);
      assert.equal(set.policies.length, 0, String(expected));
      assert.match(diagnostics.map((d) => d.message).join('\n'), expected);
    }
  });

  it('reads the bulwark.dev annotations, warning about bad values', () => {
    const annotated = POLICY.replace(
      'metadata:\n  name: demo\n',
      'metadata:\n  name: demo\n  annotations:\n    bulwark.dev/severity: high\n    bulwark.dev/area: compute\n    bulwark.dev/title: Too many replicas\n',
    );
    const { set } = compile(annotated);
    assert.deepEqual([set.policies[0]?.severity, set.policies[0]?.area, set.policies[0]?.title], ['high', 'compute', 'Too many replicas']);
    const bad = compile(annotated.replace('severity: high', 'severity: severe'));
    assert.equal(bad.set.policies[0]?.severity, 'medium');
    assert.match(bad.diagnostics[0]?.message ?? '', /bulwark.dev\/severity.*must be info, low, medium, high or critical/);
    assert.equal(bad.diagnostics[0]?.level, 'warning');
  });

  it('validates bindings', () => {
    const binding = (spec: string) =>
      compile(`${POLICY}---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: demo-binding
spec:
${spec}`);
    const good = binding('  policyName: demo\n  validationActions: [Warn, Audit]\n');
    assert.deepEqual(good.diagnostics, []);
    assert.deepEqual(good.set.bindings[0]?.actions, ['Warn', 'Audit']);
    assert.match(binding('  policyName: demo\n  validationActions: [Deny, Warn]\n').diagnostics[0]?.message ?? '', /must not contain both Deny and Warn/);
    assert.match(binding('  policyName: demo\n').diagnostics[0]?.message ?? '', /validationActions: must name at least one of Deny, Warn, Audit/);
    assert.match(
      binding('  policyName: demo\n  validationActions: [Deny]\n  paramRef: {name: a, selector: {}}\n').diagnostics[0]?.message ?? '',
      /name and selector are mutually exclusive/,
    );
    const orphan = binding('  policyName: other\n  validationActions: [Deny]\n');
    assert.equal(orphan.diagnostics[0]?.level, 'warning');
    assert.match(orphan.diagnostics[0]?.message ?? '', /binds policy "other", which is not among the policies given/);
  });

  it('keeps other objects as resources and refuses duplicate names', () => {
    const { set, diagnostics } = compile(`${POLICY}---\n${POLICY}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: params}\n`);
    assert.equal(set.policies.length, 1);
    assert.equal(set.resources.length, 1);
    assert.match(diagnostics[0]?.message ?? '', /already defined/);
  });

  it('never throws on arbitrary policy-shaped objects (fuzzed)', () => {
    const keys = ['spec', 'matchConstraints', 'resourceRules', 'apiGroups', 'apiVersions', 'resources', 'operations', 'validations', 'expression',
      'message', 'messageExpression', 'fieldPath', 'reason', 'variables', 'name', 'matchConditions', 'paramKind', 'kind', 'apiVersion',
      'namespaceSelector', 'objectSelector', 'matchLabels', 'matchExpressions', 'key', 'operator', 'values', 'failurePolicy', 'auditAnnotations',
      'valueExpression', 'policyName', 'validationActions', 'paramRef', 'selector', 'parameterNotFoundAction', 'matchResources', 'scope'];
    const scalar = fc.oneof(
      fc.constantFrom('*', 'apps', 'v1', 'CREATE', 'deployments', 'Fail', 'Ignore', 'Deny', 'In', 'Exists', 'object.spec', 'true', '1 +', "object.x == 'a'", '', 'demo'),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...keys), tie('tree'), { maxKeys: 5 })),
    }));
    const kinds = fc.constantFrom('ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding');
    fc.assert(
      fc.property(kinds, fc.dictionary(fc.constantFrom(...keys), tree, { maxKeys: 6 }), fc.oneof(fc.constant('demo'), fc.string({ maxLength: 5 })), (kind, spec, name) => {
        const raw = { ...spec, apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name } };
        const object: KubeObject = {
          apiVersion: raw.apiVersion,
          kind,
          namespace: null,
          name,
          raw,
          source: { file: 'fuzz.yaml', document: 0, line: 1, column: 1 },
          positions: { locate: () => ({ line: 1, column: 1 }) },
        };
        const { diagnostics } = compilePolicySet([object]);
        for (const d of diagnostics) assert.ok(d.message.length > 0 && d.location.file === 'fuzz.yaml');
      }),
      { numRuns: 1500 },
    );
  });
});
