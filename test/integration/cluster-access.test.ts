// `cluster who-can` / `can-i` / `permissions` agree with the API server's own authorizer: a property test over
// generated Roles, ClusterRoles and bindings. Each case creates one generated RBAC set in a real
// kube-apiserver (testenv), then asks many (identity, verb, resource, namespace, name) questions of
// both src/rbac (over the live objects) and a SubjectAccessReview, and requires the same answer.
// Aggregated ClusterRoles are not generated: their rules are filled in by kube-controller-manager,
// which the test control plane does not run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadRbacIndex, parseIdentity, runWhoCan, toRequest } from '../../src/cluster/access.ts';
import { runPermissions } from '../../src/cluster/permissions.ts';
import { connect, type ClusterClient } from '../../src/cluster/client.ts';
import { discoverResources, type ApiResource } from '../../src/cluster/discover.ts';
import type { Request, UserInfo } from '../../src/rbac/model.ts';
import { isResourceRequest } from '../../src/rbac/model.ts';
import { missingControlPlane, startControlPlane, type ControlPlane } from '../../testenv/index.ts';

const missing = missingControlPlane();
const RBAC = 'rbac.authorization.k8s.io/v1';
const ROLE_REF_GROUP = 'rbac.authorization.k8s.io';

const VERBS = ['get', 'list', 'create', 'delete', '*'];
const RESOURCES: { group: string; resource: string }[] = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'pods/exec' },
  { group: '', resource: 'secrets' },
  { group: 'apps', resource: 'deployments' },
  { group: '', resource: '*' },
  { group: '*', resource: '*' },
];
const USERS = ['alice', 'bob'];
const GROUPS = ['devs', 'ops'];

interface RuleSpec {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}
type RoleSpec = { cluster: boolean; namespace: 0 | 1; rules: RuleSpec[]; nonResource: boolean };
type SubjectSpec = { kind: 'User'; name: string } | { kind: 'Group'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: 0 | 1 | null };
type BindingSpec = { cluster: boolean; namespace: 0 | 1; role: number; subjects: SubjectSpec[] };
interface QuerySpec {
  identity: number;
  verb: string;
  resource: number;
  namespace: 0 | 1 | null;
  name: string;
  nonResource: boolean;
}

const rule: fc.Arbitrary<RuleSpec> = fc.record({
  verbs: fc.subarray(VERBS, { minLength: 1, maxLength: 3 }),
  apiGroups: fc.subarray(['', 'apps', '*'], { minLength: 1, maxLength: 2 }),
  resources: fc.subarray(['pods', 'pods/exec', 'secrets', 'deployments', '*', '*/exec'], { minLength: 1, maxLength: 3 }),
  resourceNames: fc.constantFrom<string[]>([], [], ['x']),
});
const roleSpec: fc.Arbitrary<RoleSpec> = fc.record({
  cluster: fc.boolean(),
  namespace: fc.constantFrom(0 as const, 1 as const),
  rules: fc.array(rule, { minLength: 1, maxLength: 3 }),
  nonResource: fc.boolean(),
});
const subject: fc.Arbitrary<SubjectSpec> = fc.oneof(
  fc.record({ kind: fc.constant('User' as const), name: fc.constantFrom(...USERS) }),
  fc.record({ kind: fc.constant('Group' as const), name: fc.constantFrom(...GROUPS, 'system:serviceaccounts') }),
  fc.record({ kind: fc.constant('ServiceAccount' as const), name: fc.constantFrom('sa1', 'sa2'), namespace: fc.constantFrom(0 as const, 1 as const, null) }),
);
const query: fc.Arbitrary<QuerySpec> = fc.record({
  identity: fc.nat({ max: 5 }),
  verb: fc.constantFrom('get', 'list', 'create', 'delete', 'watch'),
  resource: fc.nat({ max: RESOURCES.length - 3 }),
  namespace: fc.constantFrom(0 as const, 1 as const, null),
  name: fc.constantFrom('', 'x', 'y'),
  nonResource: fc.boolean(),
});
interface RbacSet {
  roles: RoleSpec[];
  bindings: BindingSpec[];
  queries: QuerySpec[];
}

const rbacSet: fc.Arbitrary<RbacSet> = fc.record({
  roles: fc.array(roleSpec, { minLength: 1, maxLength: 6 }),
  bindings: fc.array(fc.record({ cluster: fc.boolean(), namespace: fc.constantFrom(0 as const, 1 as const), role: fc.nat(), subjects: fc.array(subject, { minLength: 1, maxLength: 3 }) }), { minLength: 2, maxLength: 6 }),
  queries: fc.array(query, { minLength: 60, maxLength: 60 }),
});

describe('who-can, can-i and permissions agree with SubjectAccessReview', { skip: missing ?? false }, () => {
  let plane: ControlPlane;
  let client: ClusterClient;
  let resources: ApiResource[];
  let run = 0;

  before(async () => {
    plane = await startControlPlane();
    client = await connect({ kubeconfig: plane.kubeconfigPath, qps: 200, burst: 200 });
    resources = (await discoverResources(client, 'cluster://admin')).resources;
  });
  after(async () => plane?.stop());

  async function review(user: UserInfo, request: Request): Promise<boolean> {
    const spec = isResourceRequest(request)
      ? { resourceAttributes: { verb: request.verb, group: request.apiGroup, resource: request.resource, subresource: request.subresource, namespace: request.namespace ?? '', name: request.name } }
      : { nonResourceAttributes: { verb: request.verb, path: request.path } };
    const answer = (await client.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: user.name, groups: user.groups, ...spec },
    })) as { status?: { allowed?: boolean } };
    return answer.status?.allowed === true;
  }

  /** Creates the set; returns the namespaces used. Waits until the authorizer's caches have it. */
  async function create(set: RbacSet, k: number): Promise<[string, string]> {
    const ns: [string, string] = [`p${k}a`, `p${k}b`];
    for (const name of ns) await client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const roleNames: { kind: 'Role' | 'ClusterRole'; namespace: string; name: string }[] = [];
    for (const [i, role] of set.roles.entries()) {
      const rules: Record<string, unknown>[] = role.rules.map((r) => ({ ...r }));
      if (role.cluster && role.nonResource) rules.push({ verbs: ['get'], nonResourceURLs: ['/metrics', '/healthz/*'] });
      const name = `r${k}-${i}`;
      if (role.cluster) {
        await client.post(`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules });
        roleNames.push({ kind: 'ClusterRole', namespace: '', name });
      } else {
        await client.post(`/apis/${RBAC}/namespaces/${ns[role.namespace]}/roles`, { apiVersion: RBAC, kind: 'Role', metadata: { name }, rules });
        roleNames.push({ kind: 'Role', namespace: ns[role.namespace]!, name });
      }
    }
    for (const [i, binding] of set.bindings.entries()) {
      const role = roleNames[binding.role % roleNames.length]!;
      const subjects = binding.subjects.map((s) =>
        s.kind === 'ServiceAccount'
          ? { kind: 'ServiceAccount', name: s.name, ...(s.namespace === null ? (binding.cluster ? { namespace: ns[0] } : {}) : { namespace: ns[s.namespace] }) }
          : { kind: s.kind, name: s.name, apiGroup: ROLE_REF_GROUP },
      );
      const name = `b${k}-${i}`;
      if (binding.cluster && role.kind === 'ClusterRole') {
        await client.post(`/apis/${RBAC}/clusterrolebindings`, { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: ROLE_REF_GROUP, kind: role.kind, name: role.name }, subjects });
      } else {
        // A RoleBinding can reference a Role only in its own namespace.
        const namespace = role.kind === 'Role' ? role.namespace : ns[binding.namespace];
        await client.post(`/apis/${RBAC}/namespaces/${namespace}/rolebindings`, { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: ROLE_REF_GROUP, kind: role.kind, name: role.name }, subjects });
      }
    }
    // Sentinels of every kind, created last: once the authorizer sees them it has seen everything before
    // (each kind's informer applies events in order).
    const sentinel = `sentinel-${k}`;
    const rules = [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [sentinel] }];
    await client.post(`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: sentinel }, rules });
    await client.post(`/apis/${RBAC}/namespaces/${ns[1]}/roles`, { apiVersion: RBAC, kind: 'Role', metadata: { name: sentinel }, rules });
    const subjects = [{ kind: 'User', name: sentinel, apiGroup: ROLE_REF_GROUP }];
    await client.post(`/apis/${RBAC}/clusterrolebindings`, { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: sentinel }, roleRef: { apiGroup: ROLE_REF_GROUP, kind: 'ClusterRole', name: sentinel }, subjects });
    await client.post(`/apis/${RBAC}/namespaces/${ns[1]}/rolebindings`, { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: sentinel }, roleRef: { apiGroup: ROLE_REF_GROUP, kind: 'Role', name: sentinel }, subjects });
    const user = { name: sentinel, groups: ['system:authenticated'] };
    const request = (namespace: string): Request => ({ verb: 'get', apiGroup: '', resource: 'configmaps', subresource: '', namespace, name: sentinel });
    const deadline = Date.now() + 15_000;
    while (!((await review(user, request(''))) && (await review(user, { ...request(ns[1]), verb: 'get' })))) {
      if (Date.now() > deadline) assert.fail('the authorizer did not see the generated RBAC objects within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return ns;
  }

  it('gives the same allow/deny as the API server for every generated query', { timeout: 600_000 }, async () => {
    let compared = 0;
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(rbacSet, async (set) => {
        const k = run++;
        const ns = await create(set, k);
        const index = await loadRbacIndex(client, resources);
        const identities: UserInfo[] = [
          parseIdentity('alice', ['devs']),
          parseIdentity('bob', ['ops']),
          parseIdentity('carol'),
          parseIdentity(`system:serviceaccount:${ns[0]}:sa1`),
          parseIdentity(`system:serviceaccount:${ns[1]}:sa2`),
          parseIdentity(`system:serviceaccount:${ns[0]}:sa2`),
        ];
        const mismatches: string[] = [];
        await Promise.all(
          set.queries.map(async (q) => {
            const user = identities[q.identity]!;
            const target = RESOURCES[q.resource]!;
            const request: Request = q.nonResource
              ? { verb: q.verb === 'get' ? 'get' : q.verb, path: q.name === 'x' ? '/metrics' : '/healthz/ready' }
              : toRequest({ verb: q.verb, resource: target.group === '' ? target.resource : `${target.resource.split('/')[0]}.${target.group}${target.resource.includes('/') ? `/${target.resource.split('/')[1]}` : ''}`, namespace: q.namespace === null ? '' : ns[q.namespace], name: q.name }, resources);
            const ours = index.authorize(user, request).allowed;
            const theirs = await review(user, request);
            compared++;
            if (theirs) allowed++;
            if (ours !== theirs) mismatches.push(`${user.name} ${JSON.stringify(request)}: bulwark ${ours}, API server ${theirs}`);
          }),
        );
        assert.deepEqual(mismatches, [], `set ${k}: ${JSON.stringify(set.roles)} ${JSON.stringify(set.bindings)}`);
      }),
      { numRuns: 8, endOnFailure: true },
    );
    assert.ok(compared >= 300, `${compared} queries compared`);
    // Both answers occur often enough for the agreement to mean something.
    assert.ok(allowed >= 10 && compared - allowed >= 10, `${allowed} allowed of ${compared}`);
    console.log(`compared ${compared} queries with SubjectAccessReview: ${allowed} allowed, ${compared - allowed} denied`);
  });

  it('who-can lists exactly the generated subjects SubjectAccessReview allows', async () => {
    const result = await runWhoCan(client, { verb: 'get', resource: 'secrets', namespace: 'p0a', name: '' });
    const subjects = new Set(result.entries.map((e) => e.subject));
    assert.ok(subjects.has('Group system:masters'));
    for (const [name, user] of [
      ['User alice', parseIdentity('alice')],
      ['User bob', parseIdentity('bob')],
    ] as const) {
      const allowedAlone = await review(user, { verb: 'get', apiGroup: '', resource: 'secrets', subresource: '', namespace: 'p0a', name: '' });
      // who-can names subjects, so a user counts when a binding names that user (not one of its groups).
      if (allowedAlone && !result.entries.some((e) => e.subject === name)) {
        assert.ok(result.entries.some((e) => e.subject.startsWith('Group ')), `${name} is allowed, through a group`);
      }
      if (subjects.has(name)) assert.equal(allowedAlone, true, `${name} is listed, so SubjectAccessReview allows it`);
    }
  });

  it('permissions --as lists resolved rules per scope, each allowed by SubjectAccessReview', async () => {
    const ns = 'perm';
    const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });
    await client.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns) });
    await client.post(`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('perm-nodes'), rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
    await client.post(`/apis/${RBAC}/clusterrolebindings`, { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta('perm-nodes'), roleRef: { apiGroup: ROLE_REF_GROUP, kind: 'ClusterRole', name: 'perm-nodes' }, subjects: [{ kind: 'Group', name: 'perm-devs', apiGroup: ROLE_REF_GROUP }] });
    await client.post(`/apis/${RBAC}/namespaces/${ns}/roles`, { apiVersion: RBAC, kind: 'Role', metadata: meta('cm'), rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }] });
    await client.post(`/apis/${RBAC}/namespaces/${ns}/rolebindings`, { apiVersion: RBAC, kind: 'RoleBinding', metadata: meta('cm'), roleRef: { apiGroup: ROLE_REF_GROUP, kind: 'Role', name: 'cm' }, subjects: [{ kind: 'User', name: 'perm-user', apiGroup: ROLE_REF_GROUP }] });
    // An aggregated ClusterRole: its rules are written by kube-controller-manager, which this plane does not run,
    // so the engine's resolution is asserted directly and not compared with SubjectAccessReview.
    await client.post(`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('perm-agg'), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'perm/aggregate': 'true' } }] }, rules: [] });
    await client.post(`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('perm-agg-secrets', { labels: { 'perm/aggregate': 'true' } }), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['db'] }] });
    await client.post(`/apis/${RBAC}/namespaces/${ns}/rolebindings`, { apiVersion: RBAC, kind: 'RoleBinding', metadata: meta('agg'), roleRef: { apiGroup: ROLE_REF_GROUP, kind: 'ClusterRole', name: 'perm-agg' }, subjects: [{ kind: 'User', name: 'perm-user', apiGroup: ROLE_REF_GROUP }] });

    const user = parseIdentity('perm-user', ['perm-devs']);
    const probe: Request = { verb: 'create', apiGroup: 'apps', resource: 'deployments', subresource: '', namespace: ns, name: '' };
    const deadline = Date.now() + 15_000;
    while (!(await review(user, probe)) || !(await review(user, { verb: 'get', path: '/metrics' }))) {
      if (Date.now() > deadline) assert.fail('the authorizer did not see the permission test objects within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await runPermissions(client, user);
    // Every authenticated user also holds the cluster's own defaults (system:basic-user, system:discovery, …).
    assert.ok(result.clusterWide.some((e) => e.binding === 'ClusterRoleBinding system:basic-user' && e.subject === 'Group system:authenticated'));
    const own = result.clusterWide.filter((e) => e.subject !== 'Group system:authenticated');
    assert.deepEqual(own.map((e) => [e.verbs.join(','), e.resources.join(','), e.nonResourceURLs.join(','), e.binding, e.subject]), [
      ['get,list', 'nodes', '', 'ClusterRoleBinding perm-nodes', 'Group perm-devs'],
      ['get', '', '/metrics', 'ClusterRoleBinding perm-nodes', 'Group perm-devs'],
    ]);
    const perm = result.namespaces.find((n) => n.namespace === ns)?.rules ?? [];
    assert.deepEqual(perm.map((e) => [e.verbs.join(','), e.resources.join(','), e.role, e.aggregatedFrom ?? '']).sort(), [
      ['create', 'deployments', 'Role perm/cm', ''],
      ['get,list', 'configmaps', 'Role perm/cm', ''],
      ['get', 'secrets', 'ClusterRole perm-agg', 'ClusterRole perm-agg-secrets'],
    ]);
    assert.deepEqual(result.namespaces.map((n) => n.namespace), [ns], 'no other namespace grants this user anything');
    // Every listed (non-aggregated) rule is allowed by the API server, and a neighbour is not.
    for (const [scope, rules] of [['', result.clusterWide], [ns, perm.filter((e) => e.aggregatedFrom === undefined)]] as const) {
      for (const e of rules) {
        for (const verb of e.verbs) {
          for (const path of e.nonResourceURLs) assert.equal(await review(user, { verb, path }), true, `${verb} ${path}`);
          for (const resource of e.resources) {
            const request: Request = { verb, apiGroup: e.apiGroups[0]!, resource, subresource: '', namespace: scope, name: '' };
            assert.equal(await review(user, request), true, `${verb} ${resource} in "${scope}"`);
          }
        }
      }
    }
    assert.equal(await review(user, { verb: 'delete', apiGroup: '', resource: 'configmaps', subresource: '', namespace: ns, name: '' }), false);
    assert.equal(await review(user, { verb: 'get', apiGroup: '', resource: 'configmaps', subresource: '', namespace: 'default', name: '' }), false);
  });
});
