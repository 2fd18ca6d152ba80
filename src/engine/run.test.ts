import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { pssChecksFor } from '../pss/catalog.ts';
import { compareFindings, runChecks } from './run.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

const pods = `apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x}
spec:
  hostNetwork: true
  containers:
  - name: c
    image: i
    securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: i
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

describe('runChecks', () => {
  const objects = objectsFromYaml(pods, 'pods.yaml');

  it('reports each offending field with its position and path, in file order', () => {
    const { findings } = runChecks(objects, pssChecksFor('restricted'), { settings });
    const privileged = findings.find((f) => f.control === 'pss-privileged');
    assert.ok(privileged);
    assert.deepEqual(privileged.location, { file: 'pods.yaml', line: 9, column: 23, path: 'spec.containers[0].securityContext.privileged' });
    assert.deepEqual(privileged.object, { apiVersion: 'v1', kind: 'Pod', namespace: 'x', name: 'b' });
    assert.deepEqual([...findings].sort(compareFindings), findings);
    assert.ok(findings.every((f) => f.object.name === 'b'), 'the hardened pod has no finding');
  });

  it('applies adjustments before suppression and counts what it suppressed', () => {
    const result = runChecks(objects, pssChecksFor('restricted'), {
      settings,
      adjust: (finding) => (finding.control === 'pss-privileged' ? { ...finding, severity: 'critical' } : finding),
      suppress: (_object, finding) => finding.severity !== 'critical',
    });
    assert.deepEqual(result.findings.map((f) => f.control), ['pss-privileged']);
    assert.ok(result.suppressed > 0);
  });

  it('is deterministic whatever the input order', () => {
    const forward = runChecks(objects, pssChecksFor('restricted'), { settings }).findings;
    const backward = runChecks([...objects].reverse(), pssChecksFor('restricted'), { settings }).findings;
    assert.deepEqual(backward, forward);
  });
});
