// The webhook registered with a real kube-apiserver (testenv), exercised through real API calls: what a
// user's kubectl sees when Bulwark refuses, warns, rewrites a tag to its digest, or checks a signature
// against a real registry; dry runs; and a webhook that is down with failurePolicy Ignore.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, AppsV1Api, ApiException, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { webhookCertificates, type WebhookCertificates } from '../../src/admission/certificates.ts';
import { serveAdmission } from '../../src/admission/serve.ts';
import { podSecurityBaselinePolicy } from '../../src/admission/vap.ts';
import { compliantContainer, deployment, pod, privilegedContainer } from '../../src/admission/testing/reviews.ts';
import type { RunningServer } from '../../src/server/index.ts';
import { pushImage, type PushedImage } from '../../src/trust/testing/images.ts';
import { missingControlPlane, startControlPlane, type ControlPlane } from '../../testenv/index.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { repoRoot } from '../support/shared.ts';

const missing = missingControlPlane();
const registryGone = registryMissing();

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function bulwark(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd, env: { ...process.env, BULWARK_PASSPHRASE: 'test-pass' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What kubectl does for `kubectl create -f pod.yaml`: a POST, whose Warning headers it prints. */
function createRaw(plane: ControlPlane, path: string, body: unknown): Promise<{ status: number; warnings: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${plane.server}${path}`,
      { method: 'POST', ca: plane.ca.cert, cert: plane.admin.cert, key: plane.admin.key, headers: { 'content-type': 'application/json' }, agent: false, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const header = res.headers['warning'];
          const warnings = (Array.isArray(header) ? header : header === undefined ? [] : [header]).flatMap((value) => value.split(/,\s*(?=299 )/));
          resolve({ status: res.statusCode ?? 0, warnings, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function denialMessage(error: unknown): string {
  assert.ok(error instanceof ApiException, String(error));
  return (JSON.parse(String(error.body)) as { message: string }).message;
}

describe('bulwark admission with a real kube-apiserver', () => {
  let plane: ControlPlane;
  let registry: TestRegistry | undefined;
  let server: RunningServer;
  let pki: WebhookCertificates;
  let dir: string;
  let admin: KubeConfig;
  let core: CoreV1Api;
  let signed: PushedImage | undefined;
  let unsigned: PushedImage | undefined;
  let tagged: PushedImage | undefined;

  before(async () => {
    if (missing !== false) return;
    dir = mkdtempSync(join(tmpdir(), 'bulwark-admission-it-'));
    const started = Date.now();
    plane = await startControlPlane();
    admin = new KubeConfig();
    admin.loadFromFile(plane.kubeconfigPath);
    core = admin.makeApiClient(CoreV1Api);

    const config: string[] = ['apiVersion: bulwark.dev/v1alpha1', 'kind: AdmissionConfiguration', 'mutations: {resolveDigests: true}'];
    if (registryGone === false) {
      registry = await startRegistry();
      tagged = await pushImage(registry.host, 'shop/web', '1.0');
      signed = await pushImage(registry.host, 'signed/app', 'v1');
      unsigned = await pushImage(registry.host, 'signed/other', 'v1');
      const key = await bulwark(['key', 'generate', '-o', 'release', '--format', 'pkcs8'], dir);
      assert.equal(key.status, 0, key.stderr);
      const sign = await bulwark(['sign', 'image', signed.reference, '--key', 'release.key'], dir);
      assert.equal(sign.status, 0, sign.stderr);
      writeFileSync(
        join(dir, 'trust.yaml'),
        `apiVersion: bulwark.dev/v1\nkind: ImageTrustPolicy\nauthorities:\n  - name: release\n    keys: [release.pub]\nrules:\n  - name: signed-apps\n    images: ["${registry.host}/signed/**"]\n    signatures: { authorities: [release] }\ndefaultAction: allow\n`,
      );
      config.push('signatures: {trustPolicy: trust.yaml, timeoutMs: 2000}');
    }
    // CEL policies that need the old object (UPDATE) or see a DELETE, served by /validate/policies.
    writeFileSync(
      join(dir, 'policies.yaml'),
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: keep-team}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [configmaps]}]
  validations:
    - expression: "oldObject.metadata.labels[?'team'] == object.metadata.labels[?'team']"
      messageExpression: "'the team label may not change from ' + oldObject.metadata.labels[?'team'].orValue('none')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: protected}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [DELETE], resources: [configmaps]}]
    objectSelector: {matchLabels: {protected: "true"}}
  validations:
    - expression: "object == null && oldObject.metadata.labels['protected'] != 'true'"
      message: protected objects may not be deleted
`,
    );
    config.push('policies: {paths: [policies.yaml]}');
    writeFileSync(join(dir, 'admission.yaml'), `${config.join('\n')}\n`);
    pki = await webhookCertificates(['127.0.0.1']);
    writeFileSync(join(dir, 'tls.crt'), pki.cert);
    writeFileSync(join(dir, 'tls.key'), pki.key);
    server = await serveAdmission({
      configFile: join(dir, 'admission.yaml'),
      certFile: join(dir, 'tls.crt'),
      keyFile: join(dir, 'tls.key'),
      host: '127.0.0.1',
      port: 0,
      kubeconfig: plane.kubeconfigPath,
    });
    await register('Fail', server.port);
    // The API server learns registrations from its own informer: wait until ours is in force.
    await eventually('the webhook to be in force', async () => {
      try {
        await core.createNamespacedPod({ namespace: 'default', body: pod(`probe-${Date.now()}`, [privilegedContainer()], 'default') as V1Pod, dryRun: 'All' });
        return undefined;
      } catch (error) {
        return error instanceof ApiException && error.code === 403 ? true : undefined;
      }
    });
    process.stderr.write(`# control plane + registry + webhook ready in ${Date.now() - started} ms\n`);
  });

  after(async () => {
    await server?.close();
    await plane?.stop();
    await registry?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function register(failurePolicy: 'Fail' | 'Ignore', port: number): Promise<void> {
    const api = admin.makeApiClient(AdmissionregistrationV1Api);
    const caBundle = Buffer.from(pki.caCert).toString('base64');
    const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-node-lease', 'vap-only'] }] };
    const common = { sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 3, failurePolicy, namespaceSelector };
    for (const name of ['bulwark-admission']) {
      await api.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined);
      await api.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
    }
    await api.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'bulwark-admission' },
        webhooks: [{ name: 'pods.mutate.bulwark.dev', ...common, reinvocationPolicy: 'Never', clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle }, rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }],
      },
    });
    await api.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'bulwark-admission' },
        webhooks: [
          { name: 'pods.validate.bulwark.dev', ...common, clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle }, rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }] },
          { name: 'workloads.validate.bulwark.dev', ...common, clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle }, rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
          { name: 'policies.validate.bulwark.dev', ...common, clientConfig: { url: `https://127.0.0.1:${port}/validate/policies`, caBundle }, rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE', 'DELETE'], resources: ['configmaps'] }] },
        ],
      },
    });
  }

  it('refuses a privileged Pod with a message that says what to fix', { skip: missing }, async () => {
    const error = await core.createNamespacedPod({ namespace: 'default', body: pod('privileged', [privilegedContainer()], 'default') as V1Pod }).then(() => null, (caught: unknown) => caught);
    assert.ok(error instanceof ApiException && error.code === 403, String(error));
    const message = denialMessage(error);
    assert.match(message, /^admission webhook "pods\.validate\.bulwark\.dev" denied the request: \[PodSecurity "baseline:latest"\] Privileged container: container "app" sets securityContext\.privileged=true\. Fix: Remove `securityContext\.privileged`/);
  });

  it('refuses a Deployment with a privileged template at once', { skip: missing }, async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    const error = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('bad', [privilegedContainer()], 'default') as never }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(error), /workloads\.validate\.bulwark\.dev" denied the request: .*privileged=true/);
    const ok = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('good', [compliantContainer()], 'default') as never });
    assert.equal(ok.metadata?.name, 'good');
  });

  it('admits a compliant Pod with no warning; warns (admitted) on one that is only baseline', { skip: missing }, async () => {
    const good = await createRaw(plane, '/api/v1/namespaces/default/pods', pod('compliant', [compliantContainer('app', 'registry.example.com/shop/web@sha256:' + 'a'.repeat(64))], 'default'));
    assert.equal(good.status, 201, good.body);
    assert.deepEqual(good.warnings, []);
    const loose = await createRaw(plane, '/api/v1/namespaces/default/pods', pod('loose', [{ name: 'app', image: 'registry.example.com/shop/web@sha256:' + 'a'.repeat(64) }], 'default'));
    assert.equal(loose.status, 201, loose.body);
    assert.ok(loose.warnings.some((warning) => /^299 - "\[PodSecurity \\"restricted:latest\\"\] Container may run as root: .*runAsNonRoot=true\. Fix: /.test(warning)), loose.warnings.join('\n'));
  });

  it('follows the namespace labels, read through the namespace watch', { skip: missing }, async () => {
    await core.createNamespace({ body: { metadata: { name: 'strict', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    const error = await core.createNamespacedPod({ namespace: 'strict', body: pod('loose', [{ name: 'app', image: 'registry.example.com/x@sha256:' + 'a'.repeat(64) }], 'strict') as V1Pod }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(error), /PodSecurity "restricted:latest"/);
  });

  it('UPDATE carries the old object to CEL policies: a label change is refused, other updates pass; a protected DELETE is refused', { skip: missing }, async () => {
    const configMap = (name: string, labels: Record<string, string>, value: string) => ({ metadata: { name, labels }, data: { k: value } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('owned', { team: 'a' }, 'v') });
    const relabel = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'owned', body: configMap('owned', { team: 'b' }, 'v') }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(relabel), /^admission webhook "policies\.validate\.bulwark\.dev" denied the request: \[policy keep-team\] the team label may not change from a/);
    const edited = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'owned', body: configMap('owned', { team: 'a' }, 'w') });
    assert.equal(edited.data?.['k'], 'w');
    assert.equal((await core.readNamespacedConfigMap({ namespace: 'default', name: 'owned' })).metadata?.labels?.['team'], 'a');

    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('kept', { protected: 'true' }, 'v') });
    const removal = await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'kept' }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(removal), /\[policy protected\] protected objects may not be deleted/);
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'owned' });
  });

  it('dry-run requests are judged and leave nothing behind', { skip: missing }, async () => {
    const refused = await core.createNamespacedPod({ namespace: 'default', body: pod('dry-bad', [privilegedContainer()], 'default') as V1Pod, dryRun: 'All' }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(refused), /privileged/);
    const admitted = await core.createNamespacedPod({ namespace: 'default', body: pod('dry-good', [compliantContainer('app', 'registry.example.com/shop/web@sha256:' + 'a'.repeat(64))], 'default') as V1Pod, dryRun: 'All' });
    assert.equal(admitted.metadata?.name, 'dry-good');
    await assert.rejects(core.readNamespacedPod({ namespace: 'default', name: 'dry-good' }), (error: ApiException<unknown>) => error.code === 404);
  });

  it('rewrites a tag to the digest it names in the real registry', { skip: missing || registryGone }, async () => {
    const image = tagged as PushedImage;
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('pinned', [compliantContainer('app', image.reference)], 'default') as V1Pod });
    assert.equal(created.spec?.containers[0]?.image, `${image.reference}@${image.digest}`);
    const stored = await core.readNamespacedPod({ namespace: 'default', name: 'pinned' });
    assert.equal(stored.spec?.containers[0]?.image, `${image.reference}@${image.digest}`);
  });

  it('admits a signed image and refuses an unsigned one', { skip: missing || registryGone }, async () => {
    const good = await core.createNamespacedPod({ namespace: 'default', body: pod('signed', [compliantContainer('app', (signed as PushedImage).reference)], 'default') as V1Pod });
    assert.equal(good.spec?.containers[0]?.image, `${(signed as PushedImage).reference}@${(signed as PushedImage).digest}`);
    const error = await core.createNamespacedPod({ namespace: 'default', body: pod('unsigned', [compliantContainer('app', (unsigned as PushedImage).reference)], 'default') as V1Pod }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(error), /\[signatures\] image .*signed\/other:v1@sha256:[0-9a-f]{64} is not signed as trust policy rule signed-apps requires: .*no-signatures/);
  });

  it('--emit-vap policies enforce baseline on the real API server, without the webhook', { skip: missing }, async () => {
    const api = admin.makeApiClient(AdmissionregistrationV1Api);
    const [policy, binding] = podSecurityBaselinePolicy([]) as [Record<string, any>, Record<string, any>];
    // Bound to one namespace the webhook does not see, so only the native policy decides there.
    binding.spec.matchResources = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vap-only' } } };
    await core.createNamespace({ body: { metadata: { name: 'vap-only' } } });
    await api.createValidatingAdmissionPolicy({ body: policy as never });
    await api.createValidatingAdmissionPolicyBinding({ body: binding as never });
    // (status.typeChecking is written by kube-controller-manager, which the test control plane does not run.)
    const apps = admin.makeApiClient(AppsV1Api);
    const message = await eventually('the policy to deny', async () => {
      const error = await core.createNamespacedPod({ namespace: 'vap-only', body: pod(`vap-${Date.now()}`, [privilegedContainer()], 'vap-only') as V1Pod }).then(() => null, (caught: unknown) => caught);
      return error === null ? undefined : denialMessage(error);
    });
    assert.match(message, /ValidatingAdmissionPolicy 'bulwark-pod-security-baseline' with binding 'bulwark-pod-security-baseline' denied request: \[pss-privileged\]/);
    const template = await apps.createNamespacedDeployment({ namespace: 'vap-only', body: deployment('vap-bad', [{ ...compliantContainer(), securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }], 'vap-only') as never }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(template), /\[pss-capabilities-baseline\]/);
    const hostProbe = await core.createNamespacedPod({ namespace: 'vap-only', body: pod('vap-probe', [{ ...compliantContainer(), livenessProbe: { httpGet: { path: '/', port: 80, host: '10.0.0.1' } } }], 'vap-only') as V1Pod }).then(() => null, (caught: unknown) => caught);
    assert.match(denialMessage(hostProbe), /\[pss-host-probes-and-host-lifecycle\]/);
    const fine = await core.createNamespacedPod({ namespace: 'vap-only', body: pod('vap-good', [{ ...compliantContainer(), livenessProbe: { httpGet: { path: '/', port: 80 } }, lifecycle: { preStop: { sleep: { seconds: 1 } } } }], 'vap-only') as V1Pod });
    assert.equal(fine.metadata?.name, 'vap-good');
    const good = await apps.createNamespacedDeployment({ namespace: 'vap-only', body: deployment('vap-good', [compliantContainer()], 'vap-only') as never });
    assert.equal(good.metadata?.name, 'vap-good');
  });

  it('a webhook that is down with failurePolicy Ignore does not block the cluster', { skip: missing }, async () => {
    const port = server.port;
    await server.close();
    await register('Ignore', port);
    const started = Date.now();
    const created = await eventually('pods to be admitted with the webhook down', async () => {
      try {
        return await core.createNamespacedPod({ namespace: 'default', body: pod(`while-down-${Date.now()}`, [privilegedContainer()], 'default') as V1Pod });
      } catch {
        return undefined;
      }
    });
    assert.ok(created.metadata?.name?.startsWith('while-down-'));
    process.stderr.write(`# admitted with the webhook down after ${Date.now() - started} ms\n`);
  });
});
