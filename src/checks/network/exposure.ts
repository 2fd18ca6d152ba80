// What the network exposes: Services reachable from outside the cluster, Ingresses serving plain
// HTTP, and Services in front of pods on the host network (which NetworkPolicy cannot protect).
import type { KubeObject } from '../../core/index.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { Check, SetCheck, Violation } from '../check.ts';
import { externalReach, serviceIndex } from './services.ts';
import { describeWorkloads, workloadIndex, WORKLOAD_KINDS } from './workloads.ts';

const NSA = ['Network separation and hardening: network policies'];
const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

export const externalServiceCheck: Check = {
  id: 'network-service-external',
  title: 'Service is reachable from outside the cluster',
  area: 'network',
  severity: 'low',
  frameworks: { nsa: NSA, mitre: ['T1133'], kubescape: ['C-0256'] },
  description:
    'A LoadBalancer without `loadBalancerSourceRanges` (and without an internal-load-balancer annotation), a NodePort, or externalIPs put the Service on addresses outside the cluster — for a NodePort, on every node. Low: exposure is often the point; it is the first step of every attack path, and the threat-model check (develop-exposed-workload) raises the dangerous combinations.',
  remediation: 'Front HTTP services with an Ingress or Gateway; restrict LoadBalancers with `loadBalancerSourceRanges` or make them internal; avoid NodePort outside development clusters.',
  evaluate({ object }) {
    if (object.kind !== 'Service' || object.apiVersion !== 'v1') return NO_VIOLATIONS;
    const reach = externalReach(object);
    return reach === undefined ? NO_VIOLATIONS : [{ path: reach.path, message: `Service ${object.name} is reachable through ${reach.how}` }];
  },
  fixtures: {
    fail: [
      `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443}]
`,
      `apiVersion: v1
kind: Service
metadata: {name: debug}
spec:
  type: NodePort
  selector: {app: debug}
  ports: [{port: 8080, nodePort: 30080}]
`,
    ],
    pass: [
      `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`,
      `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443}]
`,
      `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
  selector: {app: web}
  ports: [{port: 443}]
`,
    ],
  },
};

/** Ingress annotations that terminate TLS at the cloud load balancer instead of in `spec.tls`. */
const CLOUD_TLS_ANNOTATIONS = ['alb.ingress.kubernetes.io/certificate-arn', 'networking.gke.io/managed-certificates', 'ingress.gcp.kubernetes.io/pre-shared-cert', 'appgw.ingress.kubernetes.io/appgw-ssl-certificate'];

/** Whether a TLS host entry covers a rule host (`*.example.com` covers one label). */
function covers(tlsHost: string, host: string): boolean {
  if (tlsHost === host) return true;
  if (!tlsHost.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === tlsHost.slice(1);
}

function* ingressViolations(object: KubeObject): Iterable<Violation> {
  const annotations = asFields(fieldOf(asFields(object.raw['metadata']), 'annotations'));
  if (CLOUD_TLS_ANNOTATIONS.some((key) => typeof annotations?.[key] === 'string' && annotations[key] !== '')) return;
  const spec = asFields(object.raw['spec']);
  const tls = asList(fieldOf(spec, 'tls')) ?? [];
  if (tls.length === 0) {
    yield { path: ['spec'], message: `Ingress ${object.name} has no tls section: every host is served over plain HTTP` };
    return;
  }
  const tlsHosts = tls.flatMap((entry) => (asList(fieldOf(asFields(entry), 'hosts')) ?? []).filter((h): h is string => typeof h === 'string'));
  const uncovered = (asList(fieldOf(spec, 'rules')) ?? [])
    .map((rule, index) => ({ host: fieldOf(asFields(rule), 'host'), index }))
    .filter((entry): entry is { host: string; index: number } => typeof entry.host === 'string' && entry.host !== '' && !tlsHosts.some((tlsHost) => covers(tlsHost, entry.host as string)));
  for (const { host, index } of uncovered) {
    yield { path: ['spec', 'rules', index, 'host'], message: `Ingress ${object.name} serves ${host} without TLS: no tls entry covers it` };
  }
}

const INGRESS_FIXTURES: Check['fixtures'] = {
  fail: [
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
`,
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
  - host: admin.example.com
`,
  ],
  pass: [
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: ["*.example.com"], secretName: wildcard-tls}]
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
`,
  ],
};

export const ingressWithoutTlsCheck: Check = {
  id: 'network-ingress-no-tls',
  title: 'Ingress serves plain HTTP',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: ['Network separation and hardening: encryption'], mitre: ['T1040', 'T1557'] },
  description:
    'An Ingress without `spec.tls` — or with hosts its TLS entries do not cover — serves those hosts over plain HTTP: credentials, cookies and data cross the internet readable and alterable. Medium: exposed by definition, but the data it carries decides the damage.',
  remediation: 'Add a `spec.tls` entry (with a certificate from cert-manager or your CA) covering every host, and redirect HTTP to HTTPS.',
  evaluate({ object }) {
    if (object.kind !== 'Ingress' || !(object.apiVersion.startsWith('networking.k8s.io/') || object.apiVersion.startsWith('extensions/'))) return NO_VIOLATIONS;
    return [...ingressViolations(object)];
  },
  fixtures: INGRESS_FIXTURES,
};

export const hostNetworkServiceCheck: SetCheck = {
  id: 'network-host-network-service',
  title: 'Service sends traffic to pods on the host network',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: NSA, mitre: ['T1046'] },
  description:
    'Pods with `hostNetwork: true` listen on the node\'s own interfaces and are outside NetworkPolicy: a Service in front of them publishes a server that no policy can restrict, reachable on every node address. Medium: it needs a reachable port, which a Service provides.',
  remediation: 'Run the workload in the pod network (drop `hostNetwork`), or restrict the node ports at the node or cloud firewall.',
  kinds: ['Service', ...WORKLOAD_KINDS],
  *evaluateSet(set) {
    const services = serviceIndex(set);
    const workloads = workloadIndex(set);
    const hostNetworked = new Set(workloads.all.filter((workload) => workload.hostNetwork).map((workload) => workload.namespace));
    for (const service of services.services) {
      if (!hostNetworked.has(service.object.namespace)) continue;
      const onHost = services.selected(service).filter((workload) => workload.hostNetwork);
      if (onHost.length === 0) continue;
      yield { object: service.object, path: ['spec', 'selector'], message: `Service ${service.object.name} selects ${describeWorkloads(onHost)}, which ${onHost.length === 1 ? 'runs' : 'run'} on the host network` };
    }
  },
  fixtures: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      hostNetwork: true
      containers: [{name: exporter, image: exporter}]
---
apiVersion: v1
kind: Service
metadata: {name: exporter}
spec:
  selector: {app: exporter}
  ports: [{port: 9100}]
`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      containers: [{name: exporter, image: exporter}]
---
apiVersion: v1
kind: Service
metadata: {name: exporter}
spec:
  selector: {app: exporter}
  ports: [{port: 9100}]
`,
    ],
  },
};
