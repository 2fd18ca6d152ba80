// Every built-in rule has an event that raises it and a near miss that does not; rules that are off
// until a macro is overridden are tested with the override, as a user would enable them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector, type Detector } from './detector.ts';
import { BUILTIN_RULES } from './rules/builtin.ts';
import { parseRulesDocument } from './rules/load.ts';
import { auditEvent, podObject, type EventSpec } from './testing.ts';

const detector = createDetector();
const enabling = parseRulesDocument(
  `apiVersion: bulwark.dev/v1alpha1
kind: AuditRules
macros:
  allowed_k8s_containers: "pod.containerRepositories.all(r, r in ['nginx'])"
  allow_all_k8s_nodes: "false"
  allowed_full_admin_users: "false"
  consider_all_events: "true"
`,
  'enabling.yaml',
);
const tuned = createDetector({ documents: [{ document: enabling, source: 'enabling.yaml' }] });

const role = (verbs: string[], resources = ['pods']): Record<string, unknown> => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources, verbs }] });
const binding = (name: string, kind = 'ClusterRoleBinding'): Record<string, unknown> => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name: 'b' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
  subjects: [{ kind: 'User', name: 'mallory' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'build' }],
});
const csr = (signerName: string, condition = 'Approved'): Record<string, unknown> => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'c' },
  spec: { signerName, username: 'mallory', request: 'LS0t' },
  status: { conditions: [{ type: condition, status: 'True' }] },
});
const deployment = (podSpec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'busybox' }], ...podSpec } } },
});
const pod = (spec: Record<string, unknown>, containers?: Record<string, unknown>[], namespace?: string): EventSpec => ({ resource: 'pods', requestObject: podObject(spec, containers), ...(namespace === undefined ? {} : { namespace }) });
const minikube = { user: 'minikube-user' };

interface Case {
  rule: string;
  fires: EventSpec[];
  quiet: EventSpec[];
  with?: Detector;
}

const cases: Case[] = [
  { rule: 'disallowed-k8s-user', fires: [{ user: 'mallory', verb: 'get' }], quiet: [{ ...minikube, verb: 'get' }, { user: 'system:kube-scheduler', verb: 'get' }, { user: 'mallory', stage: 'ResponseStarted' }] },
  { rule: 'create-disallowed-pod', with: tuned, fires: [pod({}, [{ name: 'a', image: 'apache:2' }])], quiet: [pod({}, [{ name: 'a', image: 'nginx:1.27' }])] },
  {
    rule: 'create-privileged-pod',
    fires: [pod({}, [{ name: 'a', image: 'nginx', securityContext: { privileged: true } }]), { resource: 'pods', requestObject: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', image: 'x' }], initContainers: [{ name: 'i', image: 'y', securityContext: { privileged: true } }] } } }],
    quiet: [pod({}, [{ name: 'a', image: 'nginx', securityContext: { privileged: false } }]), pod({}, [{ name: 'a', image: 'docker.io/calico/node:v3.28', securityContext: { privileged: true } }])],
  },
  {
    rule: 'create-sensitive-mount-pod',
    fires: [pod({ volumes: [{ name: 'v', hostPath: { path: '/etc/ssl/' } }] }), pod({ volumes: [{ name: 'v', hostPath: { path: '/var/run/docker.sock' } }] }), pod({ volumes: [{ name: 'v', hostPath: { path: '//' } }] })],
    quiet: [pod({ volumes: [{ name: 'v', hostPath: { path: '/data' } }] }), pod({ volumes: [{ name: 'v', hostPath: { path: '/etcetera' } }] }), pod({ volumes: [{ name: 'v', emptyDir: {} }] })],
  },
  { rule: 'create-hostnetwork-pod', fires: [pod({ hostNetwork: true })], quiet: [pod({ hostNetwork: false }), { ...pod({ hostNetwork: true }), verb: 'update' }] },
  { rule: 'create-hostpid-pod', fires: [pod({ hostPID: true })], quiet: [pod({})] },
  { rule: 'create-hostipc-pod', fires: [pod({ hostIPC: true })], quiet: [pod({})] },
  { rule: 'create-nodeport-service', fires: [{ resource: 'services', requestObject: { kind: 'Service', spec: { type: 'NodePort' } } }], quiet: [{ resource: 'services', requestObject: { kind: 'Service', spec: { type: 'ClusterIP' } } }] },
  {
    rule: 'configmap-private-credentials',
    fires: [{ resource: 'configmaps', requestObject: { kind: 'ConfigMap', data: { 'db.properties': 'user=app\nPassword=hunter2' } } }, { resource: 'configmaps', verb: 'patch', requestObject: { data: { AWS_ACCESS_KEY_ID: 'AKIA' } } }],
    quiet: [{ resource: 'configmaps', requestObject: { kind: 'ConfigMap', data: { color: 'blue' } } }, { resource: 'configmaps', verb: 'get', requestObject: { data: { password: 'x' } } }],
  },
  {
    rule: 'anonymous-request-allowed',
    fires: [{ user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get' }, { user: 'nobody', groups: ['system:unauthenticated'], verb: 'list' }],
    quiet: [{ user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', decision: 'forbid' }, { user: 'system:anonymous', verb: 'get', uri: '/healthz?verbose=1' }],
  },
  {
    rule: 'exec-attach-pod',
    fires: [{ ...minikube, stage: 'ResponseStarted', subresource: 'exec', name: 'web', code: 101, uri: '/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true' }, { ...minikube, verb: 'get', stage: 'ResponseComplete', subresource: 'attach', code: 400 }],
    quiet: [{ ...minikube, stage: 'ResponseComplete', subresource: 'exec', code: 101 }, { ...minikube, stage: 'ResponseStarted', subresource: 'log', code: 200 }],
  },
  { rule: 'port-forward', fires: [{ ...minikube, stage: 'ResponseStarted', subresource: 'portforward', code: 101 }], quiet: [{ ...minikube, stage: 'ResponseComplete', subresource: 'portforward', code: 101 }] },
  { rule: 'ephemeral-containers-created', fires: [{ ...minikube, verb: 'patch', subresource: 'ephemeralcontainers', code: 200 }], quiet: [{ ...minikube, verb: 'get', subresource: 'ephemeralcontainers', code: 200 }] },
  { rule: 'create-disallowed-namespace', fires: [{ ...minikube, resource: 'namespaces', name: 'hax' }], quiet: [{ ...minikube, resource: 'namespaces', name: 'default' }] },
  {
    rule: 'pod-created-in-kube-namespace',
    fires: [pod({}, [{ name: 'a', image: 'nginx' }], 'kube-system')],
    quiet: [pod({}, [{ name: 'a', image: 'registry.k8s.io/kube-apiserver:v1.35.0' }], 'kube-system'), pod({}, [{ name: 'a', image: 'nginx' }], 'default')],
  },
  { rule: 'sa-created-in-kube-namespace', fires: [{ ...minikube, resource: 'serviceaccounts', namespace: 'kube-public', name: 'backdoor' }], quiet: [{ ...minikube, resource: 'serviceaccounts', namespace: 'kube-system', name: 'coredns' }, { ...minikube, resource: 'serviceaccounts', namespace: 'kube-system', name: 'x', code: 409 }] },
  { rule: 'system-clusterrole-modified', fires: [{ ...minikube, resource: 'clusterroles', verb: 'update', name: 'system:node', code: 200 }], quiet: [{ ...minikube, resource: 'clusterroles', verb: 'update', name: 'system:coredns', code: 200 }, { ...minikube, resource: 'clusterroles', verb: 'get', name: 'system:node', code: 200 }] },
  { rule: 'attach-cluster-admin-role', fires: [{ ...minikube, resource: 'clusterrolebindings', requestObject: binding('cluster-admin') }], quiet: [{ ...minikube, resource: 'clusterrolebindings', requestObject: binding('view') }] },
  { rule: 'clusterrole-wildcard-created', fires: [{ ...minikube, resource: 'clusterroles', requestObject: role(['*']) }, { ...minikube, resource: 'roles', requestObject: role(['get'], ['*']) }], quiet: [{ ...minikube, resource: 'clusterroles', requestObject: role(['get']) }] },
  { rule: 'clusterrole-write-created', fires: [{ ...minikube, resource: 'clusterroles', requestObject: role(['get', 'delete']) }], quiet: [{ ...minikube, resource: 'clusterroles', requestObject: role(['get', 'list', 'watch']) }] },
  { rule: 'clusterrole-pod-exec-created', fires: [{ ...minikube, resource: 'clusterroles', requestObject: role(['create'], ['pods/exec']) }], quiet: [{ ...minikube, resource: 'clusterroles', requestObject: role(['create'], ['pods']) }] },
  ...(
    [
      ['k8s-deployment-created', 'create', 'deployments'],
      ['k8s-deployment-deleted', 'delete', 'deployments'],
      ['k8s-service-created', 'create', 'services'],
      ['k8s-service-deleted', 'delete', 'services'],
      ['k8s-configmap-created', 'create', 'configmaps'],
      ['k8s-configmap-deleted', 'delete', 'configmaps'],
      ['k8s-namespace-created', 'create', 'namespaces'],
      ['k8s-namespace-deleted', 'delete', 'namespaces'],
      ['k8s-serviceaccount-created', 'create', 'serviceaccounts'],
      ['k8s-serviceaccount-deleted', 'delete', 'serviceaccounts'],
      ['k8s-role-created', 'create', 'roles'],
      ['k8s-role-deleted', 'delete', 'clusterroles'],
      ['k8s-clusterrolebinding-created', 'create', 'clusterrolebindings'],
      ['k8s-clusterrolebinding-deleted', 'delete', 'clusterrolebindings'],
      ['k8s-rolebinding-created', 'create', 'rolebindings'],
      ['k8s-rolebinding-deleted', 'delete', 'rolebindings'],
      ['k8s-secret-created', 'create', 'secrets'],
      ['k8s-secret-deleted', 'delete', 'secrets'],
    ] as const
  ).map(([rule, verb, resource]): Case => ({
    rule,
    fires: [{ ...minikube, verb, resource, name: 'x', code: verb === 'create' ? 201 : 200 }],
    quiet: [{ ...minikube, verb, resource, name: 'x', code: 403 }, { ...minikube, verb: 'update', resource, name: 'x', code: 200 }],
  })),
  { rule: 'k8s-namespace-deleted', fires: [], quiet: [{ user: 'system:serviceaccount:kube-system:namespace-controller', verb: 'delete', resource: 'namespaces', name: 'x', code: 200 }] },
  { rule: 'k8s-secret-created', fires: [], quiet: [{ ...minikube, resource: 'secrets', namespace: 'kube-system', name: 'x' }] },
  { rule: 'secret-read', fires: [{ user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 200 }, { user: 'alice', verb: 'list', resource: 'secrets', code: 200 }], quiet: [{ user: 'system:node:n1', verb: 'get', resource: 'secrets', name: 'db', code: 200 }, { user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 403 }] },
  { rule: 'secret-read-denied', fires: [{ user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 403, decision: 'forbid' }], quiet: [{ user: 'system:kube-scheduler', verb: 'get', resource: 'secrets', code: 403 }, { user: 'alice', verb: 'get', resource: 'secrets', code: 200 }] },
  { rule: 'ingress-without-tls', fires: [{ ...minikube, resource: 'ingresses', requestObject: { kind: 'Ingress', spec: { rules: [] } } }], quiet: [{ ...minikube, resource: 'ingresses', requestObject: { kind: 'Ingress', spec: { tls: [{ secretName: 's' }] } } }] },
  { rule: 'untrusted-node-joined', with: tuned, fires: [{ user: 'system:node:n9', resource: 'nodes', name: 'n9' }], quiet: [{ user: 'system:node:n9', resource: 'nodes', name: 'n9', code: 403 }] },
  { rule: 'untrusted-node-join-failed', with: tuned, fires: [{ user: 'system:node:n9', resource: 'nodes', name: 'n9', code: 403 }], quiet: [{ user: 'system:node:n9', resource: 'nodes', name: 'n9' }] },
  { rule: 'full-admin-access', with: tuned, fires: [{ user: 'kubernetes-admin', verb: 'get' }], quiet: [{ user: 'alice', verb: 'get' }] },
  { rule: 'all-audit-events', with: tuned, fires: [{ user: 'system:apiserver', verb: 'watch' }], quiet: [{ user: 'system:apiserver', verb: 'watch', stage: 'ResponseStarted' }] },
  {
    rule: 'csr-approved',
    fires: [{ ...minikube, verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c', code: 200, requestObject: csr('kubernetes.io/kube-apiserver-client') }, { ...minikube, verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c', code: 200 }],
    quiet: [
      { ...minikube, verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', code: 200, requestObject: csr('kubernetes.io/kube-apiserver-client', 'Denied') },
      { ...minikube, verb: 'update', resource: 'certificatesigningrequests', subresource: 'approval', code: 200, requestObject: csr('kubernetes.io/kubelet-serving') },
    ],
  },
  { rule: 'token-request', fires: [{ user: 'alice', resource: 'serviceaccounts', subresource: 'token', name: 'default' }], quiet: [{ user: 'system:node:n1', resource: 'serviceaccounts', subresource: 'token', name: 'default' }, { user: 'alice', resource: 'serviceaccounts', subresource: 'token', code: 403 }] },
  {
    rule: 'service-account-impersonation',
    fires: [{ user: 'alice', verb: 'get', impersonate: { user: 'system:serviceaccount:kube-system:default' } }, { user: 'alice', verb: 'get', impersonate: { user: 'bob', groups: ['system:masters'] } }],
    quiet: [{ user: 'alice', verb: 'get', impersonate: { user: 'bob', groups: ['dev'] } }, { user: 'alice', verb: 'get' }],
  },
  {
    rule: 'bind-admin-like-role',
    fires: [{ ...minikube, resource: 'rolebindings', requestObject: binding('admin', 'RoleBinding') }, { ...minikube, resource: 'clusterrolebindings', verb: 'update', code: 200, requestObject: binding('cluster-admin') }],
    quiet: [{ ...minikube, resource: 'clusterrolebindings', requestObject: binding('cluster-admin') }, { ...minikube, resource: 'rolebindings', requestObject: binding('view', 'RoleBinding') }],
  },
  {
    rule: 'role-grants-escalation',
    fires: [{ ...minikube, resource: 'roles', requestObject: role(['escalate'], ['roles']) }, { ...minikube, resource: 'clusterroles', verb: 'update', code: 200, requestObject: role(['*']) }],
    quiet: [{ ...minikube, resource: 'clusterroles', requestObject: role(['*']) }, { ...minikube, resource: 'clusterroles', verb: 'update', code: 200, requestObject: role(['get']) }],
  },
  {
    rule: 'privileged-workload',
    fires: [{ ...minikube, resource: 'deployments', requestObject: deployment({ hostPID: true }) }, { ...minikube, resource: 'deployments', requestObject: deployment({ volumes: [{ name: 'v', hostPath: { path: '/proc' } }] }) }],
    quiet: [{ ...minikube, resource: 'deployments', requestObject: deployment({}) }, { ...minikube, resource: 'deployments', code: 422, requestObject: deployment({ hostPID: true }) }],
  },
  { rule: 'kubelet-proxy-access', fires: [{ user: 'alice', verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'n1', code: 200 }], quiet: [{ user: 'system:kube-apiserver', verb: 'get', resource: 'nodes', subresource: 'proxy', code: 200 }] },
];

const fired = (d: Detector, spec: EventSpec): string[] => d.detect(auditEvent(spec)).map((a) => a.rule);

describe('built-in rules', () => {
  for (const testCase of cases) {
    it(`${testCase.rule}: raised by ${testCase.fires.length}, not by ${testCase.quiet.length} near misses`, () => {
      const d = testCase.with ?? detector;
      testCase.fires.forEach((spec, i) => assert.ok(fired(d, spec).includes(testCase.rule), `fires[${i}] raised ${fired(d, spec).join(', ') || 'nothing'}`));
      testCase.quiet.forEach((spec, i) => assert.ok(!fired(d, spec).includes(testCase.rule), `quiet[${i}] raised it`));
    });
  }

  it('every built-in rule is tested here', () => {
    const tested = new Set(cases.filter((c) => c.fires.length > 0).map((c) => c.rule));
    const untested = BUILTIN_RULES.rules!.map((r) => r.id).filter((id) => !tested.has(id));
    assert.deepEqual(untested, []);
  });

  it('rules that are off until a macro is overridden stay off by default', () => {
    const spec: EventSpec = { user: 'kubernetes-admin', verb: 'get' };
    for (const rule of ['full-admin-access', 'all-audit-events']) assert.ok(!fired(detector, spec).includes(rule));
    assert.ok(!fired(detector, pod({}, [{ name: 'a', image: 'apache' }])).includes('create-disallowed-pod'));
    assert.ok(!fired(detector, { resource: 'nodes', name: 'n9' }).includes('untrusted-node-joined'));
  });

  it('never puts a ConfigMap value in an alert', () => {
    const [alert] = detector.detect(auditEvent({ resource: 'configmaps', name: 'db', requestObject: { kind: 'ConfigMap', data: { 'db.properties': 'password=hunter2' } } })).filter((a) => a.rule === 'configmap-private-credentials');
    assert.ok(alert);
    assert.match(alert.message, /keys=db\.properties found=password/);
    assert.doesNotMatch(alert.message, /hunter2/);
  });

  it('renders messages from the event: lists joined, absent parts empty', () => {
    const [alert] = detector.detect(auditEvent({ ...minikube, stage: 'ResponseStarted', subresource: 'exec', name: 'web', code: 101, uri: '/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=id' }));
    assert.equal(alert!.message, 'Attach/Exec to pod (user=minikube-user pod=web ns=default action=exec command=sh,-c,id resp=101)');
    const [bare] = detector.detect(auditEvent({ ...minikube, stage: 'ResponseStarted', subresource: 'attach', name: 'web', code: 101 }));
    assert.match(bare!.message, /command= resp=101/);
  });

  it('builds only the views the tried rules read, and a rule error is counted, not thrown', () => {
    const broken = createDetector({
      builtin: false,
      documents: [{ document: parseRulesDocument('apiVersion: bulwark.dev/v1alpha1\nkind: AuditRules\nrules:\n  - {id: bad, priority: INFO, condition: "request.spec.replicas > 1", output: x}\n', 'b.yaml'), source: 'b.yaml' }],
    });
    assert.deepEqual(fired(broken, { requestObject: { kind: 'X' } }), []);
    assert.equal(broken.errors.get('bad')?.count, 1);
    assert.deepEqual(fired(broken, { requestObject: { spec: { replicas: 3 } } }), ['bad']);
  });
});
