// Secrets checks never print a secret: whatever the value, the finding names the key, the kind and
// the length only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../../core/index.ts';
import { runChecks } from '../../engine/run.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import type { ScanSettings } from '../check.ts';
import { storageChecks } from './index.ts';

const settings: ScanSettings = { pss: { level: 'restricted', version: 'latest' } };

function findings(yaml: string): Finding[] {
  return runChecks(objectsFromYaml(yaml), storageChecks, { settings }).findings;
}

describe('secrets checks', () => {
  it('never show any part of a value they report', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9!#%&*+,.:;=?@^_~-]{11,40}$/);
    fc.assert(
      fc.property(secret, (value) => {
        const quoted = JSON.stringify(value);
        const reported = [
          ...findings(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    env: [{name: DB_PASSWORD, value: ${quoted}}]
`),
          ...findings(`apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  config.ini: ${JSON.stringify(`[db]\npassword = ${value}\n`)}
`),
          ...findings(`apiVersion: v1
kind: Secret
metadata: {name: app}
stringData:
  password: ${quoted}
`),
        ];
        if (value.includes('$') || value.includes('{')) return; // may read as a reference: nothing to report
        assert.equal(reported.length, 3, `${value}: ${reported.map((f) => f.control).join(',')}`);
        for (const finding of reported) {
          assert.ok(!finding.message.includes(value), finding.message);
          assert.ok(!finding.message.includes(value.slice(0, 6)), finding.message);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('report high-confidence tokens under any name, with kind and length', () => {
    const [finding] = findings(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    env: [{name: GH, value: "ghp_${'a1B2'.repeat(9)}"}]
`);
    assert.equal(finding?.control, 'secret-in-env');
    assert.equal(finding?.message, 'env "GH" of container "app" holds a GitHub token (40 characters)');
  });

  it('leave Secrets read from a cluster to the cluster', () => {
    assert.deepEqual(
      findings(`apiVersion: v1
kind: Secret
metadata: {name: app, uid: 1f0b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d}
data: {password: cGFzc3dvcmQtdmFsdWU=}
`),
      [],
    );
  });

  it('never show a value found on a command line or in binaryData', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9!#%&*+,.:;=?@^_~-]{11,40}$/);
    fc.assert(
      fc.property(secret, (value) => {
        const reported = [
          ...findings(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    args: [--db-password, ${JSON.stringify(value)}]
`),
          ...findings(`apiVersion: v1
kind: ConfigMap
metadata: {name: app}
binaryData:
  config.ini: ${Buffer.from(`[db]\npassword = ${value}\n`).toString('base64')}
`),
        ];
        if (value.includes('$') || value.includes('{')) return;
        assert.deepEqual(reported.map((f) => f.control).sort(), ['secret-in-args', 'secret-in-configmap']);
        for (const finding of reported) {
          assert.ok(!finding.message.includes(value.slice(0, 6)), finding.message);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('point at the argument and name the flag, the kind and the length', () => {
    const [finding] = findings(`apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    command: [app]
    args: [serve, --api-key, "abcd1234efgh"]
`);
    assert.equal(finding?.location.path, 'spec.containers[0].args[2]');
    assert.equal(finding?.message, 'args[2] of container "app" holds a literal key for "--api-key" (12 characters)');
  });
});
