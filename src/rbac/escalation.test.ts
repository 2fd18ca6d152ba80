import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRbacIndex } from './effective.ts';
import { escalationPaths, NODE_ACCESS_GOAL } from './escalation.ts';
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

describe('escalation through certificate approval', () => {
  const rbac = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-approver}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-approver}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-approver}
subjects: [{kind: User, name: approver}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: other-signer}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [corp.example/internal]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: other-signer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: other-signer}
subjects: [{kind: User, name: corp-approver}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: wildcard-signer}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [patch], resourceNames: [mine]}
- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: ["kubernetes.io/*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wildcard-signer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wildcard-signer}
subjects: [{kind: User, name: wild}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: Group, name: ops}]
`);
  const csrIndex = createRbacIndex(rbac.roles, rbac.bindings, { builtins: false });
  const none = { serviceAccounts: () => [] };

  it('approves a client certificate for a bound group: two steps to full access', () => {
    const paths = escalationPaths(csrIndex, { name: 'approver', groups: [] }, none, []);
    assert.equal(paths.length, 1);
    assert.equal(paths[0]!.goal, 'full access cluster-wide');
    assert.deepEqual(paths[0]!.steps.map((s) => s.from), ['approver', 'Group ops']);
    assert.match(paths[0]!.steps[0]!.action, /approve a CSR for signer kubernetes\.io\/kube-apiserver-client .*→ Group ops/);
    assert.equal(paths[0]!.steps[0]!.grant.holder.binding.name, 'csr-approver');
    assert.equal(paths[0]!.steps[0]!.alsoNeeds?.[0]?.rule.verbs[0], 'approve');
  });

  it('accepts the kubernetes.io/* signer wildcard and a name-limited approval grant', () => {
    const paths = escalationPaths(csrIndex, { name: 'wild', groups: [] }, none, []);
    assert.deepEqual(paths.map((p) => p.steps.at(-1)!.from), ['Group ops']);
  });

  it('does not count approving for another signer', () => {
    assert.deepEqual(escalationPaths(csrIndex, { name: 'corp-approver', groups: [] }, none, []), []);
  });

  it('never targets system:masters: with only a masters binding there is nothing to reach', () => {
    const masters = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: masters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects: [{kind: Group, name: system:masters}]
`);
    const only = createRbacIndex([...rbac.roles], [rbac.bindings[0]!, ...masters.bindings], { builtins: false });
    assert.deepEqual(escalationPaths(only, { name: 'approver', groups: [] }, none, []), []);
  });
});

describe('escalation through Pod Security relabelling', () => {
  const rbac = rbacFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ns-owner, namespace: team}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [patch]}
- {apiGroups: [apps], resources: [deployments], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-owner, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ns-owner}
subjects: [{kind: User, name: lead}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: relabel-only, namespace: team}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [update, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: relabel-only, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: relabel-only}
subjects: [{kind: User, name: labeller}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: other-ns, namespace: team}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [patch], resourceNames: [prod]}, {apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-ns, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: other-ns}
subjects: [{kind: User, name: confused}]
`);
  const psIndex = createRbacIndex(rbac.roles, rbac.bindings, { builtins: false });
  const accounts = { serviceAccounts: (ns: string | null) => (ns === 'team' ? ['default'] : []) };

  it('patch on its own namespace plus workload creation reaches a node in two steps', () => {
    const paths = escalationPaths(psIndex, { name: 'lead', groups: [] }, accounts, ['team']);
    const node = paths.filter((p) => p.goal === NODE_ACCESS_GOAL);
    assert.equal(node.length, 1);
    assert.equal(node[0]!.steps.length, 2);
    assert.match(node[0]!.steps[0]!.action, /relabel namespace team pod-security\.kubernetes\.io\/enforce=privileged/);
    assert.match(node[0]!.steps[1]!.action, /run a privileged pod in namespace team \(create deployments in namespace team\)/);
  });

  it('needs both: relabelling without workloads, or workloads in a namespace it cannot relabel, is no path', () => {
    assert.deepEqual(escalationPaths(psIndex, { name: 'labeller', groups: [] }, accounts, ['team']), []);
    assert.deepEqual(escalationPaths(psIndex, { name: 'confused', groups: [] }, accounts, ['team']).filter((p) => p.goal === NODE_ACCESS_GOAL), []);
  });
});
