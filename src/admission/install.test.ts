import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { BulwarkError } from '../core/index.ts';
import { loadConfig } from './config.ts';
import { WORKLOAD_KINDS } from '../podspec/index.ts';
import { ResourceMapper } from '../policy/index.ts';
import { installManifests } from './install.ts';
import { renderInstall, toYamlStream, userPolicies } from './render.ts';
import { configBaseDir, createAdmissionService } from './service.ts';

const bin = fileURLToPath(new URL('../../bin/bulwark.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bulwark-install-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, any>;

describe('installManifests', () => {
  it('renders a safe installation', async () => {
    const objects = (await installManifests({ namespace: 'guard', replicas: 3, image: 'example.com/bulwark:1', mutate: true })) as Obj[];
    const byKind = (kind: string): Obj[] => objects.filter((object) => object.kind === kind);
    const one = (kind: string): Obj => byKind(kind)[0] as Obj;
    const deployment = one('Deployment');
    assert.equal(deployment.spec.replicas, 3);
    assert.ok(deployment.spec.template.spec.affinity.podAntiAffinity);
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.ok(container.livenessProbe && container.readinessProbe && container.resources.limits);
    assert.equal(byKind('PodDisruptionBudget').length, 1);
    const clusterRole = one('ClusterRole');
    assert.deepEqual(clusterRole.rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);

    const secret = one('Secret');
    const serving = new X509Certificate(secret.stringData['tls.crt']);
    const ca = new X509Certificate(secret.stringData['ca.crt']);
    assert.ok(serving.verify(ca.publicKey), 'the serving certificate is signed by the CA');
    assert.match(serving.subjectAltName ?? '', /DNS:bulwark-admission\.guard\.svc/);

    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const [configuration] = byKind(kind);
      assert.ok(configuration, kind);
      for (const webhook of configuration.webhooks) {
        assert.ok(webhook.timeoutSeconds <= 3);
        assert.equal(webhook.sideEffects, 'None');
        assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
        assert.ok(['Fail', 'Ignore'].includes(webhook.failurePolicy));
        assert.equal(Buffer.from(webhook.clientConfig.caBundle, 'base64').toString(), secret.stringData['ca.crt']);
        assert.deepEqual(webhook.namespaceSelector.matchExpressions[0].values, ['kube-system', 'kube-node-lease', 'guard']);
      }
    }
    assert.equal(one('ValidatingWebhookConfiguration').webhooks[0].failurePolicy, 'Fail');
  });

  it('ships the policies in the ConfigMap and names them in the generated configuration', async () => {
    const objects = (await installManifests({ namespace: 'guard', replicas: 2, image: 'x', mutate: false, policiesYaml: 'kind: ValidatingAdmissionPolicy\n' })) as Obj[];
    const configMap = objects.find((object) => object.kind === 'ConfigMap') as Obj;
    assert.equal(configMap.data['policies.yaml'], 'kind: ValidatingAdmissionPolicy\n');
    assert.match(configMap.data['config.yaml'], /policies: \{paths: \[policies\.yaml\]\}/);
    assert.equal(objects.filter((object) => object.kind === 'Role').length, 0, 'no access to ConfigMaps is needed');
  });

  it('the shipped configuration and policies start the webhook as mounted', async () => {
    const policies = await userPolicies([fileURLToPath(new URL('../../examples/policies', import.meta.url))]);
    assert.ok(policies.length > 0);
    const objects = (await installManifests({ namespace: 'guard', replicas: 2, image: 'x', mutate: false, policiesYaml: toYamlStream(policies) })) as Obj[];
    const data = (objects.find((object) => object.kind === 'ConfigMap') as Obj).data as Record<string, string>;
    const mount = mkdtempSync(join(dir, 'mount-'));
    for (const [name, text] of Object.entries(data)) writeFileSync(join(mount, name), text);
    const config = await loadConfig(join(mount, 'config.yaml'));
    const service = await createAdmissionService({ config, baseDir: configBaseDir(join(mount, 'config.yaml')), registry: new Registry() });
    assert.equal(service.module.name, 'admission');
    await service.stop();
  });

  it('registers every kind the webhook judges, for the validating and the mutating side', async () => {
    const objects = (await installManifests({ namespace: 'guard', replicas: 2, image: 'x', mutate: true })) as Obj[];
    const mapper = new ResourceMapper([]);
    const covers = (webhook: Obj, group: string, resource: string, operation: string) =>
      (webhook.rules as Obj[]).some((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.operations.includes(operation));
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const webhooks = (objects.find((object) => object.kind === kind) as Obj).webhooks as Obj[];
      for (const groupKind of WORKLOAD_KINDS) {
        const [written, name] = groupKind.split('/') as [string, string];
        // extensions/v1beta1 is no longer served; old clients' requests reach the apps rules
        // through matchPolicy Equivalent.
        const group = written === 'extensions' ? 'apps' : written;
        if (written === 'extensions') assert.ok(webhooks.every((webhook) => webhook.matchPolicy === 'Equivalent'));
        const { resource } = mapper.describe(group === '' ? 'v1' : `${group}/v1`, name);
        for (const operation of ['CREATE', 'UPDATE']) {
          const found = webhooks.filter((webhook) => covers(webhook, group, resource, operation));
          assert.ok(found.length > 0, `${kind} covers ${operation} ${groupKind}`);
          const path = kind === 'ValidatingWebhookConfiguration' ? '/validate/pods' : '/mutate';
          assert.ok(found.every((webhook) => webhook.clientConfig.service.path === path), `${groupKind} goes to ${path}`);
        }
      }
      // What they never judge the API server skips: UPDATEs that leave the pod template alone.
      for (const webhook of webhooks) assert.ok((webhook.matchConditions as Obj[] | undefined)?.length, `${webhook.name} has matchConditions`);
    }
  });

  it('sends the CEL policies what their match constraints name, under their own failurePolicy', async () => {
    const policiesYaml = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: a}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [DELETE, UPDATE], resources: [configmaps]}]
  validations: [{expression: "true"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: b}
spec:
  failurePolicy: Ignore
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CONNECT], resources: [pods/exec]}]
  validations: [{expression: "true"}]
`;
    const objects = (await installManifests({ namespace: 'guard', replicas: 2, image: 'x', mutate: false, policiesYaml })) as Obj[];
    const webhooks = (objects.find((object) => object.kind === 'ValidatingWebhookConfiguration') as Obj).webhooks as Obj[];
    const byName = new Map(webhooks.map((webhook) => [webhook.name, webhook]));
    const strict = byName.get('policies.validate.bulwark.dev') as Obj;
    assert.deepEqual([strict.failurePolicy, strict.clientConfig.service.path, strict.rules], ['Fail', '/validate/policies', [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE', 'UPDATE'], resources: ['configmaps'] }]]);
    const lenient = byName.get('policies-ignore.validate.bulwark.dev') as Obj;
    assert.deepEqual([lenient.failurePolicy, lenient.rules[0].resources], ['Ignore', ['pods/exec']]);
  });

  it('leaves out the mutating webhook unless asked', async () => {
    const objects = await installManifests({ namespace: 'guard', replicas: 2, image: 'x', mutate: false });
    assert.equal(objects.filter((object) => object['kind'] === 'MutatingWebhookConfiguration').length, 0);
    await assert.rejects(installManifests({ namespace: 'guard', replicas: 1, image: 'x', mutate: false }), /at least 2/);
  });

  it('bulwark scan of the printed manifests has no Pod Security restricted finding', async () => {
    const file = join(dir, 'install.yaml');
    writeFileSync(file, await renderInstall({ namespace: 'bulwark-system', replicas: 2, image: 'ghcr.io/bulwark-dev/bulwark:0.1.0', mutate: true }));
    const result = spawnSync(process.execPath, [bin, 'scan', file, '--pss-level', 'restricted', '--format', 'json'], { encoding: 'utf8' });
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    const findings = (JSON.parse(result.stdout) as { findings: { control: string; frameworks: { pss?: string } }[] }).findings;
    assert.deepEqual(findings.filter((finding) => finding.frameworks.pss !== undefined).map((finding) => finding.control), []);
  });

  it('the CLI prints --emit-vap policies', () => {
    const result = spawnSync(process.execPath, [bin, 'admission', 'install', '--emit-vap'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /kind: ValidatingAdmissionPolicy\n/);
    assert.match(result.stdout, /kind: ValidatingAdmissionPolicyBinding\n/);
  });

  it('a missing --config or --policy is a typed error naming the file once', async () => {
    const config = join(dir, 'no-such-config.yaml');
    await assert.rejects(
      loadConfig(config),
      (error: unknown) => error instanceof BulwarkError && error.code === 'E_IO' && error.toString() === `${config}: cannot read the admission configuration: no such file or directory`,
    );
    const missingConfig = spawnSync(process.execPath, [bin, 'admission', 'install', '-c', config], { encoding: 'utf8' });
    assert.equal(missingConfig.status, 2);
    assert.equal(missingConfig.stderr, `bulwark: ${config}: cannot read the admission configuration: no such file or directory\n`);

    const policy = join(dir, 'no-such-policy.yaml');
    await assert.rejects(userPolicies([policy]), (error: unknown) => error instanceof BulwarkError && error.code === 'E_INPUT');
    for (const extra of [[], ['--emit-vap']]) {
      const missingPolicy = spawnSync(process.execPath, [bin, 'admission', 'install', ...extra, '--policy', policy], { encoding: 'utf8' });
      assert.equal(missingPolicy.status, 2);
      assert.doesNotMatch(missingPolicy.stderr, /::/);
      assert.equal(missingPolicy.stderr.split(policy).length - 1, 1, missingPolicy.stderr);
    }

    const broken = join(dir, 'broken-policy.yaml');
    writeFileSync(broken, 'a: [\n');
    const brokenPolicy = spawnSync(process.execPath, [bin, 'admission', 'install', '--policy', broken], { encoding: 'utf8' });
    assert.equal(brokenPolicy.status, 2);
    assert.match(brokenPolicy.stderr, /^bulwark: .*broken-policy\.yaml:2:1: invalid YAML/);
  });
});
