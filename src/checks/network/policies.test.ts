import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';
import type { KubeObject } from '../../core/index.ts';
import { createObjectSet } from '../../engine/object-set.ts';
import { runChecks, runSetChecks } from '../../engine/run.ts';
import { documentsToObjects, parseYamlStream } from '../../load/index.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { networkChecks, networkSetChecks } from './index.ts';
import { defaultDeny, isolationOf, parsePolicy, policyTypes } from './policies.ts';
import { workloadIndex } from './workloads.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function setOf(text: string) {
  return createObjectSet(objectsFromYaml(text));
}

const POD = (name: string, labels: string, namespace = 'shop') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}, labels: ${labels}}\nspec:\n  containers: [{name: c, image: c}]\n---\n`;

describe('NetworkPolicy semantics', () => {
  it('defaults policyTypes to Ingress, plus Egress when egress rules exist', () => {
    assert.deepEqual(policyTypes({}), { ingress: true, egress: false });
    assert.deepEqual(policyTypes({ egress: [{}] }), { ingress: true, egress: true });
    assert.deepEqual(policyTypes({ egress: [] }), { ingress: true, egress: false });
    assert.deepEqual(policyTypes({ policyTypes: ['Egress'], ingress: [{}] }), { ingress: false, egress: true });
  });

  it('reads an absent podSelector as every pod, and scopes a policy to its namespace', () => {
    const set = setOf(`${POD('a', '{app: a}')}${POD('b', '{app: b}', 'other')}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: shop}
spec:
  policyTypes: [Ingress, Egress]
`);
    const [a, b] = workloadIndex(set).all;
    assert.deepEqual([isolationOf(a!, set).ingress, isolationOf(a!, set).egress], [true, true]);
    assert.equal(isolationOf(b!, set).selectedBy.length, 0);
    assert.ok(defaultDeny('shop', set).ingress);
    assert.equal(defaultDeny('other', set).ingress, undefined);
  });

  it('treats a manifest without namespace as a namespace of its own', () => {
    const set = setOf(`apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: a}}\nspec:\n  containers: [{name: c, image: c}]\n---\napiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: shop}
spec:
  podSelector: {}
`);
    assert.equal(isolationOf(workloadIndex(set).all[0]!, set).selectedBy.length, 0);
    assert.equal(defaultDeny(null, set).ingress, undefined);
  });

  it('selects nothing with an invalid selector, as the API server would refuse it', () => {
    const [object] = objectsFromYaml(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: []}]}
`);
    assert.equal(parsePolicy(object!)!.parts[0]!.pods, undefined);
  });

  it('reads Cilium selectors with source prefixes, the namespace label and enableDefaultDeny', () => {
    const set = setOf(`${POD('a', '{app: a}')}apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: shop-only}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: shop, any:app: a}}
  enableDefaultDeny: {egress: false}
  ingress: [{}]
  egress: [{}]
`);
    const isolation = isolationOf(workloadIndex(set).all[0]!, set);
    assert.deepEqual([isolation.ingress, isolation.egress], [true, false]);
  });

  it('matches AdminNetworkPolicy subjects by namespace labels', () => {
    const set = setOf(`apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {tier: front}}\n---\n${POD('a', '{app: a}')}apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: front}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {tier: front}}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
`);
    assert.equal(isolationOf(workloadIndex(set).all[0]!, set).ingress, true);
    assert.equal(defaultDeny('shop', set).ingress, undefined, 'admin policies do not cover traffic from outside the cluster');
  });

  it('never throws on arbitrary policy shapes', () => {
    fc.assert(
      fc.property(fc.constantFrom('NetworkPolicy', 'CiliumNetworkPolicy', 'AdminNetworkPolicy'), fc.anything(), fc.anything(), (kind, spec, specs) => {
        const apiVersion = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : kind === 'CiliumNetworkPolicy' ? 'cilium.io/v2' : 'policy.networking.k8s.io/v1alpha1';
        const raw = { apiVersion, kind, metadata: { name: 'p' }, spec, specs };
        const object: KubeObject = {
          apiVersion,
          kind,
          namespace: 'shop',
          name: 'p',
          raw,
          source: { file: 'f', document: 0, line: 1, column: 1 },
          positions: { locate: () => ({ line: 1, column: 1 }) },
        };
        parsePolicy(object);
        const set = createObjectSet([object]);
        runSetChecks(set, networkSetChecks, { settings });
        runChecks([object], networkChecks, { settings });
      }),
    );
  });
});

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

describe('upstream NetworkPolicy fixtures (network-policy-api)', { skip: missingShared('conformance', 'netpol') }, () => {
  it('parses every policy shape, with valid selectors, and runs every network check on them', () => {
    const objects: KubeObject[] = [];
    for (const file of yamlFiles(sharedPath('conformance', 'netpol'))) {
      // A few conformance manifests are Go templates; the suite fills in ports, and so does this test.
      const text = readFileSync(file, 'utf8').replace(/\{\{[^}]*\}\}/g, '34567');
      const parsed = parseYamlStream(text, file);
      assert.deepEqual(parsed.errors.map(String), [], file);
      objects.push(...documentsToObjects(parsed.documents, file).objects);
    }
    const policies = objects.filter((object) => ['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'].includes(object.kind));
    assert.ok(policies.length >= 30, `found ${policies.length} policies`);
    for (const object of policies) {
      const policy = parsePolicy(object);
      assert.ok(policy, `${object.source.file}: ${object.kind} ${object.name}`);
      for (const part of policy.parts) assert.ok(part.pods, `${object.source.file}: ${object.name} has a valid selector`);
    }
    const set = createObjectSet(objects);
    assert.doesNotThrow(() => runSetChecks(set, networkSetChecks, { settings }));
    assert.doesNotThrow(() => runChecks(objects, networkChecks, { settings }));
  });
});
