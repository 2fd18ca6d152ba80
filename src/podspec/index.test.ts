import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { podViews, WORKLOAD_KINDS, type PodView } from './index.ts';

const podSpec = (name: string): Record<string, unknown> => ({
  initContainers: [{ name: `${name}-init`, image: 'i' }],
  containers: [
    { name: `${name}-a`, image: 'a' },
    { name: `${name}-b`, image: 'b' },
  ],
  ephemeralContainers: [{ name: `${name}-debug`, image: 'd' }],
});
const template = (name: string) => ({ metadata: { labels: { app: name } }, spec: podSpec(name) });

const KINDS: { apiVersion: string; kind: string; object: Record<string, unknown>; spec: string[]; metadata: string[] }[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    object: { metadata: { name: 'p', labels: { app: 'p' } }, spec: podSpec('p') },
    spec: ['spec'],
    metadata: ['metadata'],
  },
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({
    apiVersion: 'apps/v1',
    kind,
    object: { spec: { template: template('w') } },
    spec: ['spec', 'template', 'spec'],
    metadata: ['spec', 'template', 'metadata'],
  })),
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    object: { spec: { template: template('j') } },
    spec: ['spec', 'template', 'spec'],
    metadata: ['spec', 'template', 'metadata'],
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    object: { spec: { schedule: '@daily', jobTemplate: { spec: { template: template('c') } } } },
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
  },
  {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    object: { spec: { template: template('r') } },
    spec: ['spec', 'template', 'spec'],
    metadata: ['spec', 'template', 'metadata'],
  },
  {
    apiVersion: 'v1',
    kind: 'PodTemplate',
    object: { template: template('t') },
    spec: ['template', 'spec'],
    metadata: ['template', 'metadata'],
  },
  {
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    object: { spec: { template: template('x') } },
    spec: ['spec', 'template', 'spec'],
    metadata: ['spec', 'template', 'metadata'],
  },
];

function onlyView(raw: Record<string, unknown>): PodView {
  const views = podViews(raw);
  assert.equal(views.length, 1);
  return views[0]!;
}

for (const { apiVersion, kind, object, spec, metadata } of KINDS) {
  test(`podViews finds the pod template of a ${apiVersion} ${kind}`, () => {
    const view = onlyView({ apiVersion, kind, ...object });
    assert.deepEqual(view.specPath, spec);
    assert.deepEqual(view.metadataPath, metadata);
    assert.equal(typeof view.metadata.labels['app'], 'string');
    assert.deepEqual(
      view.containers.map((c) => [c.group, c.index]),
      [
        ['initContainers', 0],
        ['containers', 0],
        ['containers', 1],
        ['ephemeralContainers', 0],
      ],
    );
    const second = view.containers[2]!;
    assert.deepEqual(second.path, [...spec, 'containers', 1]);
    assert.match(second.name, /-b$/);
  });
}

test('the kinds with pod templates are exactly the documented ones', () => {
  assert.deepEqual([...WORKLOAD_KINDS].sort(), [
    '/Pod',
    '/PodTemplate',
    '/ReplicationController',
    'apps/DaemonSet',
    'apps/Deployment',
    'apps/ReplicaSet',
    'apps/StatefulSet',
    'batch/CronJob',
    'batch/Job',
    'extensions/DaemonSet',
    'extensions/Deployment',
    'extensions/ReplicaSet',
  ]);
});

test('podViews ignores kinds without pods and look-alike kinds of other groups', () => {
  assert.deepEqual(podViews({ apiVersion: 'v1', kind: 'Service', spec: { ports: [] } }), []);
  assert.deepEqual(podViews({ apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template: template('x') } }), []);
  assert.deepEqual(podViews({ apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }), []);
  assert.deepEqual(podViews({ kind: 'Pod', spec: podSpec('x') }), []);
});

test('a pod with no containers has a view with no containers', () => {
  const view = onlyView({ apiVersion: 'v1', kind: 'Pod', spec: {} });
  assert.deepEqual(view.containers, []);
  assert.deepEqual(view.metadata, { labels: {}, annotations: {} });
});

test('entries that are not objects are skipped but keep their list index', () => {
  const view = onlyView({ apiVersion: 'v1', kind: 'Pod', spec: { containers: ['junk', null, { name: 'real' }, { name: 7 }] } });
  assert.deepEqual(
    view.containers.map((c) => [c.index, c.name]),
    [
      [2, 'real'],
      [3, ''],
    ],
  );
});

test('annotations: strings kept as they are, other scalars read as text, structures dropped', () => {
  const annotations = { a: 'x', b: 5, c: true, d: { nested: 1 }, e: null };
  const view = onlyView({ apiVersion: 'v1', kind: 'Pod', metadata: { annotations }, spec: {} });
  assert.deepEqual({ ...view.metadata.annotations }, { a: 'x', b: '5', c: 'true' });
  const clean = { a: 'x' };
  assert.equal(onlyView({ apiVersion: 'v1', kind: 'Pod', metadata: { annotations: clean }, spec: {} }).metadata.annotations, clean);
});

test('effective security context: the container wins, the pod fills in, pod-only fields stay at the pod', () => {
  const view = onlyView({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: {
      template: {
        spec: {
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 2000,
            runAsNonRoot: true,
            fsGroup: 3000,
            sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }],
            seccompProfile: { type: 'RuntimeDefault' },
            seLinuxOptions: { level: 's0:c1' },
          },
          containers: [
            {
              name: 'app',
              securityContext: {
                runAsUser: 0,
                privileged: false,
                seLinuxOptions: { type: 'container_t' },
                runAsNonRoot: null,
              },
            },
          ],
        },
      },
    },
  });
  const effective = view.containers[0]!.effective;
  assert.deepEqual(effective.runAsUser, {
    value: 0,
    from: 'container',
    path: ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'runAsUser'],
  });
  assert.deepEqual(effective.runAsGroup, {
    value: 2000,
    from: 'pod',
    path: ['spec', 'template', 'spec', 'securityContext', 'runAsGroup'],
  });
  // An explicit null is an unset field: the pod's value applies.
  assert.equal(effective.runAsNonRoot?.from, 'pod');
  assert.equal(effective.runAsNonRoot?.value, true);
  // Whole-object fields are replaced, not merged key by key.
  assert.deepEqual(effective.seLinuxOptions?.value, { type: 'container_t' });
  assert.deepEqual(effective.seccompProfile?.value, { type: 'RuntimeDefault' });
  assert.equal(effective.privileged?.value, false);
  assert.equal(effective.allowPrivilegeEscalation, undefined);
  assert.equal((effective as unknown as Record<string, unknown>)['fsGroup'], undefined);
  assert.equal((effective as unknown as Record<string, unknown>)['sysctls'], undefined);
});

test('effective windowsOptions merge per field, the GMSA pair together', () => {
  const view = onlyView({
    apiVersion: 'v1',
    kind: 'Pod',
    spec: {
      securityContext: {
        windowsOptions: { gmsaCredentialSpecName: 'pod-spec', gmsaCredentialSpec: '{}', runAsUserName: 'PodUser', hostProcess: true },
      },
      containers: [
        { name: 'a', securityContext: { windowsOptions: { gmsaCredentialSpecName: 'mine', hostProcess: false } } },
        { name: 'b' },
      ],
    },
  });
  const a = view.containers[0]!.effective.windowsOptions;
  assert.equal(a.gmsaCredentialSpecName?.value, 'mine');
  assert.equal(a.gmsaCredentialSpec, undefined, 'the pod-level spec does not pair with the container-level name');
  assert.equal(a.runAsUserName?.value, 'PodUser');
  assert.equal(a.runAsUserName?.from, 'pod');
  assert.equal(a.hostProcess?.value, false);
  assert.equal(a.hostProcess?.from, 'container');
  const b = view.containers[1]!.effective.windowsOptions;
  assert.equal(b.hostProcess?.value, true);
  assert.equal(b.gmsaCredentialSpec?.value, '{}');
});

test('the effective context is computed once per container', () => {
  const view = onlyView({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a' }] } });
  const container = view.containers[0]!;
  assert.equal(container.effective, container.effective);
});

const anyKind = fc.constantFrom('Pod', 'Deployment', 'CronJob', 'PodTemplate', 'Job', 'StatefulSet', 'Service');
const anyApiVersion = fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'extensions/v1beta1', 'x/v1');

test('podViews never throws on random JSON, and views are internally consistent', () => {
  fc.assert(
    fc.property(
      anyApiVersion,
      anyKind,
      fc.jsonValue({ maxDepth: 6 }),
      fc.jsonValue({ maxDepth: 4 }),
      (apiVersion, kind, spec, metadata) => {
        const objects: Record<string, unknown>[] = [
          { apiVersion, kind, metadata, spec },
          { apiVersion, kind, spec: { template: { metadata, spec } } },
          { apiVersion, kind, spec: { jobTemplate: { spec: { template: { metadata, spec } } } } },
          { apiVersion, kind, template: { metadata, spec } },
        ];
        for (const object of objects) {
          for (const view of podViews(object)) {
            for (const container of view.containers) {
              assert.equal(typeof container.name, 'string');
              assert.ok(container.effective.windowsOptions !== undefined);
            }
            assert.ok(Object.values(view.metadata.annotations).every((value) => typeof value === 'string'));
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('podViews never throws on random pod specs with security contexts in odd shapes', () => {
  const securityContext = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        runAsUser: fc.jsonValue({ maxDepth: 1 }),
        windowsOptions: fc.jsonValue({ maxDepth: 2 }),
        seccompProfile: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
  );
  const container = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ name: fc.jsonValue({ maxDepth: 1 }), securityContext }));
  fc.assert(
    fc.property(fc.array(container, { maxLength: 4 }), securityContext, (containers, podContext) => {
      const views = podViews({ apiVersion: 'v1', kind: 'Pod', spec: { securityContext: podContext, containers, initContainers: containers } });
      for (const view of views) for (const c of view.containers) void c.effective;
    }),
    { numRuns: 400 },
  );
});

test('podViews tolerates a root that is not an object', () => {
  for (const raw of [null, [], 'Pod', 3]) assert.deepEqual(podViews(raw as unknown as Record<string, unknown>), []);
});
