import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import { Name, Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { createObjectSet } from '../engine/object-set.ts';
import { runSetChecks } from '../engine/run.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { parsePssVersion } from '../pss/version.ts';
import { certificateGroups, clusterChecks, escalationPathCheck, privilegedCsrCheck, sensitiveWorkloadSharesNodeCheck, unusedTokenCheck } from './checks.ts';
import { toKubeObject } from './collect.ts';

const settings = { pss: { level: 'restricted' as const, version: parsePssVersion('latest') } };

describe('cluster-only checks: fixtures through the engine', () => {
  for (const check of clusterChecks) {
    if (check === privilegedCsrCheck) continue; // PEM fixtures are built below
    it(`${check.id}: fails its failing sets and passes its passing ones`, () => {
      const kinds = new Set(check.kinds);
      const run = (text: string) => runSetChecks(createObjectSet(objectsFromYaml(text).filter((o) => kinds.has(o.kind))), [check], { settings }).findings;
      for (const text of check.fixtures.fail) {
        const findings = run(text);
        assert.ok(findings.length > 0, text);
        assert.ok(findings.every((f) => f.control === check.id && f.message.length > 0));
      }
      for (const text of check.fixtures.pass) assert.deepEqual(run(text).map((f) => f.message), []);
    });
  }
});

async function csr(name: string, organization: string, approved: boolean) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const request = await Pkcs10CertificateRequestGenerator.create({ name: new Name(`CN=${name}, O=${organization}`), keys, signingAlgorithm: alg }, webcrypto);
  const raw = {
    metadata: { name },
    spec: { signerName: 'corp.example/client', request: Buffer.from(request.toString('pem')).toString('base64') },
    status: approved ? { conditions: [{ type: 'Approved', status: 'True' }] } : {},
  };
  return toKubeObject(raw, 'certificates.k8s.io/v1', 'CertificateSigningRequest', 'cluster://test')!;
}

describe('cluster-csr-privileged-group', () => {
  it('reports an approved request for system:masters, not a pending one nor another group', async () => {
    const objects = [await csr('evil', 'system:masters', true), await csr('waiting', 'system:masters', false), await csr('dev', 'developers', true)];
    assert.deepEqual(certificateGroups(objects[0]!), ['system:masters']);
    const findings = runSetChecks(createObjectSet(objects), [privilegedCsrCheck], { settings }).findings;
    assert.deepEqual(findings.map((f) => f.object.name), ['evil']);
    assert.equal(findings[0]!.location.line, 0);
  });

  it('reads an unparseable request as naming no group', () => {
    const object = toKubeObject({ metadata: { name: 'x' }, spec: { request: 'bm90IGEgY3Ny' } }, 'certificates.k8s.io/v1', 'CertificateSigningRequest', 'cluster://t')!;
    assert.deepEqual(certificateGroups(object), []);
  });
});

describe('cluster-rbac-escalation-path: new steps', () => {
  it('prints the certificate-approval and Pod Security paths as numbered steps', () => {
    const [, csrFixture, psFixture] = escalationPathCheck.fixtures.fail as string[];
    const run = (text: string) => runSetChecks(createObjectSet(objectsFromYaml(text)), [escalationPathCheck], { settings }).findings.map((f) => f.message);
    assert.deepEqual(run(csrFixture!), [
      'ServiceAccount pki/approver reaches full access cluster-wide in 2 steps: 1. ServiceAccount pki/approver: approve a CSR for signer kubernetes.io/kube-apiserver-client naming it (any subject but system:masters) → Group ops; 2. Group ops: full access cluster-wide',
    ]);
    const [message] = run(psFixture!);
    assert.match(message!, /^ServiceAccount team\/ci reaches node access through a privileged pod in 2 steps: 1\. ServiceAccount team\/ci: relabel namespace team pod-security\.kubernetes\.io\/enforce=privileged .*; 2\. ServiceAccount team\/ci: run a privileged pod in namespace team \(create pods in namespace team\) → root on its node$/);
  });
});

describe('cluster-service-account-token-unused', () => {
  const run = (text: string) => runSetChecks(createObjectSet(objectsFromYaml(text)), [unusedTokenCheck], { settings }).findings;
  const base = [
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: web}]',
  ];
  const crb = (subject: string) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [${subject}]`;

  it('reports the workload using the default account, at its pod template', () => {
    const findings = run([...base, crb('{kind: User, name: jane}')].join('\n---\n'));
    assert.deepEqual(findings.map((f) => [f.object.kind, f.location.path]), [['Deployment', 'spec.template.spec.automountServiceAccountToken']]);
    assert.match(findings[0]!.message, /ServiceAccount shop\/default, which no binding grants anything/);
  });

  it('counts bindings through the ServiceAccount groups, and a projected token as mounted', () => {
    assert.deepEqual(run([...base, crb('{kind: Group, name: "system:serviceaccounts:shop"}')].join('\n---\n')), []);
    const optedOut = base[1]!.replace('      containers:', '      automountServiceAccountToken: false\n      containers:');
    assert.deepEqual(run([base[0]!, optedOut, crb('{kind: User, name: jane}')].join('\n---\n')), []);
    const projected = optedOut.replace('      containers:', '      volumes: [{name: t, projected: {sources: [{serviceAccountToken: {path: token}}]}}]\n      containers:');
    assert.equal(run([base[0]!, projected, crb('{kind: User, name: jane}')].join('\n---\n')).length, 1);
  });
});

describe('cluster-service-account-token-unused: default bindings', () => {
  const objects = (labels: string) =>
    [
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: web}]',
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: issuer\n  labels: {${labels}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: Group, name: system:serviceaccounts}]`,
    ].join('\n---\n');
  const run = (text: string) => runSetChecks(createObjectSet(objectsFromYaml(text)), [unusedTokenCheck], { settings }).findings;

  it('ignores the API server\'s default grants to every ServiceAccount, but counts one someone added', () => {
    assert.equal(run(objects('kubernetes.io/bootstrapping: rbac-defaults')).length, 1);
    assert.deepEqual(run(objects('team: platform')), []);
  });
});

describe('cluster-sensitive-workload-shares-node', () => {
  const run = (text: string) => runSetChecks(createObjectSet(objectsFromYaml(text)), [sensitiveWorkloadSharesNodeCheck], { settings }).findings;

  it('names the reasons, the node and the other namespaces, at spec.nodeName', () => {
    const findings = run(sensitiveWorkloadSharesNodeCheck.fixtures.fail[1]!);
    assert.deepEqual(findings.map((f) => [f.object.name, f.location.path, f.message]), [
      ['logs', 'spec.nodeName', 'hostPID, hostPath volume pod infra/logs runs on node n1 together with pods of namespace shop: no taint or affinity keeps it apart'],
    ]);
    assert.match(run(sensitiveWorkloadSharesNodeCheck.fixtures.fail[2]!)[0]!.message, /^ServiceAccount deployer with risky RBAC pod ci\/deploy runs on node n1/);
  });

  it('reports a controlled pod once, through its top controller read', () => {
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: agent, namespace: infra}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: a, image: a, securityContext: {privileged: true}}]';
    const replicaSet =
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: agent-1\n  namespace: infra\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: agent, uid: "1", controller: true}]\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: a, image: a, securityContext: {privileged: true}}]';
    const pod = (name: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: infra\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: agent-1, uid: "2", controller: true}]\nspec:\n  nodeName: n1\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]`;
    const tenant = (ns: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  nodeName: n1\n  containers: [{name: w, image: w}]`;
    const findings = run([deployment, replicaSet, pod('agent-1-a'), pod('agent-1-b'), tenant('shop'), tenant('blog')].join('\n---\n'));
    assert.deepEqual(findings.map((f) => [f.object.kind, f.object.name, f.location.path]), [['Deployment', 'agent', 'spec.template.spec.affinity']]);
    assert.match(findings[0]!.message, /on node n1 together with pods of namespaces blog, shop:/);
  });
});
