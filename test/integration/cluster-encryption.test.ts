// Encryption at rest, proven from etcd, against a real kube-apiserver: it starts with an
// EncryptionConfiguration that puts `identity` first (writes are plaintext, aescbc is configured
// but unused); Secrets are written; then the same file is rewritten with aescbc first and the API
// server reloads it (--encryption-provider-config-automatic-reload), as an operator enabling
// encryption would. New Secrets are encrypted, the old ones stay plaintext until rewritten — the
// split `cluster scan --etcd-endpoint` must report, with provider and key name.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type ClusterClient } from '../../src/cluster/client.ts';
import { runClusterScan, type ClusterScanOutcome } from '../../src/cluster/scan.ts';
import { etcdGet, missingControlPlane, startControlPlane, type ControlPlane } from '../../testenv/index.ts';

const missing = missingControlPlane();
const KEY = randomBytes(32).toString('base64');

function config(first: 'identity' | 'aescbc'): Record<string, unknown> {
  const aescbc = { aescbc: { keys: [{ name: 'key1', secret: KEY }] } };
  const identity = { identity: {} };
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: first === 'identity' ? [identity, aescbc] : [aescbc, identity] }],
  };
}

describe('encryption at rest read from etcd', { skip: missing ?? false }, () => {
  let plane: ControlPlane;
  let client: ClusterClient;
  let outcome: ClusterScanOutcome;

  const secret = (name: string) => client.post('/api/v1/namespaces/vault/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { value: `value-of-${name}` } });

  before(async () => {
    plane = await startControlPlane({ encryption: config('identity'), apiserverArgs: ['--encryption-provider-config-automatic-reload=true'] });
    client = await connect({ kubeconfig: plane.kubeconfigPath });
    await client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault' } });
    await secret('before-1');
    await secret('before-2');
    // Enable encryption: the API server notices the file change and swaps its transformers.
    writeFileSync(join(plane.dir, 'encryption.yaml'), JSON.stringify(config('aescbc')));
    const deadline = Date.now() + 120_000;
    for (let i = 0; ; i++) {
      await secret(`probe-${i}`);
      const raw = await etcdGet(plane.etcd, `/registry/secrets/vault/probe-${i}`);
      if (raw?.subarray(0, 8).toString() === 'k8s:enc:') break;
      await client.delete(`/api/v1/namespaces/vault/secrets/probe-${i}`);
      if (Date.now() > deadline) assert.fail('the API server did not reload the EncryptionConfiguration within 120 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
    await secret('after-1');
    outcome = await runClusterScan({
      client,
      cwd: plane.dir,
      now: new Date(),
      toolVersion: 'test',
      etcd: { endpoint: plane.etcd.endpoint, certFile: plane.etcd.certPath, keyFile: plane.etcd.keyPath, caFile: plane.etcd.caPath },
    });
  });
  after(async () => plane?.stop());

  it('reports the Secrets written before encryption was enabled, and not the later ones', () => {
    const plaintext = outcome.report.findings.filter((f) => f.control === 'cluster-unencrypted-at-rest' && f.object.namespace === 'vault');
    assert.deepEqual(plaintext.map((f) => f.object.name).sort(), ['before-1', 'before-2']);
    assert.match(plaintext[0]!.message, /written before encryption was enabled/);
    assert.match(plaintext[0]!.message, /aescbc:key1/);
    assert.ok(!JSON.stringify(outcome.report).includes('value-of-'), 'no Secret value in the report');
  });

  it('names the provider and key of each encrypted Secret', () => {
    const stored = outcome.encryption!.objects.filter((o) => o.namespace === 'vault');
    const after1 = stored.find((o) => o.name === 'after-1')!;
    assert.deepEqual(after1.stored, { state: 'encrypted', provider: 'aescbc', keyName: 'key1' });
    assert.deepEqual(stored.find((o) => o.name === 'before-1')!.stored, { state: 'plaintext', format: 'protobuf' });
    assert.ok(outcome.encryption!.summary['secrets']!.encrypted['aescbc:key1']! >= 2);
  });

  it('refuses a plain-http etcd endpoint', async () => {
    await assert.rejects(
      runClusterScan({ client, cwd: plane.dir, now: new Date(), toolVersion: 'test', etcd: { endpoint: 'http://127.0.0.1:2379', certFile: 'x', keyFile: 'x', caFile: 'x' } }),
      (e: Error & { code?: string }) => e.code === 'E_USAGE',
    );
  });
});
