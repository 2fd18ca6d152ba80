import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { indexObjects } from './access.ts';
import { formatPermissions, permissionsOf } from './permissions.ts';

const index = indexObjects(
  objectsFromYaml(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list]}
- {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: Group, name: devs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: team}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {team/aggregate: "true"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: team-secrets, labels: {team/aggregate: "true"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [db]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: team}
subjects: [{kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy, namespace: ci}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deploy, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy}
subjects: [{kind: User, name: jane}, {kind: User, name: other}]
`),
);
const jane = { name: 'jane', groups: ['devs', 'system:authenticated'] };

describe('cluster permissions', () => {
  it('groups resolved rules cluster-wide and per namespace, aggregation resolved', () => {
    const result = permissionsOf(index, 'test', jane);
    assert.deepEqual(result.clusterWide.map((e) => [e.verbs, e.resources, e.nonResourceURLs, e.binding, e.subject]), [
      [['get', 'list'], ['nodes'], [], 'ClusterRoleBinding reader', 'Group devs'],
      [['get'], [], ['/metrics'], 'ClusterRoleBinding reader', 'Group devs'],
    ]);
    assert.deepEqual(result.namespaces.map((n) => n.namespace), ['ci', 'shop']);
    const shop = result.namespaces[1]!.rules;
    assert.deepEqual(shop, [
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], nonResourceURLs: [], binding: 'RoleBinding shop/team', role: 'ClusterRole team', aggregatedFrom: 'ClusterRole team-secrets', subject: 'User jane' },
    ]);
  });

  it('limits namespaces with -n and keeps cluster-wide grants', () => {
    const result = permissionsOf(index, 'test', jane, 'ci');
    assert.deepEqual(result.namespaces.map((n) => n.namespace), ['ci']);
    assert.equal(result.clusterWide.length, 2);
  });

  it('renders a table per scope, and says when there is nothing', () => {
    const text = formatPermissions(permissionsOf(index, 'test', jane));
    assert.match(text, /^jane \(groups: devs, system:authenticated\) in test\n/);
    assert.match(text, /cluster-wide .*:\n  VERBS +RESOURCES +NAMES +VIA\n  get,list +nodes +- +ClusterRoleBinding reader → ClusterRole reader as Group devs\n  get +\/metrics/);
    assert.match(text, /namespace shop:\n.*\n  get +secrets +db +RoleBinding shop\/team → ClusterRole team \(from ClusterRole team-secrets\) as User jane/);
    assert.match(text, /deployments\.apps/);
    assert.match(formatPermissions(permissionsOf(index, 'test', { name: 'nobody', groups: [] })), /no permissions through RBAC/);
  });
});
