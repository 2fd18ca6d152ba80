// Behaviour of the access checks beyond their fixtures: who is named as holding a permission, how
// aggregation and default roles are followed, and how control-plane flags are read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createObjectSet } from '../../engine/object-set.ts';
import { runChecks, runSetChecks } from '../../engine/run.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { accessChecks, accessSetChecks } from './index.ts';
import { staticPod } from './control-plane/fixtures.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function setFindings(text: string, id?: string) {
  const checks = accessSetChecks.filter((check) => id === undefined || check.id === id);
  return runSetChecks(createObjectSet(objectsFromYaml(text)), checks, { settings }).findings;
}

function findings(text: string, id: string) {
  return runChecks(objectsFromYaml(text), accessChecks.filter((check) => check.id === id), { settings }).findings;
}

describe('RBAC checks', () => {
  it('name every holder, directly bound or through aggregation, with the binding and its scope', () => {
    const found = setFindings(
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-secrets
  labels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: owners, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: shop-owners}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: direct}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: widget-secrets}
subjects: [{kind: ServiceAccount, name: sync, namespace: tools}]
`,
      'rbac-secrets-read',
    );
    const onRole = found.find((f) => f.object.name === 'widget-secrets');
    assert.ok(onRole);
    assert.equal(onRole.location.path, 'rules[0]');
    assert.match(onRole.message, /Group shop-owners \(RoleBinding shop\/owners, in namespace shop, via ClusterRole admin\)/);
    assert.match(onRole.message, /ServiceAccount tools\/sync \(ClusterRoleBinding direct, cluster-wide\)/);
    // The binding to admin hands out edit's default Secrets access too: reported on that binding.
    const onBinding = found.find((f) => f.object.name === 'owners');
    assert.ok(onBinding);
    assert.equal(onBinding.location.path, 'roleRef');
  });

  it('reports a rule granting everything once, as full access, not under each permission', () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: god}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: god}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: god}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
`;
    assert.deepEqual([...new Set(setFindings(text).map((f) => f.control))].sort(), ['rbac-cluster-admin-binding', 'rbac-wildcard']);
  });

  it('ignores subjects that match nobody and bindings the API server would refuse', () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: nobody}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: no-namespace}, {kind: Robot, name: r2}]
`;
    assert.deepEqual(setFindings(text, 'rbac-cluster-admin-binding'), []);
    assert.deepEqual(setFindings(text, 'rbac-workload-identity'), []);
  });
});

describe('control-plane checks', () => {
  it('point at the flag element, in command or args', () => {
    const inArgs = findings(staticPod('kube-apiserver', { inArgs: true, add: ['--profiling=true'] }), 'apiserver-profiling');
    assert.equal(inArgs.length, 1);
    assert.match(inArgs[0]!.location.path, /^spec\.containers\[0\]\.args\[\d+\]$/);
  });

  it('let the last repetition of a flag win, as the binary does', () => {
    assert.deepEqual(findings(staticPod('kube-apiserver', { add: ['--anonymous-auth=true', '--anonymous-auth=false'] }), 'apiserver-anonymous-auth'), []);
    assert.equal(findings(staticPod('kube-apiserver', { add: ['--anonymous-auth=true'] }), 'apiserver-anonymous-auth').length, 1);
  });

  it('accumulate repeated list flags', () => {
    const found = findings(staticPod('kube-apiserver', { add: ['--enable-admission-plugins=AlwaysAdmit'] }), 'apiserver-always-admit');
    assert.equal(found.length, 1);
  });

  it('recognise binaries by the command, not by names or labels', () => {
    const renamed = staticPod('kube-apiserver', { remove: ['--profiling'] }).replace('name: kube-apiserver-cp-1', 'name: api').replace('component: kube-apiserver', 'component: x');
    assert.equal(findings(renamed, 'apiserver-profiling').length, 1);
    const lookalike = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.31.0
    command: [/bin/sh, -c, "sleep 1000"]
`;
    assert.deepEqual(findings(lookalike, 'apiserver-profiling'), []);
  });

  it('read ETCD_* variables for flags not on the command line', () => {
    const pod = staticPod('etcd', { remove: ['--client-cert-auth'] }).replace('    command:', '    env: [{name: ETCD_CLIENT_CERT_AUTH, value: "true"}]\n    command:');
    assert.deepEqual(findings(pod, 'etcd-client-cert-auth'), []);
  });

  it('never echo key material from an EncryptionConfiguration', () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - secretbox: {keys: [{name: k1, secret: c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs=}]}
`;
    const found = findings(text, 'encryption-local-key-provider');
    assert.equal(found.length, 1);
    assert.doesNotMatch(found[0]!.message, /c2VjcmV0/);
  });
});

describe('robustness', () => {
  it('names a cipher suite that is not a string without calling its toString (a fuzzing find)', () => {
    const raw = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', metadata: { name: 'k' }, tlsCipherSuites: [{ toString: [] }] };
    const kube = { apiVersion: raw.apiVersion, kind: raw.kind, namespace: null, name: 'k', raw, source: { file: 'f', document: 0, line: 1, column: 1 }, positions: { locate: () => ({ line: 1, column: 1 }) } };
    const { findings } = runChecks([kube], accessChecks, { settings });
    const weak = findings.find((finding) => finding.control === 'kubelet-tls-cipher-suites');
    assert.match(weak?.message ?? '', /allows weak suites: \{"toString":\[\]\}/);
  });

  it('never throws on arbitrary control-plane pods, kubelet and encryption configurations', async () => {
    const fc = (await import('fast-check')).default;
    const { networkChecks } = await import('../network/index.ts');
    const argument = fc.oneof(
      fc.constantFrom('kube-apiserver', 'etcd', 'hyperkube', '--profiling', '--authorization-mode', '--enable-admission-plugins=AlwaysAdmit', '-v', '--', '--feature-gates=A=B,=', '--secure-port'),
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.constant(null),
    );
    const object = fc.oneof(
      fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata: fc.constant({ name: 'p' }), spec: fc.record({ containers: fc.array(fc.record({ name: fc.string(), command: fc.oneof(fc.array(argument, { maxLength: 12 }), fc.anything()), args: fc.array(argument, { maxLength: 6 }), env: fc.anything() }), { maxLength: 2 }) }) }),
      fc.record({ apiVersion: fc.constant('kubelet.config.k8s.io/v1beta1'), kind: fc.constant('KubeletConfiguration'), metadata: fc.constant({ name: 'k' }), authentication: fc.anything(), authorization: fc.anything(), readOnlyPort: fc.anything(), tlsCipherSuites: fc.anything(), featureGates: fc.anything(), podPidsLimit: fc.anything() }),
      fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.constant({ name: 'kubelet-config' }), data: fc.record({ kubelet: fc.oneof(fc.string(), fc.constant('kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nreadOnlyPort: [')) }) }),
      fc.record({ apiVersion: fc.constant('apiserver.config.k8s.io/v1'), kind: fc.constant('EncryptionConfiguration'), metadata: fc.constant({ name: 'e' }), resources: fc.anything() }),
      fc.record({ apiVersion: fc.constantFrom('v1', 'networking.k8s.io/v1', 'security.istio.io/v1'), kind: fc.constantFrom('Service', 'Ingress', 'NetworkPolicy', 'PeerAuthentication', 'Namespace'), metadata: fc.record({ name: fc.constant('x'), annotations: fc.anything() }), spec: fc.anything() }),
    );
    fc.assert(
      fc.property(object, (raw) => {
        const record = raw as Record<string, unknown>;
        const kube = {
          apiVersion: String(record['apiVersion']),
          kind: String(record['kind']),
          namespace: null,
          name: 'x',
          raw: record,
          source: { file: 'f', document: 0, line: 1, column: 1 },
          positions: { locate: () => ({ line: 1, column: 1 }) },
        };
        runChecks([kube], [...accessChecks, ...networkChecks], { settings });
      }),
      { numRuns: 300 },
    );
  });
});
