import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { pssChecksFor } from '../pss/catalog.ts';
import type { SetCheck } from '../checks/check.ts';
import { createObjectSet } from './object-set.ts';
import { compareFindings, runChecks, runSetChecks } from './run.ts';

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

describe('runSetChecks', () => {
  // A check that relates objects: a Service whose selector matches no Pod in the set.
  const orphanService: SetCheck = {
    id: 'test-orphan-service',
    title: 'Service selects no pod',
    area: 'network',
    severity: 'low',
    frameworks: {},
    description: 'test',
    remediation: 'test',
    kinds: ['Service', 'Pod'],
    fixtures: { pass: [], fail: [] },
    *evaluateSet(set) {
      const pods = set.ofKind('Pod');
      for (const service of set.ofKind('Service')) {
        const selector = (service.raw.spec as { selector?: Record<string, string> }).selector ?? {};
        const selects = pods.some((pod) => {
          const labels = ((pod.raw.metadata as { labels?: Record<string, string> }).labels ?? {});
          return pod.namespace === service.namespace && Object.entries(selector).every(([k, v]) => labels[k] === v);
        });
        if (!selects) yield { object: service, path: ['spec', 'selector'], message: `Service "${service.name}" selects no pod` };
      }
    },
  };
  const text = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec:
  selector: {app: web}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: x}
spec:
  selector: {app: api}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
`;

  it('reports on the object the violation names, at its field, and applies suppression', () => {
    const set = createObjectSet(objectsFromYaml(text, 'set.yaml'));
    assert.equal(set.ofKind('Service').length, 2);
    assert.equal(set.find('Pod', 'x', 'web-1')?.name, 'web-1');
    assert.equal(set.find('Pod', null, 'web-1'), undefined);
    assert.equal(set.pods(set.find('Pod', 'x', 'web-1')!).length, 1);
    const { findings } = runSetChecks(set, [orphanService], { settings });
    assert.deepEqual(
      findings.map((f) => [f.object.name, f.location.line, f.location.path, f.message]),
      [['api', 11, 'spec.selector', 'Service "api" selects no pod']],
    );
    const hidden = runSetChecks(set, [orphanService], { settings, suppress: (object) => object.name === 'api' });
    assert.deepEqual([hidden.findings.length, hidden.suppressed], [0, 1]);
  });
});
