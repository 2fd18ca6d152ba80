// Gateway API TLS, beside the Ingress check: listeners that should terminate TLS but have no
// certificate, and routes that serve a workload over a plain-HTTP listener. Attachment follows the
// Gateway API: a route's parentRef names the Gateway (and optionally a listener by sectionName or
// port); the listener must accept the route's kind and namespace (allowedRoutes) and share a hostname.
import type { FieldPath, KubeObject } from '../../core/index.ts';
import { compileLabelSelector, selects } from '../../labels/selector.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { Check, ObjectSet, SetCheck, Violation } from '../check.ts';
import { namespaceLabels } from './policies.ts';
import { routeBackends, serviceIndex } from './services.ts';
import { describeWorkloads, WORKLOAD_KINDS, type Workload } from './workloads.ts';
import { deploymentFixture, serviceFixture } from './fixtures.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);
/** Routes that carry HTTP, and so can be served in the clear. */
const HTTP_ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'] as const;

function isGatewayApi(object: KubeObject): boolean {
  return object.apiVersion.startsWith(`${GATEWAY_GROUP}/`);
}

export interface Listener {
  readonly index: number;
  readonly name: string;
  readonly port: number | undefined;
  readonly protocol: string;
  readonly hostname: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function listenersOf(gateway: KubeObject): Listener[] {
  const out: Listener[] = [];
  (asList(fieldOf(asFields(gateway.raw['spec']), 'listeners')) ?? []).forEach((item, index) => {
    const fields = asFields(item);
    if (fields === undefined) return;
    const name = fieldOf(fields, 'name');
    const port = fieldOf(fields, 'port');
    const protocol = fieldOf(fields, 'protocol');
    const hostname = fieldOf(fields, 'hostname');
    out.push({
      index,
      name: typeof name === 'string' ? name : '',
      port: typeof port === 'number' ? port : undefined,
      protocol: typeof protocol === 'string' ? protocol : '',
      hostname: typeof hostname === 'string' && hostname !== '' ? hostname : undefined,
      fields,
    });
  });
  return out;
}

/** Certificates given outside `certificateRefs`, through implementation options (GKE pre-shared or managed certificates, ACM ARNs). */
function certificateByOption(tls: Readonly<Record<string, unknown>> | undefined): boolean {
  const options = asFields(fieldOf(tls, 'options'));
  return options !== undefined && Object.keys(options).some((key) => /cert/i.test(key) && typeof options[key] === 'string' && options[key] !== '');
}

function* listenerViolations(gateway: KubeObject): Iterable<Violation> {
  for (const listener of listenersOf(gateway)) {
    if (listener.protocol !== 'HTTPS' && listener.protocol !== 'TLS') continue;
    const tls = asFields(fieldOf(listener.fields, 'tls'));
    const mode = fieldOf(tls, 'mode') ?? 'Terminate';
    // Passthrough hands the TLS stream to the backend, which holds the certificate.
    if (mode === 'Passthrough') continue;
    const refs = asList(fieldOf(tls, 'certificateRefs')) ?? [];
    if (refs.length > 0 || certificateByOption(tls)) continue;
    const path: FieldPath = tls === undefined ? ['spec', 'listeners', listener.index] : ['spec', 'listeners', listener.index, 'tls'];
    yield {
      path,
      message: `Gateway ${gateway.name} listener ${JSON.stringify(listener.name)} (${listener.protocol}${listener.port === undefined ? '' : `, port ${listener.port}`}) terminates TLS with no certificateRefs: it is not programmed, or serves a default certificate clients cannot verify`,
    };
  }
}

export const gatewayListenerNoCertificateCheck: Check = {
  id: 'network-gateway-listener-no-certificate',
  title: 'Gateway listener terminates TLS without a certificate',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: ['Network separation and hardening: encryption'], mitre: ['T1557'] },
  description:
    'An `HTTPS` listener, or a `TLS` listener in `Terminate` mode (the default), needs `tls.certificateRefs`: without one, implementations either leave the listener ' +
    'unprogrammed (its routes are not served, and teams "fix" it by moving them to plain HTTP) or serve a self-signed default that trains clients to skip verification. ' +
    '`Passthrough` listeners and certificates given through implementation options (`tls.options`) are not reported. Medium: the Gateway faces the network.',
  remediation: 'Add `tls.certificateRefs` naming a Secret of type `kubernetes.io/tls` (for example issued by cert-manager), or use `mode: Passthrough` if the backend terminates TLS.',
  evaluate({ object }) {
    if (object.kind !== 'Gateway' || !isGatewayApi(object)) return NO_VIOLATIONS;
    const out = [...listenerViolations(object)];
    return out.length === 0 ? NO_VIOLATIONS : out;
  },
  fixtures: {
    fail: [
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: edge}
spec:
  gatewayClassName: external
  listeners:
  - {name: https, protocol: HTTPS, port: 443}
  - name: tls
    protocol: TLS
    port: 8443
    tls: {mode: Terminate}
`,
    ],
    pass: [
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: edge}
spec:
  gatewayClassName: external
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    tls: {certificateRefs: [{name: web-tls}]}
  - name: passthrough
    protocol: TLS
    port: 8443
    tls: {mode: Passthrough}
  - {name: http, protocol: HTTP, port: 80}
`,
    ],
  },
};

interface ParentRef {
  readonly name: string;
  readonly namespace: string | null;
  readonly sectionName: string | undefined;
  readonly port: number | undefined;
}

function parentRefs(route: KubeObject): ParentRef[] {
  const out: ParentRef[] = [];
  for (const item of asList(fieldOf(asFields(route.raw['spec']), 'parentRefs')) ?? []) {
    const ref = asFields(item);
    const kind = fieldOf(ref, 'kind') ?? 'Gateway';
    const group = fieldOf(ref, 'group') ?? GATEWAY_GROUP;
    const name = fieldOf(ref, 'name');
    if (kind !== 'Gateway' || group !== GATEWAY_GROUP || typeof name !== 'string') continue;
    const namespace = fieldOf(ref, 'namespace');
    const sectionName = fieldOf(ref, 'sectionName');
    const port = fieldOf(ref, 'port');
    out.push({
      name,
      namespace: typeof namespace === 'string' ? namespace : route.namespace,
      sectionName: typeof sectionName === 'string' ? sectionName : undefined,
      port: typeof port === 'number' ? port : undefined,
    });
  }
  return out;
}

/** Gateway API hostname intersection: equal, or one a wildcard (`*.example.com`) covering the other. */
export function hostnamesIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  const covers = (wild: string, host: string) => wild.startsWith('*.') && host.endsWith(wild.slice(1)) && host.length > wild.length - 1;
  return covers(a, b) || covers(b, a);
}

/** Whether the listener accepts the route: kind, namespace (allowedRoutes) and hostnames. */
function accepts(listener: Listener, gateway: KubeObject, route: KubeObject, set: ObjectSet): boolean {
  const allowed = asFields(fieldOf(listener.fields, 'allowedRoutes'));
  const kinds = asList(fieldOf(allowed, 'kinds'));
  if (kinds !== undefined && kinds.length > 0) {
    if (!kinds.some((entry) => fieldOf(asFields(entry), 'kind') === route.kind)) return false;
  } else if (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS') return false;
  const namespaces = asFields(fieldOf(allowed, 'namespaces'));
  const from = fieldOf(namespaces, 'from') ?? 'Same';
  if (from === 'Same' && route.namespace !== gateway.namespace) return false;
  if (from === 'Selector') {
    const selector = compileLabelSelector(fieldOf(namespaces, 'selector'), ['selector']);
    const labels = namespaceLabels(set, route.namespace);
    if (selector.kind !== 'selector' || labels === undefined || !selects(selector, labels)) return false;
  }
  if (from !== 'Same' && from !== 'All' && from !== 'Selector') return false;
  const hostnames = (asList(fieldOf(asFields(route.raw['spec']), 'hostnames')) ?? []).filter((host): host is string => typeof host === 'string');
  if (listener.hostname !== undefined && hostnames.length > 0 && !hostnames.some((host) => hostnamesIntersect(host, listener.hostname!))) return false;
  return true;
}

/** Whether some rule of the route forwards to a backend rather than redirecting to HTTPS. */
function forwards(route: KubeObject): boolean {
  for (const rule of asList(fieldOf(asFields(route.raw['spec']), 'rules')) ?? []) {
    const filters = asList(fieldOf(asFields(rule), 'filters')) ?? [];
    const redirects = filters.some((filter) => fieldOf(asFields(filter), 'type') === 'RequestRedirect');
    if (!redirects) return true;
  }
  return false;
}

export const GATEWAY_KINDS: readonly string[] = ['Gateway', ...HTTP_ROUTE_KINDS, 'Service', 'Namespace', ...WORKLOAD_KINDS];

/** A Gateway with a plain-HTTP and an HTTPS listener, for the fixtures. */
const EDGE_GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: external
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - {name: https, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: shop-tls}]}}
`;

export const gatewayPlainHttpCheck: SetCheck = {
  id: 'network-gateway-plain-http',
  title: 'Route serves a workload over a plain-HTTP Gateway listener',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: ['Network separation and hardening: encryption'], mitre: ['T1040', 'T1557'] },
  description:
    'An HTTPRoute or GRPCRoute attached to a Gateway listener with `protocol: HTTP` serves its backends in the clear: credentials, cookies and data cross the ' +
    'network readable and alterable. Unlike an Ingress controller, a Gateway does not redirect to HTTPS by itself; a route whose every rule is a ' +
    '`RequestRedirect` (the usual HTTP→HTTPS route) is not reported. Judged only when the Gateway is in the scanned set. Medium: as `network-ingress-no-tls`.',
  remediation:
    'Attach the route to an HTTPS listener only (`parentRefs[].sectionName`), and give the HTTP listener a single route that redirects with `RequestRedirect` (`scheme: https`, `statusCode: 301`).',
  kinds: GATEWAY_KINDS,
  *evaluateSet(set) {
    const gateways = new Map<string, KubeObject>();
    for (const gateway of set.ofKind('Gateway')) if (isGatewayApi(gateway)) gateways.set(`${gateway.namespace ?? ''}\u0000${gateway.name}`, gateway);
    if (gateways.size === 0) return;
    const services = serviceIndex(set);
    for (const kind of HTTP_ROUTE_KINDS) {
      for (const route of set.ofKind(kind)) {
        if (!isGatewayApi(route) || !forwards(route)) continue;
        const plain: string[] = [];
        let refIndex = -1;
        parentRefs(route).forEach((ref, index) => {
          const gateway = gateways.get(`${ref.namespace ?? ''}\u0000${ref.name}`);
          if (gateway === undefined) return;
          for (const listener of listenersOf(gateway)) {
            if (ref.sectionName !== undefined && listener.name !== ref.sectionName) continue;
            if (ref.port !== undefined && listener.port !== ref.port) continue;
            if (listener.protocol !== 'HTTP' || !accepts(listener, gateway, route, set)) continue;
            plain.push(`Gateway ${gateway.name} listener ${JSON.stringify(listener.name)}${listener.port === undefined ? '' : ` (port ${listener.port})`}`);
            if (refIndex === -1) refIndex = index;
          }
        });
        if (plain.length === 0) continue;
        const workloads: Workload[] = [];
        for (const backend of routeBackends(route)) {
          const service = services.services.find((view) => view.object.name === backend.name && view.object.namespace === backend.namespace);
          if (service !== undefined) for (const workload of services.selected(service)) if (!workloads.includes(workload)) workloads.push(workload);
        }
        const what = workloads.length > 0 ? describeWorkloads(workloads) : 'its backends';
        yield {
          object: route,
          path: ['spec', 'parentRefs', refIndex],
          message: `${kind} ${route.name} serves ${what} in plain HTTP through ${plain.slice(0, 2).join(' and ')}${plain.length > 2 ? ` and ${plain.length - 2} more` : ''}`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      `${EDGE_GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
${serviceFixture('web', { namespace: 'shop' })}---
${deploymentFixture('web', { namespace: 'shop' })}`,
    ],
    pass: [
      `${EDGE_GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge, sectionName: https}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-https, namespace: shop}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: elsewhere}
spec:
  parentRefs: [{name: edge, namespace: shop}]
  rules: [{backendRefs: [{name: other, port: 80}]}]
`,
    ],
  },
};
