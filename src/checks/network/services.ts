// Services and what reaches them from outside the cluster: which workloads a Service selects, which
// Services are themselves external (LoadBalancer, NodePort), and which are the backends of an Ingress
// or a Gateway API route. Indexed once per scanned set.
import type { FieldPath, KubeObject } from '../../core/index.ts';
import { compileMapSelector, selects, type Selector } from '../../labels/selector.ts';
import { asFields, asList, fieldOf, showValue } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';
import { workloadIndex, type Workload } from './workloads.ts';

export const ROUTE_KINDS: readonly string[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
export const EXPOSURE_KINDS: readonly string[] = ['Service', 'Ingress', ...ROUTE_KINDS];

const INTERNAL_LB_ANNOTATIONS: ReadonlyMap<string, (value: string) => boolean> = new Map([
  ['service.beta.kubernetes.io/aws-load-balancer-internal', (v) => v === 'true' || v.includes('/')],
  ['service.beta.kubernetes.io/aws-load-balancer-scheme', (v) => v === 'internal'],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', (v) => v === 'true'],
  ['networking.gke.io/load-balancer-type', (v) => v.toLowerCase() === 'internal'],
  ['cloud.google.com/load-balancer-type', (v) => v.toLowerCase() === 'internal'],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', (v) => v === 'true'],
  ['service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type', (v) => v === 'private'],
  ['service.beta.kubernetes.io/openstack-internal-load-balancer', (v) => v === 'true'],
]);

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

export interface ServiceView {
  readonly object: KubeObject;
  readonly type: string;
  /** undefined for Services without a selector (their endpoints are managed by hand). */
  readonly selector: Selector | undefined;
  /** How it is reachable from outside the cluster, or undefined when it is not. */
  readonly external: { how: string; path: FieldPath } | undefined;
}

export interface Exposure {
  /** What makes it reachable: `Service shop/web (LoadBalancer)`, `Ingress shop/web → Service web`. */
  readonly via: string;
  readonly object: KubeObject;
}

export interface ServiceIndex {
  readonly services: readonly ServiceView[];
  /** The workloads a Service's selector matches (same namespace). */
  selected(service: ServiceView): readonly Workload[];
  /** Every way the workload is reachable from outside the cluster. */
  exposuresOf(workload: Workload): readonly Exposure[];
}

function annotations(object: KubeObject): Readonly<Record<string, unknown>> | undefined {
  return asFields(fieldOf(asFields(object.raw['metadata']), 'annotations'));
}

/** How a Service is reachable from outside the cluster (LoadBalancer, NodePort, externalIPs), if it is. */
export function externalReach(object: KubeObject): { how: string; path: FieldPath } | undefined {
  const spec = asFields(object.raw['spec']);
  const type = fieldOf(spec, 'type');
  if (type === 'LoadBalancer') {
    const notes = annotations(object);
    for (const [key, internal] of INTERNAL_LB_ANNOTATIONS) {
      const value = notes?.[key];
      if (typeof value === 'string' && internal(value)) return undefined;
    }
    const ranges = asList(fieldOf(spec, 'loadBalancerSourceRanges'));
    if (ranges !== undefined && ranges.length > 0 && !ranges.some((range) => typeof range === 'string' && EVERYWHERE.has(range.trim()))) return undefined;
    return { how: 'a LoadBalancer open to every address', path: ['spec', 'type'] };
  }
  if (type === 'NodePort') return { how: 'a NodePort on every node', path: ['spec', 'type'] };
  const externalIPs = asList(fieldOf(spec, 'externalIPs'));
  if (externalIPs !== undefined && externalIPs.length > 0) return { how: `externalIPs ${externalIPs.map((ip) => (typeof ip === 'string' ? ip : showValue(ip))).join(', ')}`, path: ['spec', 'externalIPs'] };
  return undefined;
}

/** Names of the Services an Ingress sends traffic to (networking.k8s.io/v1 and the older extensions/v1beta1 shape). */
export function ingressBackends(object: KubeObject): string[] {
  const spec = asFields(object.raw['spec']);
  const names: string[] = [];
  const add = (backend: unknown) => {
    const fields = asFields(backend);
    const name = fieldOf(asFields(fieldOf(fields, 'service')), 'name') ?? fieldOf(fields, 'serviceName');
    if (typeof name === 'string' && !names.includes(name)) names.push(name);
  };
  add(fieldOf(spec, 'defaultBackend') ?? fieldOf(spec, 'backend'));
  for (const rule of asList(fieldOf(spec, 'rules')) ?? []) {
    for (const path of asList(fieldOf(asFields(fieldOf(asFields(rule), 'http')), 'paths')) ?? []) add(fieldOf(asFields(path), 'backend'));
  }
  return names;
}

/** Services a Gateway API route sends traffic to: `backendRefs` of kind Service (the default kind). */
export function routeBackends(object: KubeObject): { name: string; namespace: string | null }[] {
  const out: { name: string; namespace: string | null }[] = [];
  for (const rule of asList(fieldOf(asFields(object.raw['spec']), 'rules')) ?? []) {
    for (const ref of asList(fieldOf(asFields(rule), 'backendRefs')) ?? []) {
      const fields = asFields(ref);
      const kind = fieldOf(fields, 'kind') ?? 'Service';
      const group = fieldOf(fields, 'group') ?? '';
      const name = fieldOf(fields, 'name');
      if (kind !== 'Service' || group !== '' || typeof name !== 'string') continue;
      const namespace = fieldOf(fields, 'namespace');
      out.push({ name, namespace: typeof namespace === 'string' ? namespace : object.namespace });
    }
  }
  return out;
}

const cache = new WeakMap<ObjectSet, ServiceIndex>();
const NONE: readonly Workload[] = Object.freeze([]);
const NO_EXPOSURE: readonly Exposure[] = Object.freeze([]);

export function serviceIndex(set: ObjectSet): ServiceIndex {
  let index = cache.get(set);
  if (index !== undefined) return index;
  const workloads = workloadIndex(set);
  const services: ServiceView[] = [];
  const byName = new Map<string, ServiceView>();
  for (const object of set.ofKind('Service')) {
    if (object.apiVersion !== 'v1') continue;
    const spec = asFields(object.raw['spec']);
    const compiled = compileMapSelector(fieldOf(spec, 'selector'), ['spec', 'selector']);
    const selector = compiled.kind === 'selector' && !compiled.nothing ? compiled : undefined;
    const type = fieldOf(spec, 'type');
    const view: ServiceView = { object, type: typeof type === 'string' ? type : 'ClusterIP', selector, external: externalReach(object) };
    services.push(view);
    byName.set(`${object.namespace ?? ''}\u0000${object.name}`, view);
  }
  const selected = new Map<ServiceView, readonly Workload[]>();
  const selectedOf = (service: ServiceView): readonly Workload[] => {
    let found = selected.get(service);
    if (found !== undefined) return found;
    const selector = service.selector;
    found = selector === undefined ? NONE : workloads.candidates(service.object.namespace, selector).filter((workload) => selects(selector, workload.labels));
    selected.set(service, found);
    return found;
  };
  // Exposures, computed once for the whole set: external Services, then Ingresses and routes to Services.
  let exposures: Map<Workload, Exposure[]> | undefined;
  const buildExposures = () => {
    exposures = new Map();
    const add = (service: ServiceView, exposure: Exposure) => {
      for (const workload of selectedOf(service)) {
        let list = exposures!.get(workload);
        if (list === undefined) exposures!.set(workload, (list = []));
        list.push(exposure);
      }
    };
    for (const service of services) {
      if (service.external !== undefined) add(service, { via: `Service ${service.object.name} (${service.external.how})`, object: service.object });
    }
    const lookup = (namespace: string | null, name: string) => byName.get(`${namespace ?? ''}\u0000${name}`);
    for (const ingress of set.ofKind('Ingress')) {
      for (const name of ingressBackends(ingress)) {
        const service = lookup(ingress.namespace, name);
        if (service !== undefined) add(service, { via: `Ingress ${ingress.name} → Service ${name}`, object: ingress });
      }
    }
    for (const kind of ROUTE_KINDS) {
      for (const route of set.ofKind(kind)) {
        if (!route.apiVersion.startsWith('gateway.networking.k8s.io/')) continue;
        for (const backend of routeBackends(route)) {
          const service = lookup(backend.namespace, backend.name);
          if (service !== undefined) add(service, { via: `${kind} ${route.name} → Service ${backend.name}`, object: route });
        }
      }
    }
  };
  index = {
    services,
    selected: selectedOf,
    exposuresOf(workload) {
      if (exposures === undefined) buildExposures();
      return exposures!.get(workload) ?? NO_EXPOSURE;
    },
  };
  cache.set(set, index);
  return index;
}
