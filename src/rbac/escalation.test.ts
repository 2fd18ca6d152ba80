import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRbacIndex } from './effective.ts';
import { escalationPaths } from './escalation.ts';
import { serviceAccountUser } from './subjects.ts';
import { rbacFromYaml } from './testing.ts';

const { roles, bindings } = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: ci}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: token-minter}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [reader]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: minter, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: token-minter}
subjects: [{kind: User, name: intern}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: binder}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: binder}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: binder}
subjects: [{kind: Group, name: platform}]
`);
const index = createRbacIndex(roles, bindings);
const options = { serviceAccounts: (ns: string | null) => (ns === 'ci' ? ['builder', 'reader'] : []) };

describe('escalation paths', () => {
  it('finds the pod a deployer can run as a cluster-admin ServiceAccount', () => {
    const paths = escalationPaths(index, { name: 'dev', groups: ['system:authenticated'] }, options, ['ci']);
    assert.equal(paths.length, 1);
    assert.equal(paths[0]!.goal, 'full access cluster-wide');
    assert.deepEqual(
      paths[0]!.steps.map((step) => step.from),
      ['dev', 'ServiceAccount ci/builder'],
    );
    assert.match(paths[0]!.steps[0]!.action, /run a pod as it \(create deployments in namespace ci\) → ServiceAccount ci\/builder/);
    assert.equal(paths[0]!.steps[0]!.grant.holder.binding.name, 'deployer');
  });

  it('follows name limits: a token for reader only leads nowhere', () => {
    assert.deepEqual(escalationPaths(index, { name: 'intern', groups: [] }, options, ['ci']), []);
  });

  it('reports identities that already reach a goal, with the grant', () => {
    const direct = escalationPaths(index, { name: 'pat', groups: ['platform'] }, options, ['ci']);
    assert.equal(direct.length, 1);
    assert.match(direct[0]!.goal, /escalate or bind/);
    assert.equal(direct[0]!.steps.length, 1);
    assert.equal(escalationPaths(index, serviceAccountUser('ci', 'builder'), options, ['ci'])[0]!.goal, 'full access cluster-wide');
  });

  it('stops at the depth and size bounds', () => {
    assert.deepEqual(escalationPaths(index, { name: 'dev', groups: [] }, { ...options, maxDepth: 0 }, ['ci']), []);
    assert.deepEqual(escalationPaths(index, { name: 'dev', groups: [] }, { ...options, maxIdentities: 1 }, ['ci']), []);
  });
});

describe('grantsFor', () => {
  it('lists every grant of an identity in every namespace', () => {
    const grants = index.grantsFor({ name: 'intern', groups: ['platform'] });
    assert.deepEqual(grants.map((g) => g.holder.binding.name).sort(), ['binder', 'minter']);
  });
});
