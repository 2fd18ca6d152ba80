import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding, KubeObject } from '../core/index.ts';
import { BulwarkError } from '../core/index.ts';
import { toKubeObject } from './collect.ts';
import { createScope, DEFAULT_EXCLUDED_NAMESPACES, namespacePatternProblem, objectKey, parseNamespaceList, type ScopeOptions } from './scope.ts';

const FILE = 'cluster://test';
const rbac = 'rbac.authorization.k8s.io/v1';
const object = (apiVersion: string, kind: string, item: Record<string, unknown>) => toKubeObject(item, apiVersion, kind, FILE)!;

const objects: KubeObject[] = [
  object('v1', 'Namespace', { metadata: { name: 'shop' } }),
  object('v1', 'Namespace', { metadata: { name: 'kube-system' } }),
  object('v1', 'Namespace', { metadata: { name: 'monitoring-a' } }),
  object('v1', 'Pod', { metadata: { name: 'web', namespace: 'shop' } }),
  object('v1', 'Pod', { metadata: { name: 'web-abc', namespace: 'shop', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-rs', controller: true }] } }),
  object('apps/v1', 'ReplicaSet', { metadata: { name: 'web-rs', namespace: 'shop' } }),
  object('v1', 'Pod', { metadata: { name: 'agent', namespace: 'monitoring-a' } }),
  object('v1', 'Pod', { metadata: { name: 'coredns', namespace: 'kube-system' } }),
  object('v1', 'Pod', { metadata: { name: 'kube-apiserver-cp-1', namespace: 'kube-system', labels: { component: 'kube-apiserver' } } }),
  object(rbac, 'ClusterRoleBinding', { metadata: { name: 'deployer-admin' }, roleRef: { kind: 'ClusterRole', name: 'admin-ish' }, subjects: [] }),
  object(rbac, 'ClusterRole', { metadata: { name: 'admin-ish' } }),
  object(rbac, 'ClusterRole', { metadata: { name: 'shop-reader' } }),
  object(rbac, 'ClusterRole', { metadata: { name: 'unbound' } }),
  object(rbac, 'ClusterRole', { metadata: { name: 'system:basic-user', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } } }),
  object(rbac, 'RoleBinding', { metadata: { name: 'read', namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name: 'shop-reader' } }),
  object('v1', 'Node', { metadata: { name: 'n1' } }),
  object('certificates.k8s.io/v1', 'CertificateSigningRequest', { metadata: { name: 'csr' } }),
];

function finding(o: KubeObject, control = 'some-control'): Finding {
  return {
    control,
    title: 't',
    severity: 'low',
    area: 'access',
    frameworks: {},
    object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name },
    location: { file: FILE, line: 0, column: 0, path: '' },
    message: 'm',
    remediation: 'r',
  } as Finding;
}

const options = (extra: Partial<ScopeOptions> = {}): ScopeOptions => ({
  excludeNamespaces: DEFAULT_EXCLUDED_NAMESPACES,
  includeDefaults: false,
  controlPlanePods: new Set([objectKey('Pod', 'kube-system', 'kube-apiserver-cp-1')]),
  controlPlaneControls: new Set(['apiserver-anonymous-auth']),
  ...extra,
});

const kept = (scope: ReturnType<typeof createScope>, control?: string) => objects.filter((o) => scope.keeps(finding(o, control))).map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`);

describe('cluster scan scope', () => {
  it('without -n: everything but excluded namespaces, controller-run pods and RBAC defaults', () => {
    const scope = createScope(objects, options());
    assert.deepEqual(kept(scope), [
      'Namespace//shop',
      'Namespace//monitoring-a',
      'Pod/shop/web',
      'ReplicaSet/shop/web-rs',
      'Pod/monitoring-a/agent',
      'ClusterRoleBinding//deployer-admin',
      'ClusterRole//admin-ish',
      'ClusterRole//shop-reader',
      'ClusterRole//unbound',
      'RoleBinding/shop/read',
      'Node//n1',
      'CertificateSigningRequest//csr',
    ]);
    assert.equal(scope.outOfScope, 5);
    assert.deepEqual(scope.notes([], FILE), []);
  });

  it('keeps control-plane findings on the component pods of an excluded kube-system, and nothing else there', () => {
    const scope = createScope(objects, options());
    const apiserver = objects.find((o) => o.name === 'kube-apiserver-cp-1')!;
    assert.ok(scope.keeps(finding(apiserver, 'apiserver-anonymous-auth')));
    assert.ok(!scope.keeps(finding(apiserver, 'pss-host-namespaces')));
    assert.ok(!scope.keeps(finding(objects.find((o) => o.name === 'coredns')!, 'apiserver-anonymous-auth')));
  });

  it('excludes by glob, and "" (the empty list) excludes nothing', () => {
    assert.ok(!kept(createScope(objects, options({ excludeNamespaces: ['monitoring-*', 'kube-*'] }))).some((k) => k.includes('monitoring-a')));
    const none = kept(createScope(objects, options({ excludeNamespaces: [] })));
    assert.ok(none.includes('Pod/kube-system/coredns') && none.includes('Namespace//kube-system'));
    assert.ok(kept(createScope(objects, options({ includeDefaults: true }))).includes('ClusterRole//system:basic-user'));
  });

  it('-n keeps the namespace, its Namespace, every ClusterRoleBinding and the ClusterRoles bound there; notes what it left out', () => {
    const scope = createScope(objects, options({ namespace: 'shop' }));
    assert.deepEqual(kept(scope), ['Namespace//shop', 'Pod/shop/web', 'ReplicaSet/shop/web-rs', 'ClusterRoleBinding//deployer-admin', 'ClusterRole//admin-ish', 'ClusterRole//shop-reader', 'RoleBinding/shop/read']);
    const dropped = objects.filter((o) => !scope.keeps(finding(o))).map((o) => finding(o));
    const [note] = scope.notes(dropped, FILE);
    assert.equal(note?.level, 'note');
    assert.match(note!.message, /^-n shop: left out 5 findings on cluster-scoped objects that do not concern namespace shop \(1 CertificateSigningRequest, 1 ClusterRole, 2 Namespace, 1 Node\) and 3 on objects of other namespaces/);
    // Findings not tied to a listed object (a configuration file) are cluster-wide: not under -n.
    const config = { ...objects[0]!, kind: 'EncryptionConfiguration', name: 'enc', namespace: 'kube-system' };
    assert.ok(!scope.keeps(finding(config)));
    assert.ok(createScope(objects, options()).keeps(finding(config)));
  });

  it('-n kube-system reports kube-system even though it is excluded by default', () => {
    assert.ok(kept(createScope(objects, options({ namespace: 'kube-system' }))).includes('Pod/kube-system/coredns'));
  });
});

describe('namespace lists', () => {
  it('parses comma-separated names and globs; "" is none', () => {
    assert.deepEqual(parseNamespaceList('kube-system, monitoring-*,', '--exclude-namespaces'), ['kube-system', 'monitoring-*']);
    assert.deepEqual(parseNamespaceList('', '--exclude-namespaces'), []);
  });

  it('refuses what cannot be a namespace with a usage error naming the flag', () => {
    for (const bad of ['Kube-System', 'a/b', '-a', 'x'.repeat(64)]) {
      assert.throws(() => parseNamespaceList(bad, '--exclude-namespaces'), (e: BulwarkError) => e.code === 'E_USAGE' && e.message.startsWith('--exclude-namespaces: '));
    }
  });

  it('never throws on any text but the typed usage error', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          for (const name of parseNamespaceList(text, '--x')) assert.equal(namespacePatternProblem(name), undefined);
        } catch (error) {
          assert.ok(error instanceof BulwarkError && error.code === 'E_USAGE');
        }
      }),
      { numRuns: 500 },
    );
  });
});
