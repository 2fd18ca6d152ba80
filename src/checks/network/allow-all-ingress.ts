// NetworkPolicy ingress rules that admit every source: a rule without `from` (or with an empty one),
// or a peer whose ipBlock is the whole address space. Cilium's `world`/`all` entities and /0 CIDRs
// likewise. Ingress rules are ignored by the data plane when the policy does not list Ingress in
// policyTypes, so such rules are not reported.
import type { FieldPath } from '../../core/index.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { Check, Violation } from '../check.ts';
import { policyTypes } from './policies.ts';

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

function portsText(rule: Readonly<Record<string, unknown>> | undefined, key = 'ports'): string {
  const ports = asList(fieldOf(rule, key));
  if (ports === undefined || ports.length === 0) return 'on every port';
  const names = ports.map((port) => {
    const fields = asFields(port);
    const value = fieldOf(fields, 'port') ?? fieldOf(fields, 'ports');
    const protocol = fieldOf(fields, 'protocol');
    return `${typeof value === 'object' ? JSON.stringify(value) : String(value ?? 'any')}${typeof protocol === 'string' && protocol !== 'TCP' ? `/${protocol}` : ''}`;
  });
  return `on port${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
}

function selectorText(spec: Readonly<Record<string, unknown>> | undefined, key: string): string {
  const selector = asFields(fieldOf(spec, key));
  const empty = selector === undefined || Object.keys(selector).every((k) => {
    const v = selector[k];
    return v === null || (Array.isArray(v) ? v.length === 0 : asFields(v) !== undefined && Object.keys(asFields(v)!).length === 0);
  });
  return empty ? 'every pod of the namespace' : 'the selected pods';
}

function networkPolicyViolations(raw: Readonly<Record<string, unknown>>): Violation[] {
  const spec = asFields(raw['spec']);
  if (!policyTypes(spec).ingress) return [];
  const out: Violation[] = [];
  const pods = selectorText(spec, 'podSelector');
  asList(fieldOf(spec, 'ingress'))?.forEach((item, index) => {
    const rule = asFields(item);
    const path: FieldPath = ['spec', 'ingress', index];
    const from = asList(fieldOf(rule, 'from'));
    if (from === undefined || from.length === 0) {
      out.push({ path, message: `ingress[${index}] has no "from": it admits every source, inside and outside the cluster, to ${pods} ${portsText(rule)}` });
      return;
    }
    from.forEach((peer, peerIndex) => {
      const cidr = fieldOf(asFields(fieldOf(asFields(peer), 'ipBlock')), 'cidr');
      if (typeof cidr === 'string' && EVERYWHERE.has(cidr.trim())) {
        out.push({
          path: [...path, 'from', peerIndex, 'ipBlock', 'cidr'],
          message: `ingress[${index}] admits ipBlock ${cidr}: every address, inside and outside the cluster, may reach ${pods} ${portsText(rule)}`,
        });
      }
    });
  });
  return out;
}

function ciliumViolations(raw: Readonly<Record<string, unknown>>): Violation[] {
  const out: Violation[] = [];
  const rules: [Readonly<Record<string, unknown>> | undefined, FieldPath][] = [[asFields(raw['spec']), ['spec']]];
  asList(raw['specs'])?.forEach((rule, index) => rules.push([asFields(rule), ['specs', index]]));
  for (const [rule, base] of rules) {
    asList(fieldOf(rule, 'ingress'))?.forEach((item, index) => {
      const ingress = asFields(item);
      const entities = asList(fieldOf(ingress, 'fromEntities')) ?? [];
      const open = entities.find((entity) => entity === 'world' || entity === 'all');
      if (open !== undefined) {
        out.push({ path: [...base, 'ingress', index, 'fromEntities'], message: `ingress[${index}] admits the entity "${String(open)}" ${portsText(ingress, 'toPorts')}` });
      }
      const cidrs = asList(fieldOf(ingress, 'fromCIDR')) ?? [];
      const wide = cidrs.find((cidr) => typeof cidr === 'string' && EVERYWHERE.has(cidr.trim()));
      if (wide !== undefined) out.push({ path: [...base, 'ingress', index, 'fromCIDR'], message: `ingress[${index}] admits ${String(wide)}: every address ${portsText(ingress, 'toPorts')}` });
    });
  }
  return out;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

export const allowAllIngressCheck: Check = {
  id: 'network-policy-allows-all-ingress',
  title: 'NetworkPolicy admits ingress from everywhere',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: ['Network separation and hardening: network policies'], mitre: ['T1190'] },
  description:
    'An ingress rule without `from`, or with an ipBlock of `0.0.0.0/0` or `::/0`, admits every source — other namespaces, other tenants, the internet where the pods are reachable. It defeats the default deny it usually sits next to. Medium: often intended for an ingress controller, rarely for anything else.',
  remediation: 'Name the sources: pod and namespace selectors for in-cluster clients, the load balancer\'s or office ranges as ipBlocks for external ones.',
  evaluate({ object }) {
    if (object.kind === 'NetworkPolicy' && (object.apiVersion.startsWith('networking.k8s.io/') || object.apiVersion.startsWith('extensions/'))) {
      return networkPolicyViolations(object.raw);
    }
    if ((object.kind === 'CiliumNetworkPolicy' || object.kind === 'CiliumClusterwideNetworkPolicy') && object.apiVersion.startsWith('cilium.io/')) {
      return ciliumViolations(object.raw);
    }
    return NO_VIOLATIONS;
  },
  fixtures: {
    fail: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all}
spec:
  podSelector: {}
  ingress:
  - {}
`,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0}
    ports: [{port: 443}]
`,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEntities: [world]
`,
    ],
    pass: [
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
    - ipBlock: {cidr: 10.0.0.0/8}
`,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress:
  - {}
  egress:
  - to: [{podSelector: {}}]
`,
    ],
  },
};
