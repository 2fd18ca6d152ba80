import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRbacIndex, describeScope } from './effective.ts';
import type { ResourceRequest } from './model.ts';
import { parseBinding, parseRole } from './parse.ts';
import { ANONYMOUS_USER, describeSubject, serviceAccountUser } from './subjects.ts';
import { rbacFromYaml } from './testing.ts';

function req(partial: Partial<ResourceRequest>): ResourceRequest {
  return { verb: 'get', apiGroup: '', resource: 'secrets', subresource: '', namespace: 'shop', name: '', ...partial };
}

const jane = { name: 'jane', groups: ['system:authenticated'] };

describe('bindings and scope', () => {
  const { roles, bindings } = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: User, name: jane}
- {kind: ServiceAccount, name: web}
- {kind: ServiceAccount, name: ci, namespace: tools}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: global}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: nowhere}
- {kind: Group, name: auditors}
`);
  const index = createRbacIndex(roles, bindings);

  it('grants a ClusterRole through a RoleBinding only in that namespace', () => {
    assert.equal(index.authorize(jane, req({})).allowed, true);
    assert.equal(index.authorize(jane, req({ namespace: 'other' })).allowed, false);
    assert.equal(index.authorize(jane, req({ namespace: '' })).allowed, false, 'cluster-scoped or all-namespaces request');
  });

  it("defaults a ServiceAccount subject's namespace to the RoleBinding's", () => {
    assert.equal(index.authorize(serviceAccountUser('shop', 'web'), req({})).allowed, true);
    assert.equal(index.authorize(serviceAccountUser('tools', 'web'), req({})).allowed, false);
    assert.equal(index.authorize(serviceAccountUser('tools', 'ci'), req({})).allowed, true);
  });

  it('matches nobody with a ClusterRoleBinding ServiceAccount subject without namespace', () => {
    for (const ns of ['', 'default', 'shop']) assert.equal(index.authorize(serviceAccountUser(ns, 'nowhere'), req({ namespace: 'x' })).allowed, false);
    assert.deepEqual(
      index.whoCan(req({ namespace: 'x' })).map((g) => describeSubject(g.holder.subject, g.holder.binding.namespace, true)),
      ['Group auditors'],
    );
  });

  it('grants ClusterRoleBindings everywhere, including cluster-scoped requests', () => {
    const auditor = { name: 'al', groups: ['auditors'] };
    assert.equal(index.authorize(auditor, req({ namespace: '' })).allowed, true);
    assert.equal(index.authorize(auditor, req({ namespace: 'any' })).allowed, true);
    assert.equal(index.authorize(auditor, req({ verb: 'delete' })).allowed, false);
  });

  it('answers who-can with every subject and the binding that gives it', () => {
    const who = index.whoCan(req({ verb: 'list' })).map((grant) => [
      describeSubject(grant.holder.subject, grant.holder.binding.namespace, grant.holder.binding.kind === 'ClusterRoleBinding'),
      grant.holder.binding.name,
      describeScope(grant.holder.scope),
    ]);
    assert.deepEqual(who, [
      ['Group auditors', 'global', 'cluster-wide'],
      ['User jane', 'read', 'in namespace shop'],
      ['ServiceAccount shop/web', 'read', 'in namespace shop'],
      ['ServiceAccount tools/ci', 'read', 'in namespace shop'],
    ]);
  });

  it('lists effective permissions per identity and namespace', () => {
    assert.equal(index.rulesFor(jane, 'shop').length, 1);
    assert.equal(index.rulesFor(jane, 'other').length, 0);
    assert.equal(index.rulesFor(ANONYMOUS_USER, 'shop').length, 0);
  });

  it('names the holders of each written rule', () => {
    const role = roles.find((r) => r.name === 'secret-reader')!;
    assert.deepEqual(
      index.holdersOfRule(role, 0).map((h) => h.subject.name),
      ['jane', 'web', 'ci', 'auditors'],
    );
  });
});

describe('role references', () => {
  const { roles, bindings } = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pods, namespace: a}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: same-ns, namespace: a}
roleRef: {kind: Role, name: pods, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-ns, namespace: b}
roleRef: {kind: Role, name: pods, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb-to-role}
roleRef: {kind: Role, name: pods, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controller}
roleRef: {kind: ClusterRole, name: "system:controller:job-controller", apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: typo}
roleRef: {kind: ClusterRole, name: clusteradmin, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin}
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: Group, name: ops}]
`);
  const index = createRbacIndex(roles, bindings);
  const byName = (name: string) => bindings.find((b) => b.name === name)!;

  it('looks a Role up in the RoleBinding namespace only', () => {
    assert.equal(index.resolve(byName('same-ns')).status, 'found');
    assert.equal(index.resolve(byName('other-ns')).status, 'missing');
  });

  it('refuses a Role from a ClusterRoleBinding, and knows default roles', () => {
    assert.equal(index.resolve(byName('crb-to-role')).status, 'invalid');
    assert.equal(index.resolve(byName('controller')).status, 'builtin-unmodelled');
    assert.equal(index.resolve(byName('typo')).status, 'missing');
    const admin = index.resolve(byName('admin'));
    assert.equal(admin.status === 'found' && admin.role.builtin, true);
    assert.equal(index.authorize({ name: 'x', groups: ['ops'] }, req({ verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '' })).allowed, true);
    assert.equal(index.authorize({ name: 'x', groups: ['ops'] }, { verb: 'post', path: '/anything' }).allowed, true);
  });

  it('leaves defaults out when asked (a live cluster brings its own)', () => {
    const bare = createRbacIndex(roles, bindings, { builtins: false });
    assert.equal(bare.resolve(byName('admin')).status, 'missing');
  });
});

describe('aggregation', () => {
  const { roles, bindings } = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: [{apiGroups: [""], resources: [nodes], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-endpoints
  labels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: [{apiGroups: [""], resources: [endpoints], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-edit
  labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: mon}
roleRef: {kind: ClusterRole, name: monitoring, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: prom}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admins, namespace: shop}
roleRef: {kind: ClusterRole, name: admin, apiGroup: rbac.authorization.k8s.io}
subjects: [{kind: User, name: owner}]
`);
  const index = createRbacIndex(roles, bindings);
  const prom = { name: 'prom', groups: [] };
  const owner = { name: 'owner', groups: [] };

  it('replaces an aggregated role’s own rules with those of the roles it selects', () => {
    assert.equal(index.authorize(prom, req({ resource: 'endpoints', namespace: 'x' })).allowed, true);
    assert.equal(index.authorize(prom, req({ verb: 'delete', resource: 'nodes', namespace: '' })).allowed, false);
  });

  it('follows chains of defaults (view → edit → admin) and picks up custom roles labelled for them', () => {
    assert.equal(index.authorize(owner, req({ verb: 'create', apiGroup: 'example.com', resource: 'widgets' })).allowed, true);
    assert.equal(index.authorize(owner, req({ verb: 'list', resource: 'pods' })).allowed, true, 'from view');
    assert.equal(index.authorize(owner, req({ verb: 'create', resource: 'pods', subresource: 'exec', name: 'p' })).allowed, true, 'from edit');
    assert.equal(index.authorize(owner, req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' })).allowed, true, 'from admin');
    assert.equal(index.authorize(owner, req({ verb: 'create', resource: 'pods', namespace: 'other' })).allowed, false);
  });

  it('names the holders of an aggregated rule and the roles it flows into', () => {
    const crdEdit = roles.find((r) => r.name === 'crd-edit')!;
    assert.deepEqual(index.holdersOfRule(crdEdit, 0).map((h) => `${h.subject.name} via ${h.via.name}`), ['owner via admin']);
    assert.deepEqual(index.aggregatedInto(crdEdit).map((r) => r.name).sort(), ['admin', 'edit']);
    const endpoints = roles.find((r) => r.name === 'monitoring-endpoints')!;
    assert.deepEqual(index.holdersOfRole(endpoints).map((h) => h.subject.name), ['prom']);
  });

  it('settles on cycles and self-selection', () => {
    const cyclic = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {group: x}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {group: x}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {group: x}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {group: x}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c, labels: {group: x}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`);
    const idx = createRbacIndex(cyclic.roles, [], { builtins: false });
    for (const role of cyclic.roles) assert.equal(idx.rulesOf(role).length, 1, role.name);
  });
});

describe('robustness', () => {
  it('never throws on arbitrary objects, and authorizes arbitrary requests', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 6 }), fc.string(), fc.string(), (raws, verb, resource) => {
        const roles = raws.flatMap((raw) => {
          const role = parseRole({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', ...(raw as object) });
          return role === undefined ? [] : [role];
        });
        const bindings = raws.flatMap((raw) => {
          const binding = parseBinding({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', ...(raw as object) });
          return binding === undefined ? [] : [binding];
        });
        const index = createRbacIndex(roles, bindings);
        index.authorize(jane, req({ verb, resource }));
        index.whoCan(req({ verb, resource, namespace: null }));
        for (const role of roles) index.holdersOfRole(role);
      }),
    );
  });
});
