// The policy set as cross-object checks of the scan engine: one control per policy, one evaluation
// per object set, findings through the engine's own path (severity, suppression).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createObjectSet } from '../engine/object-set.ts';
import { runSetChecks } from '../engine/run.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { parsePssVersion } from '../pss/version.ts';
import { compilePolicySet } from './compile.ts';
import { ALL_KINDS, policySetChecks } from './set-checks.ts';

const POLICIES = ['a', 'b']
  .map(
    (name) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}, annotations: {bulwark.dev/severity: ${name === 'a' ? 'high' : 'low'}}}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
    - {expression: "object.spec.replicas < 2", message: "${name}: too many", fieldPath: spec.replicas}
---
`,
  )
  .join('');

describe('policySetChecks', () => {
  it('is one set check per policy, reading every kind, evaluated once per object set', () => {
    const { set } = compilePolicySet(objectsFromYaml(POLICIES));
    const checks = policySetChecks(set);
    assert.deepEqual(checks.map((c) => [c.id, c.severity, c.kinds]), [
      ['policy/a', 'high', [ALL_KINDS]],
      ['policy/b', 'low', [ALL_KINDS]],
    ]);
    const objects = createObjectSet(objectsFromYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 3}\n', 'app.yaml'));
    const settings = { pss: { level: 'restricted' as const, version: parsePssVersion('latest') }, options: {} } as Parameters<typeof runSetChecks>[2]['settings'];
    const { findings } = runSetChecks(objects, checks, { settings });
    assert.deepEqual(
      findings.map((f) => [f.control, f.severity, f.location.path, f.location.line, f.message]),
      [
        ['policy/a', 'high', 'spec.replicas', 4, 'a: too many'],
        ['policy/b', 'low', 'spec.replicas', 4, 'b: too many'],
      ],
    );
    const suppressed = runSetChecks(objects, checks, { settings, suppress: (_, f) => f.control === 'policy/a' });
    assert.equal(suppressed.suppressed, 1);
  });

  it('reports a repeated violation once: two bindings, or two validations with one message and path', () => {
    const twice = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: c}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
    - {expression: "object.spec.replicas < 2", message: "too many", fieldPath: spec.replicas}
    - {expression: "object.spec.replicas < 3", message: "too many", fieldPath: spec.replicas}
---
${['x', 'y'].map((name) => `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: ${name}}\nspec: {policyName: a, validationActions: [Deny]}\n---\n`).join('')}`;
    const { set } = compilePolicySet(objectsFromYaml(POLICIES + twice));
    const objects = createObjectSet(objectsFromYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 3}\n', 'app.yaml'));
    const settings = { pss: { level: 'restricted' as const, version: parsePssVersion('latest') }, options: {} } as Parameters<typeof runSetChecks>[2]['settings'];
    const { findings } = runSetChecks(objects, policySetChecks(set), { settings });
    assert.deepEqual(
      findings.map((f) => [f.control, f.message]),
      [
        ['policy/a', 'a: too many'],
        ['policy/b', 'b: too many'],
        ['policy/c', 'too many'],
      ],
    );
  });
});
