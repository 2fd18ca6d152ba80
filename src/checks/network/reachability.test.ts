// The reachability engine against a brute-force reference written from the NetworkPolicy API
// documentation, over random small clusters: every pair of pods, every port and protocol. The
// reference reads the raw objects with its own selector evaluation, so the two share no code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createObjectSet } from '../../engine/object-set.ts';
import { compileLabelSelector, selects } from '../../labels/selector.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { portAllows, reachability, type Protocol } from './reachability.ts';
import { workloadIndex } from './workloads.ts';

type Labels = Record<string, string>;
interface RawExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface RawSelector {
  matchLabels?: Labels;
  matchExpressions?: RawExpression[];
}
interface RawPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}
interface RawPeer {
  podSelector?: RawSelector;
  namespaceSelector?: RawSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface RawRule {
  from?: RawPeer[];
  to?: RawPeer[];
  ports?: RawPort[];
}
interface RawPolicy {
  namespace: string;
  spec: { podSelector?: RawSelector; policyTypes?: string[]; ingress?: RawRule[]; egress?: RawRule[] };
}
interface RawPod {
  namespace: string;
  labels: Labels;
  ports: { name?: string; containerPort: number; protocol?: Protocol }[];
}

// --- The reference, from the API documentation ------------------------------------------------

function rawSelects(selector: RawSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    if (expression.operator === 'In' && !(has && expression.values!.includes(value!))) return false;
    if (expression.operator === 'NotIn' && has && expression.values!.includes(value!)) return false;
    if (expression.operator === 'Exists' && !has) return false;
    if (expression.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const isEverything = (selector: RawSelector | undefined) => selector !== undefined && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;

function types(spec: RawPolicy['spec']): string[] {
  if (spec.policyTypes !== undefined && spec.policyTypes.length > 0) return spec.policyTypes;
  return ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress'] : [])];
}

function portsOk(ports: RawPort[] | undefined, port: number, protocol: Protocol, destination: RawPod): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== protocol) return false;
    if (entry.port === undefined) return true;
    if (typeof entry.port === 'string') return destination.ports.some((declared) => declared.name === entry.port && declared.containerPort === port && (declared.protocol ?? 'TCP') === protocol);
    const allowed = new Set<number>();
    for (let n = entry.port; n <= (entry.endPort ?? entry.port); n++) allowed.add(n);
    return allowed.has(port);
  });
}

type RefSource = RawPod | 'any-namespace';

function peersOk(peers: RawPeer[] | undefined, source: RefSource, policyNamespace: string, namespaceLabels: Record<string, Labels>): boolean {
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((peer) => {
    if (peer.ipBlock !== undefined) return peer.ipBlock.cidr === '0.0.0.0/0' && (peer.ipBlock.except ?? []).length === 0;
    if (source === 'any-namespace') return isEverything(peer.namespaceSelector) && (peer.podSelector === undefined || isEverything(peer.podSelector));
    const namespaceOk = peer.namespaceSelector === undefined ? source.namespace === policyNamespace : rawSelects(peer.namespaceSelector, namespaceLabels[source.namespace]!);
    return namespaceOk && (peer.podSelector === undefined || rawSelects(peer.podSelector, source.labels));
  });
}

function referenceReach(source: RefSource, destination: RawPod, port: number, protocol: Protocol, policies: RawPolicy[], namespaceLabels: Record<string, Labels>): boolean {
  const selecting = (pod: RawPod, type: string) => policies.filter((policy) => policy.namespace === pod.namespace && rawSelects(policy.spec.podSelector ?? {}, pod.labels) && types(policy.spec).includes(type));
  if (source !== 'any-namespace') {
    const egress = selecting(source, 'Egress');
    if (egress.length > 0 && !egress.some((policy) => (policy.spec.egress ?? []).some((rule) => portsOk(rule.ports, port, protocol, destination) && peersOk(rule.to, destination, policy.namespace, namespaceLabels)))) return false;
  }
  const ingress = selecting(destination, 'Ingress');
  return ingress.length === 0 || ingress.some((policy) => (policy.spec.ingress ?? []).some((rule) => portsOk(rule.ports, port, protocol, destination) && peersOk(rule.from, source, policy.namespace, namespaceLabels)));
}

// --- Generators over a small universe, so that selectors, names and ports collide often ---------

const NAMESPACES = ['a', 'b'];
const labelKey = fc.constantFrom('app', 'tier');
const labelValue = fc.constantFrom('x', 'y');
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 2 });
const expression: fc.Arbitrary<RawExpression> = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.oneof(labelKey, fc.constant('team')), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selector: fc.Arbitrary<RawSelector> = fc.record({ matchLabels: fc.dictionary(fc.oneof(labelKey, fc.constant('team')), labelValue, { maxKeys: 1 }), matchExpressions: fc.array(expression, { maxLength: 2 }) }, { requiredKeys: [] });
const port: fc.Arbitrary<RawPort> = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP' as const, 'UDP' as const), port: fc.integer({ min: 1, max: 6 }) }, { requiredKeys: [] }),
  fc.integer({ min: 1, max: 4 }).chain((start) => fc.record({ port: fc.constant(start), endPort: fc.integer({ min: start, max: 6 }) })),
  fc.record({ port: fc.constantFrom('web', 'db'), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }, { requiredKeys: ['port'] }),
);
const peer: fc.Arbitrary<RawPeer> = fc.oneof(
  fc.record({ podSelector: selector, namespaceSelector: selector }, { requiredKeys: [] }).filter((entry) => entry.podSelector !== undefined || entry.namespaceSelector !== undefined),
  fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('0.0.0.0/0', '10.0.0.0/8'), except: fc.constantFrom<string[] | undefined>(undefined, ['10.1.0.0/16']) }, { requiredKeys: ['cidr'] }) }),
);
const rule = (key: 'from' | 'to') => fc.record({ [key]: fc.array(peer, { maxLength: 2 }), ports: fc.array(port, { maxLength: 2 }) }, { requiredKeys: [] }) as fc.Arbitrary<RawRule>;
const policy: fc.Arbitrary<RawPolicy> = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  spec: fc.record(
    {
      podSelector: selector,
      policyTypes: fc.subarray(['Ingress', 'Egress']),
      ingress: fc.array(rule('from'), { maxLength: 2 }),
      egress: fc.array(rule('to'), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
});
const pod: fc.Arbitrary<RawPod> = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels,
  ports: fc.array(fc.record({ name: fc.constantFrom('web', 'db'), containerPort: fc.integer({ min: 1, max: 6 }), protocol: fc.constantFrom('TCP' as const, 'UDP' as const) }, { requiredKeys: ['containerPort'] }), { maxLength: 2 }),
});
const cluster = fc.record({
  pods: fc.array(pod, { minLength: 1, maxLength: 4 }),
  policies: fc.array(policy, { maxLength: 3 }),
  namespaceLabels: fc.record({ a: fc.dictionary(fc.constant('team'), labelValue, { maxKeys: 1 }), b: fc.dictionary(fc.constant('team'), labelValue, { maxKeys: 1 }) }),
});

function objects(input: { pods: RawPod[]; policies: RawPolicy[]; namespaceLabels: Record<string, Labels> }): string {
  const docs: unknown[] = [
    ...NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: input.namespaceLabels[name] } })),
    ...input.pods.map((entry, index) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${index}`, namespace: entry.namespace, labels: entry.labels },
      spec: { containers: [{ name: 'c', image: 'c', ports: entry.ports }] },
    })),
    ...input.policies.map((entry, index) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np${index}`, namespace: entry.namespace }, spec: entry.spec })),
  ];
  return docs.map((doc) => JSON.stringify(doc)).join('\n---\n');
}

describe('NetworkPolicy reachability', () => {
  it('agrees with a brute-force reference on every pod pair, port and protocol', () => {
    fc.assert(
      fc.property(cluster, (input) => {
        const set = createObjectSet(objectsFromYaml(objects(input)));
        const engine = reachability(set);
        const workloads = workloadIndex(set).all;
        assert.equal(workloads.length, input.pods.length);
        const given: Record<string, Labels> = input.namespaceLabels;
        const namespaceLabels = Object.fromEntries(NAMESPACES.map((name) => [name, { ...given[name], 'kubernetes.io/metadata.name': name }]));
        for (let d = 0; d < input.pods.length; d++) {
          for (const protocol of ['TCP', 'UDP'] as const) {
            for (let n = 1; n <= 7; n++) {
              for (let s = 0; s < input.pods.length; s++) {
                if (s === d) continue;
                const expected = referenceReach(input.pods[s]!, input.pods[d]!, n, protocol, input.policies, namespaceLabels);
                assert.equal(engine.canReach({ kind: 'workload', workload: workloads[s]! }, workloads[d]!, n, protocol), expected, `p${s} → p${d} on ${n}/${protocol}`);
              }
              const expected = referenceReach('any-namespace', input.pods[d]!, n, protocol, input.policies, namespaceLabels);
              assert.equal(engine.canReach({ kind: 'any-namespace' }, workloads[d]!, n, protocol), expected, `any namespace → p${d} on ${n}/${protocol}`);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('matches label selectors exactly as a direct reading of matchLabels and matchExpressions', () => {
    fc.assert(
      fc.property(selector, fc.dictionary(fc.oneof(labelKey, fc.constant('team')), labelValue), (raw, podLabels) => {
        const compiled = compileLabelSelector(raw, []);
        assert.equal(compiled.kind, 'selector');
        if (compiled.kind === 'selector') assert.equal(selects(compiled, podLabels), rawSelects(raw, podLabels));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches ports as the set of numbers each rule stands for', () => {
    const declared = [{ name: 'web', port: 3, protocol: 'TCP' as const }];
    fc.assert(
      fc.property(port, fc.integer({ min: 0, max: 8 }), fc.constantFrom('TCP' as const, 'UDP' as const), (raw, number, protocol) => {
        const rule = { protocol: raw.protocol ?? ('TCP' as const), port: raw.port, endPort: raw.endPort };
        const destination: RawPod = { namespace: 'a', labels: {}, ports: [{ name: 'web', containerPort: 3, protocol: 'TCP' }] };
        assert.equal(portAllows(rule, number, protocol, declared), portsOk([raw], number, protocol, destination));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers which pods can reach a pod, naming the abstract sources too', () => {
    const set = createObjectSet(
      objectsFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: batch, image: batch}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: api}}}], ports: [{port: pg}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: batch, namespace: shop}
spec:
  podSelector: {matchLabels: {app: batch}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {}}], ports: [{port: 5000, endPort: 6000}]}]
`),
    );
    const engine = reachability(set);
    const [db] = workloadIndex(set).all;
    const sources = engine.sourcesOf(db!, 5432, 'TCP');
    assert.deepEqual(sources.workloads.map((workload) => workload.object.name), ['api']);
    assert.equal(sources.anyNamespace, false);
    assert.equal(sources.external, false);
    assert.deepEqual(engine.sourcesOf(db!, 5433, 'TCP').workloads, []);
  });
});
