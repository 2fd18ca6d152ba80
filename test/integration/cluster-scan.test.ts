// `bulwark cluster scan` against a real kube-apiserver (testenv): one control plane, seeded with
// namespaces, workloads, risky and safe RBAC, a legacy token Secret and CertificateSigningRequests;
// then the findings, the scope flags, coverage gaps under a restricted identity, and the formats.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name, Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { connect, type ClusterClient } from '../../src/cluster/client.ts';
import { runClusterScan, type ClusterScanOutcome, type ClusterScanRequest } from '../../src/cluster/scan.ts';
import { renderReport } from '../../src/report/index.ts';
import { missingControlPlane, startControlPlane, type ControlPlane } from '../../testenv/index.ts';

const missing = missingControlPlane();

async function csrPem(organization: string, commonName: string): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const csr = await Pkcs10CertificateRequestGenerator.create({ name: new Name(`CN=${commonName}, O=${organization}`), keys, signingAlgorithm: alg }, webcrypto);
  return csr.toString('pem');
}

const rbac = 'rbac.authorization.k8s.io/v1';

async function seed(client: ClusterClient): Promise<void> {
  const create = (path: string, body: Record<string, unknown>) => client.post(path, body);
  for (const name of ['shop', 'secure']) {
    const labels =
      name === 'secure'
        ? Object.fromEntries(['enforce', 'audit', 'warn'].flatMap((m) => [[`pod-security.kubernetes.io/${m}`, 'restricted'], [`pod-security.kubernetes.io/${m}-version`, 'v1.37']]))
        : undefined;
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }
  for (const name of ['ci', 'deployer']) await create('/api/v1/namespaces/shop/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  const privileged = (namespace: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'root', namespace },
    spec: { containers: [{ name: 'app', image: 'busybox', securityContext: { privileged: true } }] },
  });
  await create('/api/v1/namespaces/shop/pods', privileged('shop'));
  await create('/api/v1/namespaces/kube-system/pods', privileged('kube-system'));
  await create('/api/v1/namespaces/shop/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'ci-token', annotations: { 'kubernetes.io/service-account.name': 'ci' } },
    type: 'kubernetes.io/service-account-token',
  });
  await create('/api/v1/namespaces/shop/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2-not-in-findings' } });
  // ci may create pods in shop, where deployer is cluster-admin: an escalation path of two steps.
  await create(`/apis/${rbac}/namespaces/shop/roles`, { apiVersion: rbac, kind: 'Role', metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }] });
  await create(`/apis/${rbac}/namespaces/shop/rolebindings`, {
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'ci-pods' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods' },
    subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'shop' }],
  });
  await create(`/apis/${rbac}/clusterrolebindings`, {
    apiVersion: rbac,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'deployer-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'shop' }],
  });
  // pki/approver may approve kube-apiserver-client CSRs: a certificate naming shop/deployer (cluster-admin).
  // team/owner may patch its own namespace and create pods there: relabel Pod Security, run a privileged pod.
  for (const name of ['pki', 'team']) await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await create('/api/v1/namespaces/pki/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'approver' } });
  await create('/api/v1/namespaces/team/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'owner' } });
  await create(`/apis/${rbac}/clusterroles`, {
    apiVersion: rbac,
    kind: 'ClusterRole',
    metadata: { name: 'client-csr-approver' },
    rules: [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['approve'], resourceNames: ['kubernetes.io/kube-apiserver-client'] },
    ],
  });
  await create(`/apis/${rbac}/clusterrolebindings`, {
    apiVersion: rbac,
    kind: 'ClusterRoleBinding',
    metadata: { name: 'client-csr-approver' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'client-csr-approver' },
    subjects: [{ kind: 'ServiceAccount', name: 'approver', namespace: 'pki' }],
  });
  await create(`/apis/${rbac}/namespaces/team/roles`, {
    apiVersion: rbac,
    kind: 'Role',
    metadata: { name: 'owner' },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['patch'] }, { apiGroups: [''], resources: ['pods'], verbs: ['create'] }],
  });
  await create(`/apis/${rbac}/namespaces/team/rolebindings`, {
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'owner' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'owner' },
    subjects: [{ kind: 'ServiceAccount', name: 'owner', namespace: 'team' }],
  });
  // shop/web mounts the token of an account nothing binds.
  await create('/api/v1/namespaces/shop/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web' } });
  await create('/api/v1/namespaces/shop/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { serviceAccountName: 'web', containers: [{ name: 'web', image: 'web' }] } });
  // The API server refuses system:masters for its own kube-apiserver-client signer; a custom signer
  // holding the cluster CA (some distributions ship one) is where such a request gets through.
  const csr = async (name: string, organization: string, signerName = 'kubernetes.io/kube-apiserver-client') =>
    create('/apis/certificates.k8s.io/v1/certificatesigningrequests', {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(await csrPem(organization, name)).toString('base64'), signerName, usages: ['client auth'] },
    });
  await csr('pending-jane', 'developers');
  const masters = (await csr('evil-admin', 'system:masters', 'corp.example/client')) as Record<string, unknown>;
  const approval = { ...masters, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved by the test' }] } };
  await client.put('/apis/certificates.k8s.io/v1/certificatesigningrequests/evil-admin/approval', approval);
}

describe('cluster scan against kube-apiserver', { skip: missing ?? false }, () => {
  let plane: ControlPlane;
  let client: ClusterClient;
  let full: ClusterScanOutcome;
  const base = (): ClusterScanRequest => ({ kubeconfig: plane.kubeconfigPath, cwd: plane.dir, now: new Date('2026-01-01T00:00:00Z'), toolVersion: 'test' });

  before(async () => {
    plane = await startControlPlane();
    client = await connect({ kubeconfig: plane.kubeconfigPath });
    await seed(client);
    full = await runClusterScan({ ...base(), client });
  });
  after(async () => plane?.stop());

  const of = (outcome: ClusterScanOutcome, control: string) => outcome.report.findings.filter((f) => f.control === control);

  it('runs the static catalog on live objects, located at cluster://<context> with no line', () => {
    const privileged = of(full, 'pss-privileged');
    assert.equal(privileged.length, 1, JSON.stringify(privileged.map((f) => f.object)));
    assert.deepEqual(privileged[0]!.object, { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'root' });
    assert.deepEqual(privileged[0]!.location, { file: 'cluster://admin', line: 0, column: 0, path: 'spec.containers[0].securityContext.privileged' });
    assert.equal(full.exitCode, 0);
    assert.deepEqual(full.coverage.gaps, []);
    assert.ok(full.coverage.listed.includes('/pods') && full.coverage.listed.includes('rbac.authorization.k8s.io/clusterroles'));
  });

  it('reports pods running as the namespace\'s default ServiceAccount (catalog control on live pods)', () => {
    assert.ok(of(full, 'default-service-account').some((f) => f.object.namespace === 'shop' && f.object.name === 'root'));
  });

  it('leaves kube-system and the server\'s own RBAC defaults out of findings by default', () => {
    assert.ok(!full.report.findings.some((f) => f.object.namespace === 'kube-system' || f.object.name === 'kube-system'));
    assert.ok(!full.report.findings.some((f) => f.object.name.startsWith('system:')), 'bootstrap roles are not reported');
  });

  it('reports namespaces without Pod Security Admission labels, and not a fully labelled one', () => {
    const names = of(full, 'cluster-namespace-pod-security-labels').map((f) => f.object.name);
    assert.ok(names.includes('shop') && names.includes('default'));
    assert.ok(!names.includes('secure'));
  });

  it('reports the legacy token Secret and never a Secret value', () => {
    const tokens = of(full, 'cluster-legacy-service-account-token');
    assert.deepEqual(tokens.map((f) => `${f.object.namespace}/${f.object.name}`), ['shop/ci-token']);
    assert.ok(!renderReport(full.report, 'json').includes('hunter2'));
  });

  it('reports the approved system:masters CSR and the pending one with who may approve it', () => {
    const privileged = of(full, 'cluster-csr-privileged-group');
    assert.deepEqual(privileged.map((f) => f.object.name), ['evil-admin']);
    assert.equal(privileged[0]!.severity, 'critical');
    const pending = of(full, 'cluster-csr-pending');
    assert.deepEqual(pending.map((f) => f.object.name), ['pending-jane']);
    // Approvers need update on certificatesigningrequests/approval and approve on the signer.
    assert.match(pending[0]!.message, /may approve \(RBAC\): .*Group system:masters/);
    assert.match(pending[0]!.message, /ServiceAccount shop\/deployer/);
    assert.doesNotMatch(pending[0]!.message, /shop\/ci/);
  });

  it('prints the escalation path from shop/ci to cluster-admin as steps', () => {
    const paths = of(full, 'cluster-rbac-escalation-path').filter((f) => f.object.name === 'ci');
    assert.equal(paths.length, 1, JSON.stringify(of(full, 'cluster-rbac-escalation-path').map((f) => f.message)));
    assert.match(paths[0]!.message, /1\. ServiceAccount shop\/ci: run a pod as it .* → ServiceAccount shop\/deployer; 2\. ServiceAccount shop\/deployer: full access cluster-wide/s);
  });

  it('prints the certificate-approval path and the Pod Security relabel path as steps', () => {
    const messages = of(full, 'cluster-rbac-escalation-path').map((f) => f.message);
    assert.ok(
      messages.some((m) => /^ServiceAccount pki\/approver reaches full access cluster-wide in 2 steps: 1\. ServiceAccount pki\/approver: approve a CSR for signer kubernetes\.io\/kube-apiserver-client .*→ ServiceAccount shop\/deployer; 2\. ServiceAccount shop\/deployer: full access cluster-wide$/.test(m)),
      JSON.stringify(messages),
    );
    assert.ok(!messages.some((m) => /system:masters/.test(m.replace('any subject but system:masters', ''))), 'system:masters is never a step');
    assert.ok(
      messages.some((m) => /^ServiceAccount team\/owner reaches node access through a privileged pod in 2 steps: 1\. .*relabel namespace team pod-security\.kubernetes\.io\/enforce=privileged .*; 2\. .*run a privileged pod in namespace team/.test(m)),
      JSON.stringify(messages),
    );
  });

  it('reports pods mounting the token of an account no binding names, and not bound ones', () => {
    const unused = of(full, 'cluster-service-account-token-unused');
    assert.ok(unused.some((f) => f.object.namespace === 'shop' && f.object.name === 'web'), JSON.stringify(unused.map((f) => f.message)));
    assert.ok(!unused.some((f) => /shop\/(ci|deployer)\b/.test(f.message)));
  });

  it('-n scopes findings to one namespace, keeping the ClusterRoleBindings that grant in it, and notes what it left out', async () => {
    const shop = await runClusterScan({ ...base(), client, namespace: 'shop' });
    assert.ok(shop.report.findings.length > 0);
    const outside = shop.report.findings.filter((f) => !(f.object.namespace === 'shop' || (f.object.kind === 'Namespace' && f.object.name === 'shop')));
    assert.ok(outside.every((f) => f.object.kind === 'ClusterRoleBinding' || f.object.kind === 'ClusterRole'), JSON.stringify(outside.map((f) => f.object)));
    // shop/deployer is cluster-admin through a ClusterRoleBinding: that concerns shop.
    assert.ok(shop.report.findings.some((f) => f.object.kind === 'ClusterRoleBinding' && f.object.name === 'deployer-admin'));
    assert.ok(!shop.report.findings.some((f) => f.object.kind === 'CertificateSigningRequest'));
    assert.ok(shop.diagnostics.some((d) => d.level === 'note' && /^-n shop: left out \d+ findings? on cluster-scoped objects .*CertificateSigningRequest/.test(d.message)), JSON.stringify(shop.diagnostics));
    assert.equal(shop.encryptionAtRest, undefined, 'the control plane is out of a namespace scan');
  });

  it('--exclude-namespaces "" includes kube-system; so does cluster.excludeNamespaces in .bulwark.yaml, and the flag wins', async () => {
    const all = await runClusterScan({ ...base(), client, excludeNamespaces: [] });
    assert.ok(of(all, 'pss-privileged').some((f) => f.object.namespace === 'kube-system'));
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-cluster-config-'));
    try {
      writeFileSync(join(dir, '.bulwark.yaml'), 'version: 1\ncluster:\n  excludeNamespaces: ["kube-*", sho?]\n');
      const configured = await runClusterScan({ ...base(), client, cwd: dir });
      assert.ok(of(configured, 'pss-privileged').length === 0, 'shop matched by the glob sho?');
      const flag = await runClusterScan({ ...base(), client, cwd: dir, excludeNamespaces: [] });
      assert.ok(of(flag, 'pss-privileged').some((f) => f.object.namespace === 'kube-system'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with exit 1 at --fail-on critical (the system:masters CSR)', async () => {
    const outcome = await runClusterScan({ ...base(), client, failOn: 'critical' });
    assert.equal(outcome.exitCode, 1);
  });

  it('turns forbidden resource types into coverage-gap warnings, not a crash', async () => {
    const outcome = await runClusterScan({ ...base(), context: 'restricted' });
    assert.ok(outcome.coverage.gaps.includes('/secrets') && outcome.coverage.gaps.includes('/pods'));
    assert.ok(outcome.diagnostics.some((d) => d.level === 'warning' && /coverage gap: cannot list \/secrets .*forbidden/.test(d.message)));
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.context, 'restricted');
  });

  it('connects as a Pod would: ServiceAccount token, CA and KUBERNETES_SERVICE_HOST/PORT', async () => {
    await client.post('/api/v1/namespaces/shop/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'scanner' } });
    await client.post(`/apis/${rbac}/clusterroles`, { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'scanner' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }] });
    await client.post(`/apis/${rbac}/clusterrolebindings`, {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'scanner' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'scanner' },
      subjects: [{ kind: 'ServiceAccount', name: 'scanner', namespace: 'shop' }],
    });
    const request = (await client.post('/api/v1/namespaces/shop/serviceaccounts/scanner/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } })) as { status: { token: string } };
    const root = mkdtempSync(join(tmpdir(), 'bulwark-incluster-'));
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), request.status.token);
    writeFileSync(join(dir, 'ca.crt'), plane.ca.cert);
    writeFileSync(join(dir, 'namespace'), 'shop');
    const url = new URL(plane.server);
    const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    process.env['KUBERNETES_SERVICE_HOST'] = url.hostname;
    process.env['KUBERNETES_SERVICE_PORT'] = url.port;
    try {
      const outcome = await runClusterScan({ ...base(), kubeconfig: undefined, inCluster: { root } });
      assert.equal(outcome.context, 'in-cluster');
      assert.deepEqual(outcome.coverage.gaps, []);
      assert.ok(of(outcome, 'pss-privileged').some((f) => f.object.name === 'root'));
    } finally {
      for (const [key, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses an unknown context with a usage error naming the known ones', async () => {
    await assert.rejects(runClusterScan({ ...base(), context: 'nope' }), (e: Error & { code?: string }) => e.code === 'E_USAGE' && /admin, restricted/.test(e.message));
  });

  it('renders policyreport, SARIF without regions, JUnit and table', () => {
    const list = JSON.parse(renderReport(full.report, 'policyreport')) as { kind: string; items: { kind: string; metadata: { name: string; namespace?: string }; results: { policy: string; result: string }[] }[] };
    assert.equal(list.kind, 'List');
    const shop = list.items.find((i) => i.kind === 'PolicyReport' && i.metadata.namespace === 'shop');
    assert.ok(shop?.results.some((r) => r.policy === 'pss-privileged' && r.result === 'fail'));
    assert.ok(list.items.some((i) => i.kind === 'ClusterPolicyReport'));
    const sarif = renderReport(full.report, 'sarif');
    assert.ok(!sarif.includes('"startLine":0'));
    assert.ok(sarif.includes('cluster://admin'));
    assert.ok(renderReport(full.report, 'junit').includes('<testsuites'));
    assert.ok(!renderReport(full.report, 'table').includes(' 0:0 '));
  });

  it('reports a privileged pod sharing a node with another namespace\'s pod, and not on an isolated node', async () => {
    // Nodes can be created through the API without a kubelet; pods naming a node skip the scheduler.
    for (const name of ['node-shared', 'node-isolated']) await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    for (const name of ['tenant-a', 'tenant-b']) await client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const pod = (namespace: string, name: string, nodeName: string, privileged: boolean, extra: Record<string, unknown> = {}) =>
      client.post(`/api/v1/namespaces/${namespace}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, ...extra },
        spec: { nodeName, containers: [{ name: 'app', image: 'busybox', ...(privileged ? { securityContext: { privileged: true } } : {}) }] },
      });
    await pod('tenant-a', 'agent', 'node-shared', true);
    await pod('tenant-b', 'web', 'node-shared', false);
    // node-isolated: the privileged pod's neighbours are its own namespace and a kube-system DaemonSet pod.
    await pod('tenant-a', 'agent-2', 'node-isolated', true);
    await pod('tenant-a', 'helper', 'node-isolated', false);
    await pod('kube-system', 'kube-proxy-x', 'node-isolated', false, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'kube-proxy', uid: '00000000-0000-0000-0000-000000000001', controller: true }] });
    const outcome = await runClusterScan({ ...base(), client });
    const shared = of(outcome, 'cluster-sensitive-workload-shares-node');
    assert.deepEqual(
      shared.map((f) => [`${f.object.namespace}/${f.object.name}`, f.location.path, f.message]),
      [['tenant-a/agent', 'spec.nodeName', 'privileged pod tenant-a/agent runs on node node-shared together with pods of namespace tenant-b: no taint or affinity keeps it apart']],
    );
    // shop/root is privileged but unscheduled (no nodeName): not judged.
    assert.ok(!shared.some((f) => f.object.name === 'root'));
  });
});
