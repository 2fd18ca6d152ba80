// Encryption at rest without etcd, against a real kube-apiserver (testenv): the control plane as a
// cluster shows it — a kubeadm mirror pod of kube-apiserver carrying the very flags the running
// API server was started with (read from /proc), then a self-hosted DaemonSet reading its
// EncryptionConfiguration from a Secret. The control-plane checks run on them though kube-system is
// excluded; the EncryptionConfiguration is judged where it can be read (a Secret volume, or the
// real file passed with --encryption-config) and is a coverage gap naming why where it cannot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect, type ClusterClient } from '../../src/cluster/client.ts';
import { runClusterScan, type ClusterScanOutcome, type ClusterScanRequest } from '../../src/cluster/scan.ts';
import { renderReport } from '../../src/report/index.ts';
import { missingControlPlane, startControlPlane, type ControlPlane } from '../../testenv/index.ts';

const missing = missingControlPlane();
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KEY = randomBytes(32).toString('base64');

function configuration(first: 'identity' | 'aescbc'): Record<string, unknown> {
  const aescbc = { aescbc: { keys: [{ name: 'key1', secret: KEY }] } };
  const identity = { identity: {} };
  return { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources: ['secrets'], providers: first === 'identity' ? [identity, aescbc] : [aescbc, identity] }] };
}

/** A loopback port nothing listens on: an etcd that cannot be reached. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
    });
  });
}

describe('encryption at rest judged from the API server\'s configuration', { skip: missing ?? false }, () => {
  let plane: ControlPlane;
  let client: ClusterClient;
  let args: string[];
  let encryptionFile: string;
  const base = (): ClusterScanRequest => ({ client, cwd: plane.dir, now: new Date('2026-01-01T00:00:00Z'), toolVersion: 'test' });
  const of = (outcome: ClusterScanOutcome, control: string) => outcome.report.findings.filter((f) => f.control === control);
  const warnings = (outcome: ClusterScanOutcome) => outcome.diagnostics.filter((d) => d.level === 'warning').map((d) => d.message);

  before(async () => {
    plane = await startControlPlane({ encryption: configuration('identity') });
    client = await connect({ kubeconfig: plane.kubeconfigPath });
    // The real API server's arguments, as its static pod manifest would hold them.
    const cmdline = `/proc/${plane.pids.kubeApiserver}/cmdline`;
    assert.ok(existsSync(cmdline), `${cmdline} is needed to copy the API server's flags (Linux /proc)`);
    args = readFileSync(cmdline, 'utf8').split('\0').filter((a) => a !== '').slice(1);
    encryptionFile = args.find((a) => a.startsWith('--encryption-provider-config='))!.slice('--encryption-provider-config='.length);
  });
  after(async () => plane?.stop());

  it('without a kube-apiserver pod (a managed control plane) says encryption at rest was not verified, and why', async () => {
    const outcome = await runClusterScan(base());
    assert.equal(outcome.encryptionAtRest?.verifiedBy, 'none');
    assert.ok(warnings(outcome).some((m) => /^coverage gap: encryption at rest not verified: no kube-apiserver pod in kube-system: the control plane is managed/.test(m)), JSON.stringify(warnings(outcome)));
    assert.equal(outcome.exitCode, 0);
  });

  it('runs the control-plane checks on a kubeadm mirror pod, kept though kube-system is excluded, and names the hostPath file it cannot read', async () => {
    await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1' } });
    const node = (await client.get('/api/v1/nodes/cp-1')) as { metadata: { uid: string } };
    await client.post('/api/v1/namespaces/kube-system/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'kube-apiserver-cp-1',
        labels: { component: 'kube-apiserver', tier: 'control-plane' },
        annotations: { 'kubernetes.io/config.mirror': 'b5d2f0c8', 'kubernetes.io/config.source': 'file' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'cp-1', uid: node.metadata.uid, controller: true }],
      },
      spec: {
        nodeName: 'cp-1',
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.37.2', command: ['kube-apiserver', ...args], volumeMounts: [{ name: 'config', mountPath: dirname(encryptionFile), readOnly: true }] }],
        volumes: [{ name: 'config', hostPath: { path: dirname(encryptionFile), type: 'DirectoryOrCreate' } }],
      },
    });
    const outcome = await runClusterScan(base());
    const onPod = outcome.report.findings.filter((f) => f.object.kind === 'Pod' && f.object.name === 'kube-apiserver-cp-1');
    const controls = new Set(onPod.map((f) => f.control));
    // Flags the testenv API server really runs with: a static token file, the ServiceAccount plugin off.
    assert.ok(controls.has('apiserver-token-auth-file') && controls.has('apiserver-service-account-plugin'), JSON.stringify([...controls]));
    assert.ok(!controls.has('apiserver-encryption-provider-config') && !controls.has('apiserver-profiling'));
    assert.ok([...controls].every((c) => c.startsWith('apiserver-')), 'only control-plane findings in an excluded kube-system');
    assert.equal(onPod[0]!.location.file, 'cluster://admin');
    assert.match(onPod.find((f) => f.control === 'apiserver-token-auth-file')!.location.path, /^spec\.containers\[0\]\.command\[\d+\]$/);
    assert.equal(outcome.encryptionAtRest?.verifiedBy, 'none');
    assert.deepEqual(outcome.encryptionAtRest?.apiServers, [{ pod: 'kube-system/kube-apiserver-cp-1', config: encryptionFile, source: `the node's file ${encryptionFile} (hostPath volume)`, read: false }]);
    assert.ok(warnings(outcome).some((m) => m.includes('reads its EncryptionConfiguration') && m.includes('--encryption-config FILE')), JSON.stringify(warnings(outcome)));
  });

  it('judges the file the API server really reads when it is passed with --encryption-config, at its lines, never echoing the key', async () => {
    const outcome = await runClusterScan({ ...base(), encryptionConfig: encryptionFile });
    assert.equal(outcome.encryptionAtRest?.verifiedBy, 'configuration');
    assert.deepEqual(outcome.encryptionAtRest?.gaps, []);
    const identity = of(outcome, 'encryption-identity-first');
    assert.equal(identity.length, 1);
    assert.equal(identity[0]!.location.file, encryptionFile);
    assert.equal(identity[0]!.location.path, 'resources[0].providers[0]');
    assert.ok(!renderReport(outcome.report, 'json').includes(KEY), 'no key material in the report');
    assert.equal(outcome.exitCode, 0);
  });

  it('reads a self-hosted control plane\'s EncryptionConfiguration from a Secret volume', async () => {
    // No kubelet confirms a graceful deletion here: delete at once.
    await client.delete('/api/v1/namespaces/kube-system/pods/kube-apiserver-cp-1?gracePeriodSeconds=0');
    const text = JSON.stringify(configuration('aescbc'));
    await client.post('/api/v1/namespaces/kube-system/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kube-apiserver-encryption' }, stringData: { 'encryption.yaml': text } });
    const labels = { 'k8s-app': 'kube-apiserver', tier: 'control-plane' };
    await client.post('/apis/apps/v1/namespaces/kube-system/daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-apiserver', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            hostNetwork: true,
            containers: [
              {
                name: 'kube-apiserver',
                image: 'registry.k8s.io/kube-apiserver:v1.37.2',
                command: ['/usr/local/bin/kube-apiserver', '--anonymous-auth=false', '--encryption-provider-config=/etc/kubernetes/secrets/encryption.yaml'],
                volumeMounts: [{ name: 'secrets', mountPath: '/etc/kubernetes/secrets', readOnly: true }],
              },
            ],
            volumes: [{ name: 'secrets', secret: { secretName: 'kube-apiserver-encryption' } }],
          },
        },
      },
    });
    const outcome = await runClusterScan(base());
    assert.equal(outcome.encryptionAtRest?.verifiedBy, 'configuration');
    assert.deepEqual(outcome.encryptionAtRest?.gaps, []);
    const local = of(outcome, 'encryption-local-key-provider');
    assert.deepEqual(local.map((f) => [f.object.kind, f.object.namespace, f.object.name, f.location.file]), [['EncryptionConfiguration', 'kube-system', 'kube-apiserver-encryption', 'cluster://admin']]);
    assert.match(local[0]!.message, /aescbc and 1 key stored in this file/);
    assert.ok(of(outcome, 'apiserver-token-auth-file').length === 0 && of(outcome, 'apiserver-authorization-rbac').some((f) => f.object.kind === 'DaemonSet'));
    assert.ok(outcome.diagnostics.some((d) => d.level === 'note' && /from Secret kube-system\/kube-apiserver-encryption key encryption\.yaml/.test(d.message)));
    assert.ok(!renderReport(outcome.report, 'json').includes(KEY), 'no key material in the report');
  });

  it('falls back to the configuration when etcd cannot be reached, with an error (exit 2) saying so', async () => {
    const port = await closedPort();
    const outcome = await runClusterScan({ ...base(), etcd: { endpoint: `https://127.0.0.1:${port}`, certFile: plane.etcd.certPath, keyFile: plane.etcd.keyPath, caFile: plane.etcd.caPath, timeoutMs: 5000 } });
    assert.equal(outcome.exitCode, 2);
    assert.equal(outcome.encryption, undefined);
    assert.equal(outcome.encryptionAtRest?.verifiedBy, 'configuration');
    assert.ok(outcome.diagnostics.some((d) => d.level === 'error' && /cannot reach etcd .*judged from the API server's configuration instead/.test(d.message)));
    assert.ok(of(outcome, 'encryption-local-key-provider').length === 1);
  });

  it('names the missing permission when the credentials cannot list pods', async () => {
    const outcome = await runClusterScan({ kubeconfig: plane.kubeconfigPath, context: 'restricted', cwd: plane.dir, now: new Date(), toolVersion: 'test' });
    assert.ok(warnings(outcome).some((m) => /encryption at rest not verified: pods cannot be listed with these credentials/.test(m)), JSON.stringify(warnings(outcome)));
  });

  it('works end to end through the CLI: JSON on stdout, the encryption verdict on stderr', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), 'cluster', 'scan', '--kubeconfig', plane.kubeconfigPath, '--format', 'json', '--encryption-config', encryptionFile], {
      cwd: plane.dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /encryption at rest: judged from the API server's configuration/);
    const report = JSON.parse(run.stdout) as { findings: { control: string; location: { file: string } }[] };
    assert.ok(report.findings.some((f) => f.control === 'encryption-identity-first' && f.location.file === encryptionFile));
    assert.ok(report.findings.some((f) => f.control === 'encryption-local-key-provider' && f.location.file === 'cluster://admin'));
    const usage = spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), 'cluster', 'scan', '--kubeconfig', plane.kubeconfigPath, '--exclude-namespaces', 'Kube_System'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--exclude-namespaces: "Kube_System" is not a namespace name or glob/);
  });
});
