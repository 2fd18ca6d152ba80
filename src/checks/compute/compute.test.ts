// Behaviour of the compute checks beyond their fixtures: what the pod sets for every container is
// reported once at the pod's field, never per container; opt-in and level-bound checks keep to their
// settings; init and ephemeral containers are not forgotten.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../core/index.ts';
import { runChecks } from '../../engine/run.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import type { Check, ScanSettings } from '../check.ts';
import { computeChecks } from './index.ts';
import { fixtureSettings } from './workload.ts';

const restricted: ScanSettings = { pss: { level: 'restricted', version: 'latest' } };

function check(id: string): Check {
  const found = computeChecks.find((each) => each.id === id);
  assert.ok(found, id);
  return found;
}

function run(id: string, yaml: string, settings: ScanSettings = restricted): Finding[] {
  return runChecks(objectsFromYaml(yaml), [check(id)], { settings }).findings;
}

const where = (findings: Finding[]) => findings.map((finding) => finding.location.path);

describe('compute checks', () => {
  it('report a pod-level user ID once, at the pod, for the containers that inherit it', () => {
    const findings = run(
      'run-as-low-id',
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 1000}
  initContainers:
  - {name: init, image: init}
  containers:
  - {name: a, image: a}
  - name: b
    image: b
    securityContext: {runAsUser: 20000}
`,
    );
    assert.deepEqual(where(findings), ['spec.securityContext.runAsUser']);
    assert.match(findings[0]!.message, /init container "init", container "a"\)/);
    assert.doesNotMatch(findings[0]!.message, /container "b"/);
  });

  it('never report a container for a field the pod sets for it', () => {
    assert.deepEqual(
      run(
        'run-as-low-id',
        `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 10001, runAsGroup: 10001}
  containers:
  - {name: a, image: a}
`,
      ),
      [],
    );
  });

  it('check ephemeral containers too', () => {
    const findings = run(
      'read-only-root-filesystem',
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    securityContext: {readOnlyRootFilesystem: true}
  ephemeralContainers:
  - {name: debug, image: busybox}
`,
      fixtureSettings({ enabled: ['read-only-root-filesystem'] }),
    );
    assert.deepEqual(where(findings), ['spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem']);
    assert.match(findings[0]!.message, /ephemeral container "debug"/);
  });

  it('report NET_RAW only where the restricted level does not already require dropping ALL', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: app, image: app}
`;
    assert.deepEqual(run('net-raw-capability', pod), []);
    assert.equal(run('net-raw-capability', pod, { pss: { level: 'restricted', version: 'v1.21' } }).length, 1);
    assert.equal(run('net-raw-capability', pod, { pss: { level: 'baseline', version: 'latest' } }).length, 1);
  });

  it('keep opt-in advisories silent until enabled', () => {
    const pod = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: web}
`;
    for (const id of ['liveness-probe-missing', 'readiness-probe-missing', 'cpu-limit-missing', 'ephemeral-storage-limit-missing', 'read-only-root-filesystem']) {
      assert.equal(check(id).optIn, true, id);
      assert.deepEqual(run(id, pod), [], `${id} off by default`);
      assert.equal(run(id, pod, fixtureSettings({ enabled: [id] })).length, 1, `${id} when enabled`);
    }
  });

  it('point a writable mount at the mount entry, in every kind of container', () => {
    const findings = run(
      'writable-host-path',
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    volumeMounts: [{name: host, mountPath: /h, readOnly: true}]
  ephemeralContainers:
  - name: debug
    image: busybox
    volumeMounts: [{name: host, mountPath: /h}]
  volumes:
  - {name: host, hostPath: {path: /var/data}}
`,
    );
    assert.deepEqual(where(findings), ['spec.ephemeralContainers[0].volumeMounts[0]']);
  });

  it('read the deprecated serviceAccount field as the account name', () => {
    const yaml = (account: string) => `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  serviceAccount: ${account}
  containers:
  - {name: app, image: app}
`;
    assert.deepEqual(run('default-service-account', yaml('builder')), []);
    assert.equal(run('default-service-account', yaml('default')).length, 1);
  });

  it('compare resource bounds as quantities, not as text', () => {
    const settings = fixtureSettings({ resources: { cpu: { limitMax: '1500m' }, memory: { limitMax: '1Gi' } } });
    const pod = (cpu: string, memory: string) => `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    resources: {limits: {cpu: "${cpu}", memory: "${memory}"}}
`;
    assert.deepEqual(run('resource-out-of-range', pod('1.5', '1073741824'), settings), []);
    assert.deepEqual(where(run('resource-out-of-range', pod('1501m', '1Gi'), settings)), ['spec.containers[0].resources.limits.cpu']);
    assert.deepEqual(where(run('resource-out-of-range', pod('1', '1025Mi'), settings)), ['spec.containers[0].resources.limits.memory']);
  });
});
