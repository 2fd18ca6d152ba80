import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Violation } from '../checks/check.ts';
import type { PssLevel } from '../core/index.ts';
import { pssCheckByUpstreamId } from './catalog.ts';
import { evaluatePod } from './evaluate.ts';
import { attributionErrors } from './testing/attribution.ts';
import { PSS_VERSIONS, type PssVersion } from './version.ts';

type Json = Record<string, unknown>;

/** A pod that passes restricted at every version; tests change one thing at a time. */
function restrictedPod(spec: Json = {}, metadata: Json = {}): Json {
  const hardened = (): Json => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', ...metadata },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'init', image: 'i', securityContext: hardened() }],
      containers: [
        { name: 'app', image: 'a', securityContext: hardened() },
        { name: 'side', image: 's', securityContext: hardened() },
      ],
      ...spec,
    },
  };
}

function withContainer(index: number, securityContext: Json, extra: Json = {}): Json {
  const pod = restrictedPod();
  const spec = pod['spec'] as Json;
  const containers = spec['containers'] as Json[];
  const current = containers[index]!;
  containers[index] = { ...current, ...extra, securityContext: { ...(current['securityContext'] as Json), ...securityContext } };
  return pod;
}

function violations(raw: Json, level: PssLevel, version: PssVersion): Map<string, readonly Violation[]> {
  return new Map(evaluatePod(raw, level, version));
}

/** Each failing check with the field paths it reports, joined with dots for readable diffs. */
function reported(raw: Json, level: PssLevel, version: PssVersion): Record<string, string[]> {
  const byCheck: Record<string, string[]> = {};
  for (const [id, found] of evaluatePod(raw, level, version)) byCheck[id] = found.map((v) => v.path.join('.'));
  return byCheck;
}

function only(raw: Json, level: PssLevel, version: PssVersion): [string, readonly Violation[]] {
  const found = violations(raw, level, version);
  assert.equal(found.size, 1, `one failing check, got ${JSON.stringify([...found])}`);
  return [...found][0]!;
}

test('the hardened pod passes both levels at every version', () => {
  for (const version of [...PSS_VERSIONS, 'latest' as const]) {
    assert.equal(evaluatePod(restrictedPod(), 'restricted', version).size, 0, version);
    assert.equal(evaluatePod(restrictedPod(), 'baseline', version).size, 0, version);
  }
});

test('one violation per offending field, at the field, naming the value and the container', () => {
  const pod = restrictedPod();
  const containers = (pod['spec'] as Json)['containers'] as Json[];
  for (const container of containers) (container['securityContext'] as Json)['privileged'] = true;
  const [id, found] = only(pod, 'baseline', 'latest');
  assert.equal(id, 'pss-privileged');
  assert.deepEqual(
    found.map((v) => v.path),
    [
      ['spec', 'containers', 0, 'securityContext', 'privileged'],
      ['spec', 'containers', 1, 'securityContext', 'privileged'],
    ],
  );
  assert.equal(found[0]!.message, 'container "app" sets securityContext.privileged=true');
});

test('paths are taken from the object root for workload kinds', () => {
  const pod = withContainer(1, { privileged: true });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { template: { metadata: pod['metadata'], spec: pod['spec'] } },
  };
  const [, found] = only(deployment, 'baseline', 'latest');
  assert.deepEqual(found[0]!.path, ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'privileged']);
});

test('host namespaces: each namespace flag is its own violation', () => {
  const [id, found] = only(restrictedPod({ hostNetwork: true, hostIPC: true, hostPID: false }), 'baseline', 'v1.0');
  assert.equal(id, 'pss-host-namespaces');
  assert.deepEqual(
    found.map((v) => v.path),
    [
      ['spec', 'hostNetwork'],
      ['spec', 'hostIPC'],
    ],
  );
});

test('runAsNonRoot: explicit false anywhere fails; otherwise the pod or every container must say true', () => {
  const unsetPod = (containers: (boolean | undefined)[]): Json => {
    const pod = restrictedPod();
    const spec = pod['spec'] as Json;
    spec['securityContext'] = { seccompProfile: { type: 'RuntimeDefault' } };
    const all = [...(spec['initContainers'] as Json[]), ...(spec['containers'] as Json[])];
    all.forEach((c, i) => {
      if (containers[i] !== undefined) (c['securityContext'] as Json)['runAsNonRoot'] = containers[i];
    });
    return pod;
  };
  assert.equal(evaluatePod(unsetPod([true, true, true]), 'restricted', 'latest').size, 0, 'every container true');
  const [id, found] = only(unsetPod([true, undefined, true]), 'restricted', 'latest');
  assert.equal(id, 'pss-run-as-non-root');
  assert.deepEqual(found.map((v) => v.path), [['spec', 'containers', 0, 'securityContext', 'runAsNonRoot']]);
  assert.match(found[0]!.message, /neither the pod nor container "app"/);
  // A container's false is not rescued by the pod's true.
  const [, mixed] = only(withContainer(0, { runAsNonRoot: false }), 'restricted', 'latest');
  assert.deepEqual(mixed.map((v) => v.path), [['spec', 'containers', 0, 'securityContext', 'runAsNonRoot']]);
  assert.equal(mixed[0]!.message, 'container "app" sets securityContext.runAsNonRoot=false');
  // Pod-level false: the pod's field is the one reported for containers that inherit it.
  const podFalse = restrictedPod();
  ((podFalse['spec'] as Json)['securityContext'] as Json)['runAsNonRoot'] = false;
  const [, atPod] = only(podFalse, 'restricted', 'latest');
  assert.deepEqual(atPod.map((v) => v.path), [['spec', 'securityContext', 'runAsNonRoot']]);
});

test('runAsNonRoot and runAsUser relax for user-namespace pods from v1.35 only', () => {
  const pod = restrictedPod({ hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } });
  const at34 = violations(pod, 'restricted', 'v1.34');
  assert.deepEqual([...at34.keys()].sort(), ['pss-run-as-non-root', 'pss-run-as-user']);
  assert.equal(evaluatePod(pod, 'restricted', 'v1.35').size, 0);
  const hostUsers = restrictedPod({ hostUsers: true, securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } });
  assert.equal(violations(hostUsers, 'restricted', 'latest').size, 2);
});

test('runAsUser: 0 is forbidden from v1.23, other UIDs and unset are fine', () => {
  const pod = withContainer(1, { runAsUser: 0 });
  assert.equal(evaluatePod(pod, 'restricted', 'v1.22').size, 0);
  const [id, found] = only(pod, 'restricted', 'v1.23');
  assert.equal(id, 'pss-run-as-user');
  assert.equal(found[0]!.message, 'container "side" sets securityContext.runAsUser=0');
  assert.equal(evaluatePod(withContainer(1, { runAsUser: 1000 }), 'restricted', 'latest').size, 0);
});

test('procMount: baseline relaxes for user-namespace pods from v1.35, restricted never does', () => {
  const pod = withContainer(0, { procMount: 'Unmasked' });
  ((pod['spec'] as Json)['hostUsers'] as unknown) = false;
  assert.equal(only(pod, 'baseline', 'v1.34')[0], 'pss-proc-mount');
  assert.equal(evaluatePod(pod, 'baseline', 'v1.35').size, 0);
  assert.equal(only(pod, 'restricted', 'v1.34')[0], 'pss-proc-mount');
  // From v1.35 the restricted check rejects it; baseline no longer does, so it is the one reporting.
  assert.equal(only(pod, 'restricted', 'v1.35')[0], 'pss-proc-mount-restricted');
  // Outside a user namespace both reject the field: the baseline control reports it.
  const hostPod = withContainer(0, { procMount: 'Unmasked' });
  assert.deepEqual(reported(hostPod, 'restricted', 'v1.35'), { 'pss-proc-mount': ['spec.containers.0.securityContext.procMount'] });
});

test('Windows pods are exempt from Linux-only restricted checks from v1.25', () => {
  const pod = restrictedPod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true } });
  const containers = (pod['spec'] as Json)['containers'] as Json[];
  for (const c of [...containers, ...((pod['spec'] as Json)['initContainers'] as Json[])]) c['securityContext'] = {};
  (containers[0]!['securityContext'] as Json)['capabilities'] = { add: ['SYS_ADMIN'] };
  const each = (...keys: string[]): string[] =>
    ['spec.initContainers.0', 'spec.containers.0', 'spec.containers.1'].map((c) => [c, 'securityContext', ...keys].join('.'));
  // Before v1.25 the restricted capability check covers Windows pods: the added SYS_ADMIN, which
  // baseline rejects too, is reported by the baseline control, the missing drops by the restricted one.
  assert.deepEqual(reported(pod, 'restricted', 'v1.24'), {
    'pss-capabilities-baseline': ['spec.containers.0.securityContext.capabilities.add.0'],
    'pss-allow-privilege-escalation': each('allowPrivilegeEscalation'),
    'pss-seccomp-profile-restricted': each('seccompProfile', 'type'),
    'pss-capabilities-restricted': each('capabilities', 'drop'),
  });
  // Exempt from the restricted form, the pod is admitted: the baseline form does not report SYS_ADMIN.
  assert.equal(evaluatePod(pod, 'restricted', 'v1.25').size, 0, 'the restricted exemption holds for the baseline capability check too');
  assert.equal(only(pod, 'baseline', 'v1.25')[0], 'pss-capabilities-baseline');
  const linux = restrictedPod({ os: { name: 'linux' } });
  ((linux['spec'] as Json)['containers'] as Json[])[0]!['securityContext'] = {};
  assert.ok(evaluatePod(linux, 'restricted', 'latest').size > 0);
});

test('capabilities: baseline allows the default set, restricted only NET_BIND_SERVICE after drop ALL', () => {
  const chown = withContainer(0, { capabilities: { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE'] } });
  assert.equal(evaluatePod(chown, 'baseline', 'latest').size, 0);
  assert.equal(evaluatePod(chown, 'restricted', 'v1.21').size, 0, 'before v1.22 restricted used the baseline set');
  const [id, found] = only(chown, 'restricted', 'v1.22');
  assert.equal(id, 'pss-capabilities-restricted');
  assert.deepEqual(found.map((v) => v.path), [['spec', 'containers', 0, 'securityContext', 'capabilities', 'add', 0]]);
  // NET_RAW is rejected by both checks: the baseline control reports it, with its own message; the
  // missing drop and the default-set CHOWN only restricted rejects, so it reports those.
  const noDrop = withContainer(1, { capabilities: { add: ['NET_RAW', 'CHOWN'] } });
  const side = 'spec.containers.1.securityContext.capabilities';
  assert.deepEqual(reported(noDrop, 'restricted', 'latest'), {
    'pss-capabilities-baseline': [`${side}.add.0`],
    'pss-capabilities-restricted': [`${side}.drop`, `${side}.add.1`],
  });
  assert.match(violations(noDrop, 'restricted', 'latest').get('pss-capabilities-baseline')![0]!.message, /adds capability "NET_RAW", which is not in/);
  assert.deepEqual(reported(noDrop, 'restricted', 'v1.21'), { 'pss-capabilities-baseline': [`${side}.add.0`] }, 'before v1.22 only baseline');
  const [baselineId, baselineFound] = only(noDrop, 'baseline', 'latest');
  assert.equal(baselineId, 'pss-capabilities-baseline');
  assert.match(baselineFound[0]!.message, /adds capability "NET_RAW"/);
});

test('seccomp: annotations before v1.19, fields from v1.19; restricted requires a profile', () => {
  const annotated = restrictedPod({}, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } });
  const [id, found] = only(annotated, 'baseline', 'v1.18');
  assert.equal(id, 'pss-seccomp-profile-baseline');
  assert.deepEqual(found[0]!.path, ['metadata', 'annotations', 'seccomp.security.alpha.kubernetes.io/pod']);
  assert.equal(evaluatePod(annotated, 'baseline', 'v1.19').size, 0);
  const containerAnnotation = restrictedPod({}, { annotations: { 'container.seccomp.security.alpha.kubernetes.io/app': 'docker/default' } });
  assert.equal(evaluatePod(containerAnnotation, 'baseline', 'v1.0').size, 0);
  const unconfined = withContainer(1, { seccompProfile: { type: 'Unconfined' } });
  assert.equal(evaluatePod(unconfined, 'baseline', 'v1.18').size, 0);
  assert.equal(only(unconfined, 'baseline', 'v1.19')[0], 'pss-seccomp-profile-baseline');
  // Unconfined is rejected by both levels' checks: the baseline control reports it at restricted too.
  assert.equal(only(unconfined, 'restricted', 'v1.19')[0], 'pss-seccomp-profile-baseline');
  // Without a pod-level profile, the containers that set none only fail the restricted check.
  const mixed = withContainer(1, { seccompProfile: { type: 'Unconfined' } });
  (mixed['spec'] as Json)['securityContext'] = { runAsNonRoot: true };
  assert.deepEqual(reported(mixed, 'restricted', 'latest'), {
    'pss-seccomp-profile-baseline': ['spec.containers.1.securityContext.seccompProfile.type'],
    'pss-seccomp-profile-restricted': [
      'spec.initContainers.0.securityContext.seccompProfile.type',
      'spec.containers.0.securityContext.seccompProfile.type',
    ],
  });
  const emptyProfile = withContainer(0, { seccompProfile: {} });
  assert.match(only(emptyProfile, 'baseline', 'latest')[1][0]!.message, /without a type/);
  const none = restrictedPod({ securityContext: { runAsNonRoot: true } });
  const [, missing] = only(none, 'restricted', 'latest');
  assert.deepEqual(
    missing.map((v) => v.path),
    ['initContainers', 'containers', 'containers'].map((group, i) => [
      'spec',
      group,
      i === 2 ? 1 : 0,
      'securityContext',
      'seccompProfile',
      'type',
    ]),
  );
  assert.equal(evaluatePod(none, 'restricted', 'v1.18').size, 0);
});

test('AppArmor: fields at every version, annotations with their own allowed values', () => {
  const field = withContainer(0, { appArmorProfile: { type: 'Unconfined' } });
  assert.equal(only(field, 'baseline', 'v1.0')[0], 'pss-apparmor-profile');
  const podField = restrictedPod({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: {} },
  });
  assert.deepEqual(only(podField, 'baseline', 'latest')[1][0]!.path, ['spec', 'securityContext', 'appArmorProfile', 'type']);
  const prefix = 'container.apparmor.security.beta.kubernetes.io/';
  const good = restrictedPod({}, { annotations: { [`${prefix}app`]: 'localhost/custom', [`${prefix}side`]: '' } });
  assert.equal(evaluatePod(good, 'baseline', 'latest').size, 0);
  const bad = restrictedPod({}, { annotations: { [`${prefix}app`]: 'unconfined' } });
  assert.deepEqual(only(bad, 'baseline', 'latest')[1][0]!.path, ['metadata', 'annotations', `${prefix}app`]);
});

test('SELinux: container_engine_t from v1.31; user and role never', () => {
  const engine = withContainer(0, { seLinuxOptions: { type: 'container_engine_t', level: 's0' } });
  assert.equal(only(engine, 'baseline', 'v1.30')[0], 'pss-selinux-options');
  assert.equal(evaluatePod(engine, 'baseline', 'v1.31').size, 0);
  const userRole = withContainer(1, { seLinuxOptions: { user: 'u', role: 'r', type: '' } });
  assert.deepEqual(
    only(userRole, 'baseline', 'latest')[1].map((v) => v.path.at(-1)),
    ['user', 'role'],
  );
});

test('sysctls: the safe set grows with the version', () => {
  const pod = (name: string): Json =>
    restrictedPod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name, value: '1' }] } });
  const firstSafe: [string, number][] = [
    ['kernel.shm_rmid_forced', 0],
    ['net.ipv4.ip_local_reserved_ports', 27],
    ['net.ipv4.tcp_keepalive_probes', 29],
    ['net.ipv4.tcp_wmem', 32],
    ['net.ipv4.tcp_notsent_lowat', 37],
  ];
  for (const [name, since] of firstSafe) {
    if (since > 0) assert.equal(only(pod(name), 'baseline', `v1.${since - 1}`)[0], 'pss-sysctls', name);
    assert.equal(evaluatePod(pod(name), 'baseline', `v1.${since}`).size, 0, name);
  }
  const [, found] = only(pod('kernel.msgmax'), 'baseline', 'latest');
  assert.deepEqual(found[0]!.path, ['spec', 'securityContext', 'sysctls', 0, 'name']);
});

test('host probes and lifecycle hooks may not name a host from v1.34', () => {
  const pod = withContainer(0, {}, {
    livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
    lifecycle: { preStop: { tcpSocket: { host: 'metadata', port: 80 } }, postStart: { httpGet: { host: '', port: 80 } } },
  });
  assert.equal(evaluatePod(pod, 'baseline', 'v1.33').size, 0);
  const [id, found] = only(pod, 'baseline', 'v1.34');
  assert.equal(id, 'pss-host-probes-and-host-lifecycle');
  assert.deepEqual(
    found.map((v) => v.path.slice(3)),
    [
      ['livenessProbe', 'httpGet', 'host'],
      ['lifecycle', 'preStop', 'tcpSocket', 'host'],
    ],
  );
});

test('volumes: hostPath at baseline; restricted allows only its types, a source-less volume is an emptyDir', () => {
  const volumes = [
    { name: 'defaulted' },
    { name: 'img', image: { reference: 'x' } },
    { name: 'pvc', persistentVolumeClaim: { claimName: 'c' } },
    { name: 'host', hostPath: { path: '/etc' } },
    { name: 'share', nfs: { server: 's', path: '/' } },
  ];
  const pod = restrictedPod({ volumes });
  const [baselineId, baselineFound] = only(pod, 'baseline', 'latest');
  assert.equal(baselineId, 'pss-host-path-volumes');
  assert.equal(baselineFound[0]!.message, 'volume "host" mounts hostPath "/etc"');
  // At restricted the hostPath volume stays a high-severity host-path finding; restricted-volumes
  // reports the types only it forbids.
  for (const version of ['v1.0', 'latest'] as const) {
    assert.deepEqual(reported(pod, 'restricted', version), {
      'pss-host-path-volumes': ['spec.volumes.3.hostPath'],
      'pss-restricted-volumes': ['spec.volumes.4.nfs'],
    });
  }
  assert.equal(violations(pod, 'restricted', 'latest').get('pss-host-path-volumes')![0]!.message, 'volume "host" mounts hostPath "/etc"');
  assert.equal(pssCheckByUpstreamId('hostPathVolumes')!.severity, 'high');
  assert.deepEqual(reported(restrictedPod({ volumes: volumes.slice(0, 4) }), 'restricted', 'latest'), {
    'pss-host-path-volumes': ['spec.volumes.3.hostPath'],
  });
});

test('host ports and Windows HostProcess', () => {
  const ports = withContainer(0, {}, { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }, { containerPort: 82, hostPort: 8082 }] });
  const [id, found] = only(ports, 'baseline', 'latest');
  assert.equal(id, 'pss-host-ports');
  assert.deepEqual(found.map((v) => v.path), [['spec', 'containers', 0, 'ports', 2, 'hostPort']]);
  const hostProcess = restrictedPod({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, windowsOptions: { hostProcess: true } },
  });
  assert.deepEqual(only(hostProcess, 'baseline', 'v1.0')[1][0]!.path, ['spec', 'securityContext', 'windowsOptions', 'hostProcess']);
});

test('at restricted each overridden pair reports exactly what the restricted rule flags, shared fields under baseline', () => {
  const sources = ['hostPath', 'nfs', 'iscsi', 'gitRepo', 'emptyDir', 'configMap', 'persistentVolumeClaim'] as const;
  const volume = fc
    .tuple(fc.constantFrom('data', 'logs'), fc.subarray([...sources], { maxLength: 2 }))
    .map(([name, kinds]): Json => Object.fromEntries([['name', name], ...kinds.map((kind) => [kind, { path: '/var' }])]));
  const capability = fc.constantFrom<unknown>('CHOWN', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_RAW', 'ALL', '', null);
  const seccompProfile = fc.constantFrom<unknown>(
    { type: 'RuntimeDefault' },
    { type: 'Localhost', localhostProfile: 'p.json' },
    { type: 'Unconfined' },
    {},
    null,
  );
  const securityContext = fc.record(
    {
      capabilities: fc.oneof(
        fc.constant(null),
        fc.record(
          { add: fc.array(capability, { maxLength: 3 }), drop: fc.constantFrom<unknown>(['ALL'], ['NET_RAW'], [], null) },
          { requiredKeys: [] },
        ),
      ),
      seccompProfile,
      procMount: fc.constantFrom<unknown>('Default', 'Unmasked', null),
    },
    { requiredKeys: [] },
  );
  const container = (name: string) => fc.record({ name: fc.constant(name), image: fc.constant(name), securityContext }, { requiredKeys: ['name', 'image'] });
  const spec = fc.record(
    {
      os: fc.record({ name: fc.constantFrom('linux', 'windows') }),
      hostUsers: fc.boolean(),
      securityContext: fc.record({ seccompProfile }, { requiredKeys: [] }),
      volumes: fc.array(volume, { maxLength: 3 }),
      initContainers: fc.array(container('init'), { maxLength: 1 }),
      containers: fc.tuple(container('app'), fc.option(container('side'), { nil: undefined })).map(([a, b]) => (b === undefined ? [a] : [a, b])),
    },
    { requiredKeys: ['containers'] },
  );
  const annotations = fc.record(
    {
      'seccomp.security.alpha.kubernetes.io/pod': fc.constantFrom('unconfined', 'runtime/default'),
      'container.seccomp.security.alpha.kubernetes.io/app': fc.constantFrom('unconfined', 'localhost/p'),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(spec, annotations, (podSpec, podAnnotations) => {
      const pod: Json = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: podAnnotations }, spec: podSpec };
      for (const version of [...PSS_VERSIONS, 'latest' as const]) {
        for (const level of ['baseline', 'restricted'] as const) {
          assert.deepEqual(attributionErrors(pod, level, version), [], `${level} ${version}: ${JSON.stringify(pod)}`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('restricted includes every baseline check', () => {
  const pod = withContainer(0, { privileged: true });
  assert.equal(only(pod, 'restricted', 'latest')[0], 'pss-privileged');
});

test('objects without pods are admitted; nothing about bad input throws', () => {
  assert.equal(evaluatePod({ apiVersion: 'v1', kind: 'ConfigMap', data: {} }, 'restricted', 'latest').size, 0);
  const versions = fc.constantFrom<PssVersion>('v1.0', 'v1.18', 'v1.19', 'v1.24', 'v1.25', 'v1.34', 'v1.35', 'latest');
  const value = fc.jsonValue({ maxDepth: 3 });
  const securityContext = fc.oneof(
    value,
    fc.record(
      {
        privileged: value,
        runAsNonRoot: value,
        runAsUser: value,
        capabilities: fc.oneof(value, fc.record({ add: value, drop: value }, { requiredKeys: [] })),
        seccompProfile: fc.oneof(value, fc.record({ type: value })),
        appArmorProfile: value,
        seLinuxOptions: value,
        windowsOptions: value,
        procMount: value,
        sysctls: fc.oneof(value, fc.array(fc.record({ name: value }), { maxLength: 2 })),
      },
      { requiredKeys: [] },
    ),
  );
  const container = fc.oneof(
    value,
    fc.record({ name: value, securityContext, ports: value, livenessProbe: value, lifecycle: value }, { requiredKeys: [] }),
  );
  const spec = fc.record(
    {
      securityContext,
      containers: fc.oneof(value, fc.array(container, { maxLength: 3 })),
      initContainers: fc.oneof(value, fc.array(container, { maxLength: 2 })),
      volumes: fc.oneof(value, fc.array(value, { maxLength: 3 })),
      hostNetwork: value,
      hostUsers: value,
      os: value,
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(spec, value, versions, fc.constantFrom<PssLevel>('baseline', 'restricted'), (podSpec, annotations, version, level) => {
      const result = evaluatePod(
        { apiVersion: 'v1', kind: 'Pod', metadata: { annotations }, spec: podSpec },
        level,
        version,
      );
      for (const found of result.values()) {
        for (const violation of found) {
          assert.ok(violation.path[0] === 'spec' || violation.path[0] === 'metadata', JSON.stringify(violation.path));
          assert.ok(violation.message.length > 0);
        }
      }
    }),
    { numRuns: 500 },
  );
});
