// Service-mesh encryption in transit. Istio: PeerAuthentication modes other than STRICT (PERMISSIVE
// accepts plain text, DISABLE turns mTLS off; UNSET in the root namespace leaves the mesh at its
// PERMISSIVE default) and DestinationRules that send plain text. Linkerd: inbound policies that
// admit unauthenticated clients, and ports the proxy is told to skip (they bypass mTLS entirely).
import type { FieldPath, KubeObject } from '../../core/index.ts';
import { asFields, asList, fieldOf, type PodView } from '../../podspec/index.ts';
import type { Check, Violation } from '../check.ts';

const ISTIO_ROOT_NAMESPACE = 'istio-system';
const UNAUTHENTICATED_POLICIES = new Set(['all-unauthenticated', 'cluster-unauthenticated']);
const BYPASS_ANNOTATIONS = [
  'config.linkerd.io/skip-inbound-ports',
  'config.linkerd.io/skip-outbound-ports',
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/excludeOutboundPorts',
];

function peerAuthentication(object: KubeObject): Violation[] {
  const spec = asFields(object.raw['spec']);
  const out: Violation[] = [];
  const mode = fieldOf(asFields(fieldOf(spec, 'mtls')), 'mode');
  const hasSelector = fieldOf(spec, 'selector') !== undefined;
  const scope = hasSelector ? 'the selected workloads' : object.namespace === ISTIO_ROOT_NAMESPACE ? 'the whole mesh' : `namespace ${object.namespace ?? '(unset)'}`;
  if (mode === 'PERMISSIVE' || mode === 'DISABLE') {
    out.push({ path: ['spec', 'mtls', 'mode'], message: `PeerAuthentication ${object.name} sets mTLS ${mode} for ${scope}: ${mode === 'DISABLE' ? 'plain text only' : 'plain-text connections are accepted'}` });
  } else if ((mode === undefined || mode === 'UNSET') && !hasSelector && object.namespace === ISTIO_ROOT_NAMESPACE) {
    out.push({ path: ['spec'], message: `PeerAuthentication ${object.name} in the root namespace leaves the mesh-wide mode unset, which Istio treats as PERMISSIVE` });
  }
  const ports = asFields(fieldOf(spec, 'portLevelMtls'));
  for (const port of Object.keys(ports ?? {})) {
    const portMode = fieldOf(asFields(ports![port]), 'mode');
    if (portMode === 'PERMISSIVE' || portMode === 'DISABLE') out.push({ path: ['spec', 'portLevelMtls', port, 'mode'], message: `PeerAuthentication ${object.name} sets mTLS ${portMode} on port ${port}` });
  }
  return out;
}

function destinationRule(object: KubeObject): Violation[] {
  const spec = asFields(object.raw['spec']);
  const out: Violation[] = [];
  const check = (policy: unknown, path: FieldPath) => {
    const mode = fieldOf(asFields(fieldOf(asFields(policy), 'tls')), 'mode');
    if (mode === 'DISABLE') out.push({ path: [...path, 'tls', 'mode'], message: `DestinationRule ${object.name} sends plain text to ${String(fieldOf(spec, 'host') ?? 'its host')} (tls.mode DISABLE)` });
  };
  const policy = fieldOf(spec, 'trafficPolicy');
  check(policy, ['spec', 'trafficPolicy']);
  asList(fieldOf(asFields(policy), 'portLevelSettings'))?.forEach((setting, index) => check(setting, ['spec', 'trafficPolicy', 'portLevelSettings', index]));
  return out;
}

const NO_VIOLATIONS: Violation[] = [];

function annotationViolations(annotations: Readonly<Record<string, string>>, at: FieldPath, owner: string): Violation[] {
  // Most pods carry no mesh annotation: answer without allocating.
  if (annotations['config.linkerd.io/default-inbound-policy'] === undefined && !BYPASS_ANNOTATIONS.some((key) => annotations[key] !== undefined)) return NO_VIOLATIONS;
  const out: Violation[] = [];
  const policy = annotations['config.linkerd.io/default-inbound-policy'];
  if (policy !== undefined && UNAUTHENTICATED_POLICIES.has(policy)) {
    out.push({ path: [...at, 'config.linkerd.io/default-inbound-policy'], message: `${owner} sets Linkerd default-inbound-policy ${policy}: clients without a mesh identity are admitted` });
  }
  for (const key of BYPASS_ANNOTATIONS) {
    const ports = annotations[key];
    if (ports !== undefined && ports.trim() !== '') out.push({ path: [...at, key], message: `${owner} sets ${key}=${ports}: traffic on those ports bypasses the mesh and its mTLS` });
  }
  return out;
}

function stringAnnotations(raw: unknown): Readonly<Record<string, string>> {
  const fields = asFields(raw);
  const out: Record<string, string> = {};
  for (const key of Object.keys(fields ?? {})) if (typeof fields![key] === 'string') out[key] = fields![key];
  return out;
}

function linkerdServer(object: KubeObject): Violation[] {
  const policy = fieldOf(asFields(object.raw['spec']), 'accessPolicy');
  if (typeof policy !== 'string' || !UNAUTHENTICATED_POLICIES.has(policy)) return [];
  return [{ path: ['spec', 'accessPolicy'], message: `Linkerd Server ${object.name} admits unauthenticated clients (accessPolicy ${policy})` }];
}

export const meshMtlsCheck: Check = {
  id: 'network-mesh-mtls-not-strict',
  title: 'Service mesh accepts or sends unencrypted traffic',
  area: 'network',
  severity: 'medium',
  frameworks: { nsa: ['Audit logging and threat detection: service meshes'], mitre: ['T1040', 'T1557'] },
  description:
    'A mesh encrypts and authenticates pod-to-pod traffic only where it is told to insist: Istio PeerAuthentication PERMISSIVE or DISABLE (or an unset mesh-wide mode), DestinationRules with `tls.mode: DISABLE`, Linkerd inbound policies admitting unauthenticated clients, and ports excluded from the proxy all let plain text through — readable and spoofable on the node network. Medium: it takes a foothold in the cluster network to exploit.',
  remediation: 'Set PeerAuthentication `mtls.mode: STRICT` mesh-wide (in the root namespace), drop `tls.mode: DISABLE`, use Linkerd `all-authenticated` (or stricter) policies, and remove skip-port annotations once all clients are meshed.',
  evaluate({ object, pods }) {
    if (object.kind === 'PeerAuthentication' && object.apiVersion.startsWith('security.istio.io/')) return peerAuthentication(object);
    if (object.kind === 'DestinationRule' && object.apiVersion.startsWith('networking.istio.io/')) return destinationRule(object);
    if (object.kind === 'Server' && object.apiVersion.startsWith('policy.linkerd.io/')) return linkerdServer(object);
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      return annotationViolations(stringAnnotations(fieldOf(asFields(object.raw['metadata']), 'annotations')), ['metadata', 'annotations'], `Namespace ${object.name}`);
    }
    if (pods.length === 0) return NO_VIOLATIONS;
    return (pods as readonly PodView[]).flatMap((pod) => annotationViolations(pod.metadata.annotations, [...pod.metadataPath, 'annotations'], `${object.kind} ${object.name}`));
  },
  fixtures: {
    fail: [
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: PERMISSIVE}
`,
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: legacy}
spec:
  host: legacy.shop.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
`,
      `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {config.linkerd.io/default-inbound-policy: all-unauthenticated}
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {linkerd.io/inject: enabled, config.linkerd.io/skip-inbound-ports: "8080"}
    spec:
      containers: [{name: web, image: web}]
`,
    ],
    pass: [
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
`,
      `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {config.linkerd.io/default-inbound-policy: all-authenticated}
`,
    ],
  },
};
