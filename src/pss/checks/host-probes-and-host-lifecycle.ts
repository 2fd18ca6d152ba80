import type { Violation } from '../../checks/check.ts';
import { asFields, fieldOf, showValue, type ContainerView, type Fields, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel } from './common.ts';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
// tcpSocket is not a supported lifecycle handler, but the API still stores it, so it is checked too.
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

/** `owner` is a probe (`where` = [probe]) or a lifecycle hook (`where` = ['lifecycle', hook]). */
function checkHandlers(
  container: ContainerView,
  owner: Fields,
  where: readonly [string] | readonly [string, string],
  out: Violation[],
): void {
  for (const handler of HANDLERS) {
    const host = fieldOf(asFields(fieldOf(owner, handler)), 'host');
    if (host === undefined || host === '') continue;
    out.push({
      path: [...container.path, ...where, handler, 'host'],
      message: `${containerLabel(container)} sets ${where.join('.')}.${handler}.host=${showValue(host)}`,
    });
  }
}

const PROBE_WHERE = PROBES.map((probe) => [probe] as const);
const HOOK_WHERE = HOOKS.map((hook) => ['lifecycle', hook] as const);

function hostProbesAndHostLifecycle(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    for (let i = 0; i < PROBES.length; i++) {
      const probe = asFields(fieldOf(container.raw, PROBES[i]!));
      if (probe !== undefined) checkHandlers(container, probe, PROBE_WHERE[i]!, out);
    }
    const lifecycle = asFields(fieldOf(container.raw, 'lifecycle'));
    if (lifecycle === undefined) continue;
    for (let i = 0; i < HOOKS.length; i++) {
      const hook = asFields(fieldOf(lifecycle, HOOKS[i]!));
      if (hook !== undefined) checkHandlers(container, hook, HOOK_WHERE[i]!, out);
    }
  }
}

export const hostProbesAndHostLifecycleCheck: PssCheckDefinition = {
  id: 'pss-host-probes-and-host-lifecycle',
  upstreamId: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Probe or lifecycle hook targets another host',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: pod security enforcement'],
  },
  description:
    'The kubelet performs probes and lifecycle HTTP/TCP calls from the node; a `host` field lets a pod make the kubelet reach any address the node can, including node-local services (checked from v1.34).',
  remediation:
    'Remove `host` from `httpGet` and `tcpSocket` in probes and lifecycle hooks; the kubelet then targets the pod\'s own IP.',
  revisions: [{ since: 34, rule: hostProbesAndHostLifecycle }],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api
        livenessProbe:
          httpGet: {path: /healthz, port: 8080}
        lifecycle:
          preStop:
            httpGet: {path: /drain, port: 8080}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: prober}
spec:
  containers:
  - name: prober
    image: prober
    readinessProbe:
      tcpSocket: {host: 169.254.169.254, port: 80}
`,
    ],
  },
};
