// The test control plane against itself: a real etcd and kube-apiserver (built by testenv/build.sh),
// driven with the official Kubernetes client through the kubeconfig it writes. One start covers the
// identities, RBAC, encryption at rest, auditing and admission webhooks; a second, failing one
// covers the error path. Skips, naming what is missing, when the binaries are not built.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiException, AdmissionregistrationV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { BulwarkError } from '../../src/core/errors.ts';
import {
  createCertificateAuthority,
  encryptionConfiguration,
  etcdGet,
  etcdKeys,
  issueCertificate,
  missingControlPlane,
  startControlPlane,
  type ControlPlane,
} from '../../testenv/index.ts';
import { httpsRequest } from '../../testenv/https-client.ts';
import { isAlive } from '../../testenv/processes.ts';

// Each test skips on its own (rather than the suite) so the runner counts and names every skip.
const missing = missingControlPlane();
const NAMESPACE = 'bulwark-it';
const SECRET_VALUE = 'correct-horse-battery-staple';

/** Pids of the processes whose command line mentions `text` (a control plane's directory). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function readJson(req: import('node:http').IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>));
    req.on('error', reject);
  });
}

interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

describe('a real control plane', () => {
  let plane: ControlPlane;
  let admin: KubeConfig;
  let restricted: KubeConfig;
  const auditEvents: AuditEvent[] = [];
  let auditReceiver: Server;
  let webhookServer: Server | undefined;

  before(async () => {
    if (missing !== false) return;
    // The audit receiver must be known before the start; it gets its own CA, as a real sink would.
    const sinkCa = await createCertificateAuthority('audit-sink-ca');
    const sinkCert = await issueCertificate(sinkCa, { commonName: 'audit-sink', hosts: ['127.0.0.1'], usages: ['server'] });
    auditReceiver = createServer({ cert: sinkCert.cert, key: sinkCert.key }, (req, res) => {
      void readJson(req).then((body) => {
        auditEvents.push(...((body.items as AuditEvent[] | undefined) ?? []));
        res.end('{}');
      });
    });
    const auditPort = await listen(auditReceiver);
    plane = await startControlPlane({
      encryption: encryptionConfiguration('aescbc', ['secrets']),
      audit: { webhook: { url: `https://127.0.0.1:${auditPort}/events`, ca: sinkCa.cert }, log: true },
    });
    admin = new KubeConfig();
    admin.loadFromFile(plane.kubeconfigPath);
    restricted = new KubeConfig();
    restricted.loadFromFile(plane.kubeconfigPath);
    restricted.setCurrentContext(plane.restricted.context);
  });

  after(async () => {
    await plane?.stop();
    auditReceiver?.close();
    webhookServer?.close();
  });

  it('started within its bound, reporting where time went', { skip: missing }, (t) => {
    t.diagnostic(`start timings (ms): ${JSON.stringify(plane.timings)}`);
    assert.ok(plane.timings.totalMs < 60_000);
    assert.match(plane.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(isAlive(plane.pids.etcd) && isAlive(plane.pids.kubeApiserver));
  });

  it('the admin (system:masters) creates a namespace and a Secret through the kubeconfig', { skip: missing }, async () => {
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    const created = await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: { metadata: { name: 'db' }, stringData: { password: SECRET_VALUE } },
    });
    assert.equal(created.metadata?.name, 'db');
    const read = await core.readNamespacedSecret({ namespace: NAMESPACE, name: 'db' });
    assert.equal(Buffer.from(read.data!.password!, 'base64').toString(), SECRET_VALUE);
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'settings' }, data: { mode: 'plain-visible-value' } } });
  });

  it('the restricted user is authenticated but forbidden (403) until a binding grants it', { skip: missing }, async () => {
    const core = restricted.makeApiClient(CoreV1Api);
    await assert.rejects(core.readNamespacedSecret({ namespace: NAMESPACE, name: 'db' }), (error: ApiException<unknown>) => {
      assert.equal(error.code, 403);
      assert.match(String(error.body), /User \\?"bulwark-restricted\\?" cannot get resource \\?"secrets\\?"/);
      return true;
    });
    // The same users through the static token file.
    const tls = { ca: plane.ca.cert };
    const get = (token: string) =>
      httpsRequest(`${plane.server}/api/v1/namespaces/${NAMESPACE}/secrets`, tls, { headers: { authorization: `Bearer ${token}` }, timeoutMs: 5000, maxBytes: 1 << 20 });
    assert.equal((await get(plane.restricted.token)).status, 403);
    assert.equal((await get(plane.admin.token)).status, 200);
    assert.equal((await get('not-a-token')).status, 401);
  });

  it('a SubjectAccessReview answers for each user, and follows a new RoleBinding', { skip: missing }, async () => {
    const authz = admin.makeApiClient(AuthorizationV1Api);
    const canGetSecrets = async (user: string, groups: string[]): Promise<boolean> => {
      const review = await authz.createSubjectAccessReview({
        body: { spec: { user, groups, resourceAttributes: { namespace: NAMESPACE, verb: 'get', resource: 'secrets', name: 'db' } } },
      });
      return review.status?.allowed === true;
    };
    assert.equal(await canGetSecrets(plane.admin.user, plane.admin.groups), true);
    assert.equal(await canGetSecrets(plane.restricted.user, plane.restricted.groups), false);

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: NAMESPACE,
      body: { metadata: { name: 'read-db' }, rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'read-db' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-db' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: plane.restricted.user }],
      },
    });
    // The RBAC authorizer reads bindings from its informer: allow it a moment.
    await eventually('the binding to take effect', async () => ((await canGetSecrets(plane.restricted.user, [])) ? true : undefined));
    const secret = await restricted.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: NAMESPACE, name: 'db' });
    assert.equal(secret.metadata?.name, 'db');
  });

  it('Secrets are stored encrypted (aescbc) in etcd; ConfigMaps, not configured, in plain', { skip: missing }, async () => {
    const keys = await etcdKeys(plane.etcd, `${plane.etcd.prefix}/secrets/${NAMESPACE}/`);
    assert.deepEqual(keys, [`${plane.etcd.prefix}/secrets/${NAMESPACE}/db`]);
    const secret = await etcdGet(plane.etcd, `${plane.etcd.prefix}/secrets/${NAMESPACE}/db`);
    assert.ok(secret !== null);
    assert.equal(secret.subarray(0, 'k8s:enc:aescbc:v1:key1:'.length).toString('latin1'), 'k8s:enc:aescbc:v1:key1:');
    assert.equal(secret.includes(SECRET_VALUE), false, 'the value must not be readable in etcd');

    const configMap = await etcdGet(plane.etcd, `${plane.etcd.prefix}/configmaps/${NAMESPACE}/settings`);
    assert.ok(configMap !== null);
    assert.equal(configMap.subarray(0, 4).toString('latin1'), 'k8s\u0000', 'protobuf envelope, unencrypted');
    assert.equal(configMap.includes('plain-visible-value'), true);
    assert.equal(await etcdGet(plane.etcd, `${plane.etcd.prefix}/secrets/${NAMESPACE}/absent`), null);
  });

  it('etcd refuses a client without a certificate of the control plane CA', { skip: missing }, async () => {
    const stranger = await createCertificateAuthority('stranger');
    const cert = await issueCertificate(stranger, { commonName: 'mallory', usages: ['client'] });
    await assert.rejects(etcdGet({ ...plane.etcd, cert: cert.cert, key: cert.key }, '/registry/secrets'));
  });

  it('audit events reach the webhook receiver in quick batches, and the log file', { skip: missing }, async () => {
    const event = await eventually('the Secret creation audit event', async () =>
      auditEvents.find((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.objectRef.name === 'db'),
    );
    assert.equal(event.user.username, plane.admin.user);
    assert.equal(event.objectRef?.namespace, NAMESPACE);
    // Batches are flushed independently: the forbidden request's event may come in a later one.
    const forbidden = await eventually('the forbidden request audit event', async () =>
      auditEvents.find((e) => e.user.username === plane.restricted.user && e.responseStatus?.code === 403),
    );
    assert.equal(forbidden.responseStatus?.code, 403);
    assert.ok(plane.auditLogPath !== null);
    assert.match(readFileSync(plane.auditLogPath, 'utf8'), /"resource":"secrets","namespace":"bulwark-it","name":"db"/);
  });

  it('an admission webhook registered with the control plane CA is called and can deny', { skip: missing }, async () => {
    const serving = await plane.issueCertificate({ commonName: 'deny-webhook', hosts: ['127.0.0.1'], usages: ['server'] });
    webhookServer = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      void readJson(req).then((review) => {
        const request = review.request as { uid: string; name?: string };
        const allowed = !(request.name ?? '').startsWith('forbidden-');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: request.uid, allowed, ...(allowed ? {} : { status: { code: 403, message: 'names starting with forbidden- are denied' } }) },
        }));
      });
    });
    const port = await listen(webhookServer);
    await admin.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'deny-forbidden' },
        webhooks: [{
          name: 'deny.bulwark.test',
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(plane.ca.cert).toString('base64') },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACE } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 5,
        }],
      },
    });
    const core = admin.makeApiClient(CoreV1Api);
    let attempt = 0;
    // The API server picks the registration up from its informer: retry until it is in force.
    const denial = await eventually('the webhook to deny', async () => {
      try {
        await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: `forbidden-${attempt++}` } } });
        return undefined;
      } catch (error) {
        return error as ApiException<unknown>;
      }
    });
    assert.equal(denial.code, 403);
    const status = JSON.parse(String(denial.body)) as { message: string };
    assert.equal(status.message, 'admission webhook "deny.bulwark.test" denied the request: names starting with forbidden- are denied');
    const allowed = await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'welcome' } } });
    assert.equal(allowed.metadata?.name, 'welcome');
  });

  it('stop() leaves no process and no directory, and can be called again', { skip: missing }, async () => {
    const { dir, pids } = plane;
    const started = performance.now();
    await plane.stop();
    const took = performance.now() - started;
    assert.equal(isAlive(pids.etcd), false);
    assert.equal(isAlive(pids.kubeApiserver), false);
    assert.deepEqual(processesMentioning(dir), []);
    assert.equal(existsSync(dir), false);
    assert.ok(took < 25_000, `stop took ${took} ms`);
    await plane.stop();
  });
});

describe('a control plane that cannot start', () => {
  it('fails fast with the log tail of the failing component, leaving nothing behind', { skip: missing }, async () => {
    const dir = join(tmpdir(), `bulwark-testenv-failing-${process.pid}`);
    const started = performance.now();
    await assert.rejects(startControlPlane({ dir, apiserverArgs: ['--no-such-flag=1'] }), (error: BulwarkError) => {
      assert.equal(error.code, 'E_TOOL_FAILED');
      assert.match(error.message, /^kube-apiserver exited with code \d+ during start; last lines of .*kube-apiserver\.log \(removed with its directory unless BULWARK_TESTENV_KEEP=1\):\n/);
      assert.match(error.message, /unknown flag: --no-such-flag/);
      return true;
    });
    assert.ok(performance.now() - started < 30_000);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(processesMentioning(dir), []);
  });
});
