// The audit receiver behind a real kube-apiserver (testenv): the API server runs with Bulwark's
// recommended audit policy and its webhook backend pointed at `bulwark audit serve` (in-process).
// Real requests — a privileged pod, a Secret created and read, an exec, a ClusterRoleBinding to
// cluster-admin, a Secret read refused — must land in the ledger and raise their detections, and
// the ledger must then verify.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { recommendedAuditPolicyYaml, serveAudit, type RunningAudit } from '../../src/audit/index.ts';
import { initLedger, openLedger, verifyLedger } from '../../src/ledger/index.ts';
import { createCertificateAuthority, issueCertificate, missingControlPlane, startControlPlane, type ControlPlane, type Identity } from '../../testenv/index.ts';

const missing = missingControlPlane();

function call(plane: ControlPlane, who: Identity, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${plane.server}${path}`,
      { method, ca: plane.ca.cert, cert: who.cert, key: who.key, headers: { 'content-type': 'application/json' }, agent: false, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface AlertLine {
  rule: string;
  falco: string | null;
  auditID: string;
  user: string;
  message: string;
}

describe('bulwark audit serve with a real kube-apiserver', { skip: missing }, () => {
  let dir: string;
  let plane: ControlPlane;
  let audit: RunningAudit;
  const alerts: AlertLine[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-it-'));
    const ledgerDir = join(dir, 'ledger');
    await initLedger({ dir: ledgerDir, checkpointEveryMs: 0 });
    const ca = await createCertificateAuthority('audit-receiver-ca');
    const serving = await issueCertificate(ca, { commonName: 'bulwark-audit', hosts: ['127.0.0.1'], usages: ['server'] });
    writeFileSync(join(dir, 'tls.crt'), serving.cert);
    writeFileSync(join(dir, 'tls.key'), serving.key, { mode: 0o600 });
    const stream = new PassThrough();
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line !== '') alerts.push(JSON.parse(line) as AlertLine);
    });
    audit = await serveAudit({ ledgerDir, listen: { port: 0, host: '127.0.0.1', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, alertStream: stream });
    plane = await startControlPlane({ audit: { policy: recommendedAuditPolicyYaml(), webhook: { url: audit.url!, ca: ca.cert } } });
  });

  after(async () => {
    await plane?.stop();
    await audit?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const waitFor = async (what: string, found: () => boolean): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!found()) {
      if (Date.now() > deadline) assert.fail(`${what}: no such alert within 30 s; alerts so far: ${alerts.map((a) => a.rule).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  it('records real API requests and raises their detections; the ledger verifies', async () => {
    const admin = plane.admin;
    const privileged = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root-shell' }, spec: { containers: [{ name: 'sh', image: 'busybox:1.36', securityContext: { privileged: true } }], volumes: [{ name: 'host', hostPath: { path: '/etc' } }] } };
    assert.equal((await call(plane, admin, 'POST', '/api/v1/namespaces/default/pods', privileged)).status, 201);
    assert.equal((await call(plane, admin, 'POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2-not-in-any-log' } })).status, 201);
    assert.equal((await call(plane, admin, 'GET', '/api/v1/namespaces/default/secrets/db')).status, 200);
    // No node runs the pod: the API server refuses the exec after authorizing it, which is still an exec attempt.
    const exec = await call(plane, admin, 'POST', '/api/v1/namespaces/default/pods/root-shell/exec?command=id&stdout=true');
    assert.ok(exec.status >= 400, `exec answered ${exec.status}`);
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'mallory-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' }] };
    assert.equal((await call(plane, admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding)).status, 201);
    assert.equal((await call(plane, plane.restricted, 'GET', '/api/v1/namespaces/default/secrets/db')).status, 403);

    const expected: [string, (a: AlertLine) => boolean][] = [
      ['create-privileged-pod', (a) => a.user === admin.user && /root-shell/.test(a.message)],
      ['create-sensitive-mount-pod', (a) => /host_paths=\/etc/.test(a.message)],
      ['secret-read', (a) => a.user === admin.user && /secret=db/.test(a.message)],
      ['exec-attach-pod', (a) => /pod=root-shell .*command=id/.test(a.message)],
      ['attach-cluster-admin-role', (a) => /subjects=mallory/.test(a.message)],
      ['secret-read-denied', (a) => a.user === plane.restricted.user],
    ];
    for (const [rule, matches] of expected) await waitFor(rule, () => alerts.some((a) => a.rule === rule && matches(a)));
    assert.equal(alerts.find((a) => a.rule === 'attach-cluster-admin-role')!.falco, 'Attach to cluster-admin Role');

    // Stop the API server first, so the last batches are delivered, then the receiver.
    await plane.stop();
    const stats = { ...audit.ingestor.stats };
    await audit.close();
    assert.ok(stats.received > 0 && stats.appended >= stats.received - stats.duplicates);

    const ledger = await openLedger({ dir: join(dir, 'ledger'), readOnly: true });
    try {
      const auditIDs = new Set(alerts.map((a) => a.auditID));
      const recorded = new Map<string, string>();
      let secretLeaked = false;
      for await (const entry of ledger.read()) {
        assert.equal(entry.status, 'ok');
        const text = entry.data!.toString('utf8');
        if (text.includes('hunter2-not-in-any-log')) secretLeaked = true;
        const record = JSON.parse(text) as { type: string; event?: { auditID: string; user: { username: string } } };
        if (record.type === 'audit-event' && auditIDs.has(record.event!.auditID)) {
          recorded.set(record.event!.auditID, entry.subject!);
          assert.equal(entry.subject, record.event!.user.username, 'the entry\'s subject is the user who acted');
        }
      }
      for (const id of auditIDs) assert.ok(recorded.has(id), `the event behind alert ${id} is in the ledger`);
      assert.ok(!secretLeaked, 'the Secret\'s value is in no entry (Metadata level)');
      const report = await verifyLedger(ledger);
      assert.deepEqual(report.problems, []);
      assert.ok(report.size > auditIDs.size);
    } finally {
      await ledger.close();
    }
  });
});
