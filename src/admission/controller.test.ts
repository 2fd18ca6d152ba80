import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Check } from '../checks/check.ts';
import { allChecks } from '../checks/catalog.ts';
import { loadPolicySet } from '../policy/index.ts';
import { parseConfig, type AdmissionConfig } from './config.ts';
import { AdmissionController, catalogChecks, pssSettingFor, type ControllerOptions } from './controller.ts';
import { StaticNamespaces, type Labels } from './namespaces.ts';
import { applyPatch } from './patch.ts';
import { parseAdmissionReview } from './review.ts';
import { compliantContainer, deployment, pod, privilegedContainer, review, type ReviewOptions } from './testing/reviews.ts';

function controller(config: Partial<Record<string, unknown>> = {}, extra: Partial<ControllerOptions> = {}, labels: Record<string, Labels> = {}): AdmissionController {
  return new AdmissionController({ config: parseConfig(config), namespaces: new StaticNamespaces(labels), ...extra });
}

const request = (object: Record<string, unknown> | null, options: ReviewOptions = {}) => parseAdmissionReview(JSON.stringify(review(object, options)));

describe('AdmissionController.validate with no configuration', () => {
  const admission = controller();

  it('refuses a privileged Pod and says what to fix', async () => {
    const decision = await admission.validate(request(pod('web', [privilegedContainer()])));
    assert.equal(decision.allowed, false);
    assert.match(decision.message ?? '', /PodSecurity "baseline:latest"/);
    assert.match(decision.message ?? '', /container "app" sets securityContext\.privileged=true/);
    assert.match(decision.message ?? '', /Fix: Remove `securityContext\.privileged`/);
  });

  it('refuses a Deployment whose template is privileged', async () => {
    const decision = await admission.validate(request(deployment('web', [privilegedContainer()])));
    assert.equal(decision.allowed, false);
    assert.match(decision.message ?? '', /privileged=true/);
  });

  it('admits a baseline Pod with restricted warnings and audit annotations', async () => {
    const decision = await admission.validate(request(pod('web', [{ name: 'app', image: 'nginx:1.27' }])));
    assert.equal(decision.allowed, true);
    assert.ok(decision.warnings.some((warning) => warning.includes('PodSecurity "restricted:latest"')), decision.warnings.join('\n'));
    assert.ok(decision.auditAnnotations['pod-security']?.includes('runAsNonRoot'));
  });

  it('admits a restricted Pod silently', async () => {
    const decision = await admission.validate(request(deployment('web', [compliantContainer()])));
    assert.deepEqual({ allowed: decision.allowed, warnings: decision.warnings }, { allowed: true, warnings: [] });
  });

  it('skips kube-system, DELETE, CONNECT and the status subresource', async () => {
    for (const options of [{ namespace: 'kube-system' }, { operation: 'DELETE' as const }, { operation: 'CONNECT' as const, subResource: 'exec' }, { operation: 'UPDATE' as const, subResource: 'status' }]) {
      const decision = await admission.validate(request(pod('web', [privilegedContainer()]), options));
      assert.equal(decision.allowed, true, JSON.stringify(options));
    }
  });

  it('checks pods/ephemeralcontainers', async () => {
    const object = pod('web', [compliantContainer()]);
    (object['spec'] as Record<string, unknown>)['ephemeralContainers'] = [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }];
    const decision = await admission.validate(request(object, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: pod('web', [compliantContainer()]) }));
    assert.equal(decision.allowed, false);
    assert.match(decision.message ?? '', /container "debug"/);
  });

  it('lets a metadata-only UPDATE of an existing non-compliant pod through', async () => {
    const old = pod('web', [privilegedContainer()]);
    const updated = structuredClone(old);
    (updated['metadata'] as Record<string, unknown>)['labels'] = { app: 'web', tier: 'front' };
    assert.equal((await admission.validate(request(updated, { operation: 'UPDATE', oldObject: old }))).allowed, true);
    const changed = pod('web', [{ ...privilegedContainer(), image: 'busybox:1.37' }]);
    assert.equal((await admission.validate(request(changed, { operation: 'UPDATE', oldObject: old }))).allowed, false);
  });
});

describe('namespace labels', () => {
  const defaults = parseConfig({}).podSecurity;
  it('reads level and version, failing closed on a bad level', () => {
    assert.deepEqual(pssSettingFor({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.29' }, 'enforce', defaults), { level: 'restricted', version: 'v1.29' });
    assert.deepEqual(pssSettingFor({ 'pod-security.kubernetes.io/enforce': 'nonsense' }, 'enforce', defaults), { level: 'restricted', version: 'latest' });
    assert.deepEqual(pssSettingFor(null, 'enforce', defaults), { level: 'baseline', version: 'latest' });
  });

  it('privileged namespaces admit privileged pods; restricted ones refuse baseline pods', async () => {
    const admission = controller({}, {}, { ops: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged' }, strict: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    const ops = await admission.validate(request(pod('web', [privilegedContainer()], 'ops'), { namespace: 'ops' }));
    assert.deepEqual({ allowed: ops.allowed, warnings: ops.warnings }, { allowed: true, warnings: [] });
    const strict = await admission.validate(request(pod('web', [{ name: 'app', image: 'nginx' }], 'strict'), { namespace: 'strict' }));
    assert.equal(strict.allowed, false);
    assert.match(strict.message ?? '', /problems:\n- \[PodSecurity "restricted:latest"\]/);
  });
});

describe('exemptions', () => {
  const admission = controller({ exemptions: { users: ['root-admin'], groups: ['breakglass'], serviceAccounts: ['ci/deployer'], namespaces: ['legacy'] } });
  for (const [what, options] of [
    ['user', { username: 'root-admin' }],
    ['group', { groups: ['breakglass'] }],
    ['service account', { username: 'system:serviceaccount:ci:deployer' }],
    ['namespace', { namespace: 'legacy' }],
  ] as const) {
    it(`admits an exempt ${what} and records why`, async () => {
      const decision = await admission.validate(request(pod('web', [privilegedContainer()]), options));
      assert.equal(decision.allowed, true);
      assert.ok(decision.auditAnnotations['exempt'] !== undefined);
    });
  }
  it('still refuses others', async () => {
    assert.equal((await admission.validate(request(pod('web', [privilegedContainer()]), { username: 'system:serviceaccount:ci:other' }))).allowed, false);
  });
});

describe('catalog rule', () => {
  it('enforces selected controls, warns per namespace', async () => {
    const checks = catalogChecks(allChecks, undefined, []);
    assert.ok(checks.length > 10 && checks.every((check) => !check.id.startsWith('pss-')));
    const admission = controller({ catalog: { mode: 'enforce', namespaces: { dev: 'warn' } } }, { checks });
    const noLimits = pod('web', [{ ...compliantContainer(), resources: {} }]);
    const refused = await admission.validate(request(noLimits));
    assert.equal(refused.allowed, false);
    assert.match(refused.message ?? '', /\[[a-z0-9-]+\] .*Fix:/);
    const warned = await admission.validate(request(noLimits, { namespace: 'dev' }));
    assert.equal(warned.allowed, true);
    assert.ok(warned.warnings.length > 0);
  });

  it('a throwing check fails by the failure policy, not the process', async () => {
    const broken: Check = { ...(allChecks.find((check) => !check.id.startsWith('pss-')) as Check), evaluate: () => { throw new Error('boom'); } };
    const ignore = await controller({ catalog: { mode: 'enforce', failurePolicy: 'Ignore' } }, { checks: [broken] }).validate(request(pod('web', [compliantContainer()])));
    assert.equal(ignore.allowed, true);
    assert.ok(ignore.warnings.some((warning) => warning.includes('boom')));
    assert.deepEqual(ignore.outcomes.find((outcome) => outcome.rule === 'catalog'), { rule: 'catalog', outcome: 'error' });
    const fail = await controller({ catalog: { mode: 'enforce', failurePolicy: 'Fail' } }, { checks: [broken] }).validate(request(pod('web', [compliantContainer()])));
    assert.equal(fail.allowed, false);
    assert.match(fail.message ?? '', /catalog: could not be evaluated \(boom\)/);
  });
});

describe('image rule', () => {
  const admission = controller({ images: { allowedRegistries: ['registry.example.com/shop'], requireDigest: true } });
  it('refuses other registries and tags, naming the fix', async () => {
    const decision = await admission.validate(request(pod('web', [{ ...compliantContainer(), image: 'registry.example.com/shop-evil/web:1' }])));
    assert.equal(decision.allowed, false);
    assert.match(decision.message ?? '', /not from an allowed registry; use one of registry\.example\.com\/shop/);
    assert.match(decision.message ?? '', /not pinned by digest/);
  });
  it('admits a pinned image from an allowed registry', async () => {
    const image = `registry.example.com/shop/web:1@sha256:${'a'.repeat(64)}`;
    assert.equal((await admission.validate(request(pod('web', [{ ...compliantContainer(), image }])))).allowed, true);
  });
});

describe('signature rule', () => {
  const policy = { file: 'trust.yaml', defaultAction: 'deny' as const, rules: [{ name: 'shop', images: [/^registry\.example\.com\/shop\//], action: 'verify' as const, policy: { id: 'p/shop', authorities: [], signatures: { minimum: 1 }, attestations: [] } }] };
  const verdicts: Record<string, { verified: boolean; code?: string }> = {
    'registry.example.com/shop/signed:1': { verified: true },
    'registry.example.com/shop/unsigned:1': { verified: false, code: 'no-signatures' },
    'registry.example.com/shop/offline:1': { verified: false, code: 'fetch-failed' },
  };
  const signatures = {
    policy,
    verify: async (image: string) => {
      const verdict = verdicts[image] ?? { verified: false, code: 'no-signatures' };
      return { reference: image, repository: image, digest: '', policy: 'p/shop', verified: verdict.verified, signatures: [], attestations: [], rejected: [], ...(verdict.code === undefined ? {} : { reason: { code: verdict.code as 'no-signatures', message: 'nothing verified' } }) };
    },
  };
  const admission = controller({}, { signatures });
  const run = (image: string) => admission.validate(request(pod('web', [{ ...compliantContainer(), image }])));
  it('admits signed, refuses unsigned and unmatched images', async () => {
    assert.equal((await run('registry.example.com/shop/signed:1')).allowed, true);
    const unsigned = await run('registry.example.com/shop/unsigned:1');
    assert.equal(unsigned.allowed, false);
    assert.match(unsigned.message ?? '', /not signed as trust policy rule shop requires/);
    assert.match((await run('docker.io/library/nginx:1')).message ?? '', /denied by the trust policy/);
  });
  it('treats an unreachable registry by the failure policy', async () => {
    assert.equal((await run('registry.example.com/shop/offline:1')).allowed, false);
    const lenient = controller({ signatures: { failurePolicy: 'Ignore' } }, { signatures });
    const decision = await lenient.validate(request(pod('web', [{ ...compliantContainer(), image: 'registry.example.com/shop/offline:1' }])));
    assert.equal(decision.allowed, true);
    assert.ok(decision.warnings.some((warning) => warning.includes('failurePolicy is Ignore')));
  });
});

describe('CEL policies', () => {
  it('follows the binding validationActions and the rule mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-admission-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replica-limit}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations:
    - expression: object.spec.replicas <= 2
      message: replicas must be at most 2
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replica-limit}
spec:
  policyName: replica-limit
  validationActions: [Deny]
`,
    );
    const { set } = await loadPolicySet([dir]);
    const enforce = await controller({}, { policies: set }).validate(request(deployment('web', [compliantContainer()])));
    assert.equal(enforce.allowed, false);
    assert.match(enforce.message ?? '', /\[policy replica-limit\] replicas must be at most 2/);
    const warn = await controller({ policies: { mode: 'warn' } }, { policies: set }).validate(request(deployment('web', [compliantContainer()])));
    assert.equal(warn.allowed, true);
    assert.ok(warn.warnings.some((warning) => warning.includes('replicas must be at most 2')));
  });
});

describe('AdmissionController.mutate', () => {
  it('pins tags to digests and adds securityContext defaults', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const config: Partial<AdmissionConfig> = { mutations: { resolveDigests: true, securityContext: { runAsNonRoot: true, seccompProfile: 'RuntimeDefault', allowPrivilegeEscalation: false }, failurePolicy: 'Ignore' } } as never;
    const admission = controller(config as Record<string, unknown>, { resolver: { resolve: async () => digest } });
    const object = deployment('web', [{ name: 'app', image: 'registry.example.com/shop/web:1' }, { ...compliantContainer('side'), image: `registry.example.com/x@${digest}` }]);
    const decision = await admission.mutate(request(object));
    assert.equal(decision.allowed, true);
    const patched = applyPatch(object, decision.patch) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const [app, side] = patched.spec.template.spec.containers;
    assert.equal(app?.['image'], `registry.example.com/shop/web:1@${digest}`);
    assert.deepEqual(app?.['securityContext'], { runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(side, { ...compliantContainer('side'), image: `registry.example.com/x@${digest}` });
  });

  it('a resolver failure leaves the image alone under Ignore and refuses under Fail', async () => {
    const failing = { resolve: async () => { throw new Error('registry down'); } };
    const object = pod('web', [{ name: 'app', image: 'registry.example.com/shop/web:1' }]);
    const ignore = await controller({ mutations: { resolveDigests: true } }, { resolver: failing }).mutate(request(object));
    assert.deepEqual({ allowed: ignore.allowed, patch: ignore.patch }, { allowed: true, patch: [] });
    const fail = await controller({ mutations: { resolveDigests: true, failurePolicy: 'Fail' } }, { resolver: failing }).mutate(request(object));
    assert.equal(fail.allowed, false);
  });
});

describe('CEL policies across operations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-admission-ops-'));
  writeFileSync(
    join(dir, 'policies.yaml'),
    `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: keep-team}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [UPDATE], resources: [deployments]}]
  validations:
    - expression: "oldObject.metadata.labels[?'team'] == object.metadata.labels[?'team']"
      message: the team label may not change
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-delete}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [DELETE], resources: [deployments]}]
  validations:
    - expression: "object == null && oldObject.metadata.name != 'keep'"
      message: this Deployment may not be deleted
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-exec}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CONNECT], resources: [pods/exec]}]
  validations:
    - expression: "request.userInfo.username != 'mallory'"
      message: no exec for mallory
`,
  );
  const labelled = (team: string) => {
    const object = deployment('keep', [compliantContainer()]);
    (object['metadata'] as Record<string, unknown>)['labels'] = { app: 'keep', team };
    return object;
  };

  it('UPDATE: the old object is seen; a label change is refused, other updates pass', async () => {
    const { set } = await loadPolicySet([dir]);
    const admission = controller({}, { policies: set });
    const refused = await admission.validate(request(labelled('b'), { operation: 'UPDATE', oldObject: labelled('a') }));
    assert.equal(refused.allowed, false);
    assert.match(refused.message ?? '', /\[policy keep-team\] the team label may not change/);
    const scaled = labelled('a');
    (scaled['spec'] as Record<string, unknown>)['replicas'] = 5;
    assert.equal((await admission.validate(request(scaled, { operation: 'UPDATE', oldObject: labelled('a') }))).allowed, true);
  });

  it('DELETE and CONNECT reach the policies that name them, and only those', async () => {
    const { set } = await loadPolicySet([dir]);
    const admission = controller({}, { policies: set });
    const deleted = await admission.validate(request(null, { operation: 'DELETE', oldObject: labelled('a') }));
    assert.equal(deleted.allowed, false);
    assert.match(deleted.message ?? '', /this Deployment may not be deleted/);
    const options = { apiVersion: 'v1', kind: 'PodExecOptions', command: ['sh'] };
    const exec = (username: string) => request(options, { operation: 'CONNECT', subResource: 'exec', username });
    const execReview = (username: string) => {
      const parsed = exec(username);
      // What the API server sends for exec: the pods resource, the exec subresource, the pod's name.
      return { ...parsed, kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, resource: { group: '', version: 'v1', resource: 'pods' }, name: 'web' };
    };
    assert.equal((await admission.validate(execReview('mallory'))).allowed, false);
    assert.equal((await admission.validate(execReview('alice'))).allowed, true);
  });

  it('validate(…, "pods") leaves the policies out and validate(…, "policies") the pod rules', async () => {
    const { set } = await loadPolicySet([dir]);
    const admission = controller({}, { policies: set });
    const update = request(labelled('b'), { operation: 'UPDATE', oldObject: labelled('a') });
    assert.equal((await admission.validate(update, 'pods')).allowed, true);
    assert.equal((await admission.validate(update, 'policies')).allowed, false);
    const privileged = request(deployment('bad', [privilegedContainer()]));
    assert.equal((await admission.validate(privileged, 'policies')).allowed, true);
    assert.equal((await admission.validate(privileged, 'pods')).allowed, false);
  });
});

describe('AdmissionController.mutate on workloads and UPDATE', () => {
  const digest = `sha256:${'c'.repeat(64)}`;
  const admission = controller({ mutations: { resolveDigests: true, securityContext: { allowPrivilegeEscalation: false } } }, { resolver: { resolve: async () => digest } });
  const image = 'registry.example.com/shop/web:2';

  for (const [kind, object] of [
    ['StatefulSet', { ...deployment('db', [{ name: 'app', image }]), kind: 'StatefulSet' }],
    ['DaemonSet', { ...deployment('agent', [{ name: 'app', image }]), kind: 'DaemonSet' }],
    ['ReplicaSet', { ...deployment('rs', [{ name: 'app', image }]), kind: 'ReplicaSet' }],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job' }, spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }],
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } } }],
  ] as const) {
    it(`pins and defaults the template of a ${kind} on CREATE`, async () => {
      const decision = await admission.mutate(request(object as Record<string, unknown>));
      const patched = JSON.stringify(applyPatch(object, decision.patch));
      assert.ok(patched.includes(`"${image}@${digest}"`), patched);
      assert.ok(patched.includes('"allowPrivilegeEscalation":false'), patched);
    });
  }

  it('a Deployment UPDATE that changes the template is mutated; one that does not is left alone', async () => {
    const old = deployment('web', [{ name: 'app', image: `registry.example.com/shop/web:1@${digest}`, securityContext: { allowPrivilegeEscalation: false } }]);
    const changed = deployment('web', [{ name: 'app', image, securityContext: { allowPrivilegeEscalation: false } }]);
    const decision = await admission.mutate(request(changed, { operation: 'UPDATE', oldObject: old }));
    assert.equal((applyPatch(changed, decision.patch) as any).spec.template.spec.containers[0].image, `${image}@${digest}`);
    const scaled = structuredClone(old);
    (scaled['spec'] as Record<string, unknown>)['replicas'] = 9;
    assert.deepEqual((await admission.mutate(request(scaled, { operation: 'UPDATE', oldObject: old }))).patch, []);
  });

  it('a Pod UPDATE pins only the image that changed and adds no securityContext (pod specs are immutable)', async () => {
    const old = pod('web', [{ name: 'app', image: 'registry.example.com/shop/web:1' }, { name: 'side', image: 'registry.example.com/shop/side:1' }]);
    const changed = pod('web', [{ name: 'app', image }, { name: 'side', image: 'registry.example.com/shop/side:1' }]);
    const decision = await admission.mutate(request(changed, { operation: 'UPDATE', oldObject: old }));
    assert.deepEqual(decision.patch, [{ op: 'replace', path: '/spec/containers/0/image', value: `${image}@${digest}` }]);
  });

  it('DELETE, CONNECT and subresources are not mutated', async () => {
    const object = pod('web', [{ name: 'app', image }]);
    for (const options of [{ operation: 'DELETE' as const, oldObject: object }, { operation: 'UPDATE' as const, subResource: 'status', oldObject: object }]) {
      assert.deepEqual((await admission.mutate(request(options.operation === 'DELETE' ? null : object, options))).patch, []);
    }
  });
});
