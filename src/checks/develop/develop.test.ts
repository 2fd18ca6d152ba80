// The threat-model checks beyond their fixtures: every way in (Gateway routes included), the guards
// that keep references to objects outside the scan from being reported, and kinds kept in memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createObjectSet } from '../../engine/object-set.ts';
import { runSetChecks } from '../../engine/run.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { allSetChecks } from '../catalog.ts';
import { threatPaths } from './threat-model.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function run(text: string, id: string) {
  const check = allSetChecks.find((each) => each.id === id)!;
  const kinds = new Set(check.kinds);
  // As a scan keeps objects: only the kinds the check declares.
  const set = createObjectSet(objectsFromYaml(text).filter((object) => kinds.has(object.kind)));
  return runSetChecks(set, [check], { settings }).findings;
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostPID: true
      containers: [{name: web, image: web}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

describe('threat model', () => {
  it('follows Gateway API routes to the Services they send traffic to', () => {
    const route = `${WEB}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: gateways}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
    const found = run(route, 'develop-exposed-workload');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /exposed through HTTPRoute web → Service web; shares the node's process namespace/);
  });

  it('does not count a ClusterIP Service alone as exposure', () => {
    assert.deepEqual(run(WEB, 'develop-exposed-workload'), []);
    assert.deepEqual(threatPaths(createObjectSet(objectsFromYaml(WEB))), []);
  });

  it('declares every kind it reads, so a scan keeps them', () => {
    const text = `${WEB}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [a.example.com]}]
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    assert.equal(run(text, 'develop-exposed-workload').length, 1);
  });
});

describe('references to objects outside the scan', () => {
  it('leave Services alone in namespaces without workloads in the set', () => {
    const service = `apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: data}\nspec:\n  selector: {app: db}\n  ports: [{port: 5432}]\n`;
    assert.deepEqual(run(service, 'develop-service-selects-nothing'), []);
  });

  it('report a missing ClusterRole only when cluster roles were scanned, and never a default one', () => {
    const binding = (role: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}"}\nsubjects: [{kind: User, name: u}]\n`;
    const someRole = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: other}\nrules: []\n---\n`;
    assert.deepEqual(run(binding('operator'), 'develop-binding-dangling-reference'), []);
    assert.equal(run(someRole + binding('operator'), 'develop-binding-dangling-reference').length, 1);
    for (const role of ['cluster-admin', 'view', 'system:node-proxier']) assert.deepEqual(run(someRole + binding(role), 'develop-binding-dangling-reference'), [], role);
  });
});

describe('disruption budgets', () => {
  it('read an empty policy/v1 selector as every pod and an empty v1beta1 one as none', () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: web}]\n---\n`;
    const budget = (version: string) => `apiVersion: ${version}\nkind: PodDisruptionBudget\nmetadata: {name: all}\nspec:\n  maxUnavailable: 1\n  selector: {}\n`;
    assert.deepEqual(run(deployment + budget('policy/v1'), 'workload-no-disruption-budget'), []);
    assert.equal(run(deployment + budget('policy/v1beta1'), 'workload-no-disruption-budget').length, 1);
  });
});
