import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckContext, ScanSettings, Violation } from '../checks/check.ts';
import { AREAS, isSeverity, type KubeObject, type PssLevel } from '../core/index.ts';
import { parseYamlStream } from '../load/yaml.ts';
import { podViews } from '../podspec/index.ts';
import { PSS_DEFINITIONS, pssCheckByUpstreamId, pssChecks, pssChecksFor, pssFixtureSettings, type PssCheck } from './catalog.ts';
import { PSS_VERSIONS, type PssVersion } from './version.ts';

const UPSTREAM_CHECKS = [
  'allowPrivilegeEscalation',
  'appArmorProfile',
  'capabilities_baseline',
  'capabilities_restricted',
  'hostNamespaces',
  'hostPathVolumes',
  'hostPorts',
  'hostProbesAndHostLifecycle',
  'privileged',
  'procMount',
  'procMount_restricted',
  'restrictedVolumes',
  'runAsNonRoot',
  'runAsUser',
  'seLinuxOptions',
  'seccompProfile_baseline',
  'seccompProfile_restricted',
  'sysctls',
  'windowsHostProcess',
];

function context(yaml: string, settings: ScanSettings): CheckContext {
  const { documents, errors } = parseYamlStream(yaml, 'fixture.yaml');
  assert.deepEqual(errors, []);
  assert.equal(documents.length, 1);
  const raw = documents[0]!.value as Record<string, unknown>;
  const object: KubeObject = {
    apiVersion: String(raw['apiVersion']),
    kind: String(raw['kind']),
    namespace: null,
    name: 'fixture',
    raw,
    source: { file: 'fixture.yaml', document: 0, line: 1, column: 1 },
    positions: documents[0]!.positions,
  };
  return { object, pods: podViews(raw), settings };
}

test('every upstream check is in the catalog once, baseline before restricted', () => {
  assert.deepEqual(pssChecks.map((check) => check.upstreamId).sort(), [...UPSTREAM_CHECKS].sort());
  const levels = pssChecks.map((check) => check.level);
  assert.equal(levels.lastIndexOf('baseline') < levels.indexOf('restricted'), true);
  assert.equal(new Set(pssChecks.map((check) => check.id)).size, pssChecks.length);
  assert.deepEqual(pssChecksFor('baseline'), pssChecks.filter((check) => check.level === 'baseline'));
  assert.equal(pssChecksFor('restricted'), pssChecks);
  assert.equal(pssCheckByUpstreamId('seccompprofile_restricted')?.id, 'pss-seccomp-profile-restricted');
  assert.equal(pssCheckByUpstreamId('nope'), undefined);
});

test('every check carries complete control metadata', () => {
  for (const check of pssChecks) {
    assert.match(check.id, /^pss-[a-z]+(-[a-z]+)*$/, check.id);
    assert.ok(check.title.length > 0 && check.description.length > 0 && check.remediation.length > 0, check.id);
    assert.equal(check.area, 'compute');
    assert.ok(AREAS.includes(check.area));
    assert.ok(isSeverity(check.severity), check.id);
    assert.equal(check.frameworks.pss, check.level, check.id);
    for (const ids of [check.frameworks.cis, check.frameworks.mitre, check.frameworks.kubescape, check.frameworks.nsa]) {
      if (ids !== undefined) assert.ok(ids.length > 0, check.id);
    }
    for (const id of check.frameworks.cis ?? []) assert.match(id, /^5\.\d+\.\d+$/, check.id);
    for (const id of check.frameworks.mitre ?? []) assert.match(id, /^T\d{4}(\.\d{3})?$/, check.id);
    for (const id of check.frameworks.kubescape ?? []) assert.match(id, /^C-\d{4}$/, check.id);
    assert.ok(check.fixtures.pass.length > 0 && check.fixtures.fail.length > 0, check.id);
  }
  const severityOf = (upstreamId: string): string | undefined => pssCheckByUpstreamId(upstreamId)?.severity;
  for (const id of ['privileged', 'hostNamespaces', 'hostPathVolumes', 'windowsHostProcess']) assert.equal(severityOf(id), 'high');
});

test('revisions are ordered, and only restricted revisions replace baseline checks', () => {
  const levelOf = new Map(PSS_DEFINITIONS.map((definition) => [definition.upstreamId, definition.level]));
  for (const definition of PSS_DEFINITIONS) {
    assert.ok(definition.revisions.length > 0, definition.upstreamId);
    definition.revisions.forEach((revision, i) => {
      if (i > 0) assert.ok(revision.since > definition.revisions[i - 1]!.since, definition.upstreamId);
      for (const overridden of revision.overrides ?? []) {
        assert.equal(definition.level, 'restricted', definition.upstreamId);
        assert.equal(levelOf.get(overridden), 'baseline', `${definition.upstreamId} overrides ${overridden}`);
      }
    });
  }
});

test('which check is in force where: version boundaries, and how overriding pairs split at restricted', () => {
  const inForce = (upstreamId: string, level: 'baseline' | 'restricted', version: (typeof PSS_VERSIONS)[number] | 'latest') =>
    pssCheckByUpstreamId(upstreamId)!.ruleFor(level, version) !== undefined;
  assert.ok(!inForce('allowPrivilegeEscalation', 'restricted', 'v1.7'));
  assert.ok(inForce('allowPrivilegeEscalation', 'restricted', 'v1.8'));
  assert.ok(!inForce('allowPrivilegeEscalation', 'baseline', 'latest'), 'restricted checks are not part of baseline');
  assert.ok(!inForce('runAsUser', 'restricted', 'v1.22'));
  assert.ok(inForce('runAsUser', 'restricted', 'v1.23'));
  assert.ok(!inForce('hostProbesAndHostLifecycle', 'baseline', 'v1.33'));
  assert.ok(inForce('hostProbesAndHostLifecycle', 'restricted', 'v1.34'));
  // Where a stricter restricted check overrides a baseline one, both stay in force at restricted and
  // split the fields the stricter rule rejects: a field both reject is the baseline check's.
  const reports = (upstreamId: string, level: PssLevel, version: PssVersion, spec: Record<string, unknown>) => {
    const rule = pssCheckByUpstreamId(upstreamId)!.ruleFor(level, version);
    if (rule === undefined) return undefined;
    const out: Violation[] = [];
    for (const pod of podViews({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec })) rule(pod, out);
    return out.map((violation) => violation.path.join('.'));
  };
  const volumes = { containers: [{ name: 'c' }], volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'n', nfs: {} }] };
  assert.deepEqual(reports('hostPathVolumes', 'baseline', 'latest', volumes), ['spec.volumes.0.hostPath']);
  assert.deepEqual(reports('hostPathVolumes', 'restricted', 'v1.0', volumes), ['spec.volumes.0.hostPath']);
  assert.deepEqual(reports('restrictedVolumes', 'restricted', 'v1.0', volumes), ['spec.volumes.1.nfs']);
  assert.equal(reports('restrictedVolumes', 'baseline', 'latest', volumes), undefined);

  const seccomp = { containers: [{ name: 'u', securityContext: { seccompProfile: { type: 'Unconfined' } } }, { name: 'none' }] };
  assert.deepEqual(reports('seccompProfile_baseline', 'restricted', 'v1.18', seccomp), [], 'before v1.19 baseline reads annotations');
  assert.equal(reports('seccompProfile_restricted', 'restricted', 'v1.18', seccomp), undefined);
  assert.deepEqual(reports('seccompProfile_baseline', 'restricted', 'v1.19', seccomp), ['spec.containers.0.securityContext.seccompProfile.type']);
  assert.deepEqual(reports('seccompProfile_restricted', 'restricted', 'v1.19', seccomp), ['spec.containers.1.securityContext.seccompProfile.type']);

  const capabilities = { containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_RAW', 'CHOWN'] } } }] };
  const caps = 'spec.containers.0.securityContext.capabilities';
  assert.deepEqual(reports('capabilities_baseline', 'restricted', 'v1.21', capabilities), [`${caps}.add.0`]);
  assert.equal(reports('capabilities_restricted', 'restricted', 'v1.21', capabilities), undefined);
  assert.deepEqual(reports('capabilities_baseline', 'restricted', 'v1.22', capabilities), [`${caps}.add.0`]);
  assert.deepEqual(reports('capabilities_restricted', 'restricted', 'v1.22', capabilities), [`${caps}.drop`, `${caps}.add.1`]);
  // Exempt from the restricted form (Windows, from v1.25), the pod is not reported by the baseline form either.
  const windows = { ...capabilities, os: { name: 'windows' } };
  assert.deepEqual(reports('capabilities_baseline', 'restricted', 'v1.25', windows), []);
  assert.deepEqual(reports('capabilities_baseline', 'baseline', 'v1.25', windows), [`${caps}.add.0`]);

  const unmasked = { containers: [{ name: 'c', securityContext: { procMount: 'Unmasked' } }] };
  const userNamespace = { ...unmasked, hostUsers: false };
  const procMount = ['spec.containers.0.securityContext.procMount'];
  assert.deepEqual(reports('procMount', 'restricted', 'v1.34', userNamespace), procMount);
  assert.equal(reports('procMount_restricted', 'restricted', 'v1.34', userNamespace), undefined);
  assert.deepEqual(reports('procMount', 'restricted', 'v1.35', userNamespace), []);
  assert.deepEqual(reports('procMount_restricted', 'restricted', 'v1.35', userNamespace), procMount);
  assert.deepEqual(reports('procMount', 'restricted', 'v1.35', unmasked), procMount);
  assert.deepEqual(reports('procMount_restricted', 'restricted', 'v1.35', unmasked), []);
});

test('at restricted, an overridden baseline check still fails its own fixtures', () => {
  const overridden = new Set(PSS_DEFINITIONS.flatMap((definition) => definition.revisions.flatMap((revision) => revision.overrides ?? [])));
  assert.ok(overridden.size > 0);
  for (const upstreamId of overridden) {
    const check = pssCheckByUpstreamId(upstreamId)!;
    check.fixtures.fail.forEach((yaml, i) => {
      const found = [...check.evaluate(context(yaml, { pss: { level: 'restricted', version: 'latest' } }))];
      assert.ok(found.length > 0, `${check.id} fail fixture ${i}`);
    });
  }
});

for (const check of pssChecks) {
  test(`${check.id}: its own fixtures`, () => {
    const settings = pssFixtureSettings(check);
    check.fixtures.pass.forEach((yaml, i) => {
      const found = [...check.evaluate(context(yaml, settings))];
      assert.deepEqual(found, [], `pass fixture ${i}`);
    });
    check.fixtures.fail.forEach((yaml, i) => {
      const found = [...check.evaluate(context(yaml, settings))];
      assert.ok(found.length > 0, `fail fixture ${i} produces a violation`);
      const raw = context(yaml, settings).object.raw;
      for (const violation of found) {
        assert.ok(violation.message.length > 0);
        const specPath = podViews(raw)[0]!.specPath;
        const metadataPath = podViews(raw)[0]!.metadataPath;
        const inside = (prefix: readonly (string | number)[]) => prefix.every((s, j) => violation.path[j] === s);
        assert.ok(inside(specPath) || inside(metadataPath), `${JSON.stringify(violation.path)} inside the template`);
      }
    });
  });
}

test('a check reports nothing where it is not in force', () => {
  const check = pssCheckByUpstreamId('allowPrivilegeEscalation') as PssCheck;
  const yaml = check.fixtures.fail[0]!;
  assert.deepEqual([...check.evaluate(context(yaml, { pss: { level: 'baseline', version: 'latest' } }))], []);
  assert.deepEqual([...check.evaluate(context(yaml, { pss: { level: 'restricted', version: 'v1.7' } }))], []);
  assert.ok([...check.evaluate(context(yaml, { pss: { level: 'restricted', version: 'v1.8' } }))].length > 0);
  const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n';
  for (const each of pssChecks) {
    assert.deepEqual([...each.evaluate(context(service, { pss: { level: 'restricted', version: 'latest' } }))], []);
  }
});
