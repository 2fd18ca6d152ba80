import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../core/index.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { compilePolicySet, evaluatePolicySet } from '../policy/index.ts';
import { pssChecksFor } from '../pss/index.ts';
import { podSecurityBaselinePolicy, VAP_CHECK_IDS } from './vap.ts';

function asObject(raw: Record<string, unknown>, index: number): KubeObject {
  return { apiVersion: raw['apiVersion'] as string, kind: raw['kind'] as string, namespace: null, name: (raw['metadata'] as { name: string }).name, raw, source: { file: 'vap.yaml', document: index, line: 1, column: 1 }, positions: { locate: () => ({ line: 1, column: 1 }) } };
}

describe('podSecurityBaselinePolicy', () => {
  const compiled = compilePolicySet(podSecurityBaselinePolicy(['kube-system']).map(asObject));

  it('compiles without diagnostics', () => {
    assert.deepEqual(compiled.diagnostics.filter((diagnostic) => diagnostic.level === 'error'), []);
    assert.equal(compiled.set.policies.length, 1);
  });

  it('covers every baseline check', () => {
    assert.deepEqual([...VAP_CHECK_IDS].sort(), pssChecksFor('baseline').map((check) => check.id).sort());
  });

  for (const check of pssChecksFor('baseline')) {
    it(`${check.id}: refuses its failing fixtures and admits its passing ones`, () => {
      const ownViolations = (yaml: string) => {
        const objects = objectsFromYaml(yaml, `${check.id}.yaml`);
        const evaluation = evaluatePolicySet(compiled.set, objects);
        assert.deepEqual(evaluation.violations.filter((violation) => violation.kind === 'error').map((violation) => violation.message), []);
        return evaluation.violations.filter((violation) => violation.message.startsWith(`[${check.id}]`));
      };
      for (const yaml of check.fixtures?.fail ?? []) assert.ok(ownViolations(yaml).length > 0, `expected a violation for\n${yaml}`);
      for (const yaml of check.fixtures?.pass ?? []) assert.deepEqual(ownViolations(yaml).map((violation) => violation.message), [], yaml);
    });
  }
});
