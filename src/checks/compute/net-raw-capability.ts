import { asFields, asList, fieldOf, type ContainerView } from '../../podspec/index.ts';
import { pssMinor } from '../../pss/version.ts';
import type { Check, ScanSettings, Violation } from '../check.ts';
import { containerLabel, containerOnly, containerPath, fixtureSettings, isWindowsPod, perPod } from './workload.ts';

/** Runtimes accept `NET_RAW` and `CAP_NET_RAW`, in any case. */
function capabilityName(value: unknown): string {
  if (typeof value !== 'string') return '';
  const upper = value.toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/**
 * From v1.22 the restricted level requires `drop: ["ALL"]` of every container (pss-capabilities-restricted),
 * which takes NET_RAW with it: reporting NET_RAW too would say the same thing twice at the same field.
 */
function restrictedDropsAll(settings: ScanSettings): boolean {
  return settings.pss.level === 'restricted' && pssMinor(settings.pss.version) >= 22;
}

function netRaw(container: ContainerView, out: Violation[]): void {
  // A privileged container holds every capability; pss-privileged reports it.
  if (containerOnly(container, 'privileged') === true) return;
  const capabilities = asFields(containerOnly(container, 'capabilities'));
  const added = asList(fieldOf(capabilities, 'add'));
  if (added !== undefined) {
    for (let i = 0; i < added.length; i++) {
      const name = capabilityName(added[i]);
      if (name === 'NET_RAW' || name === 'ALL') {
        out.push({
          path: containerPath(container, 'securityContext', 'capabilities', 'add', i),
          message: `${containerLabel(container)} adds capability ${name === 'ALL' ? 'ALL (which includes NET_RAW)' : 'NET_RAW'}`,
        });
        return;
      }
    }
  }
  const dropped = asList(fieldOf(capabilities, 'drop'));
  if (dropped !== undefined) {
    for (const item of dropped) {
      const name = capabilityName(item);
      if (name === 'NET_RAW' || name === 'ALL') return;
    }
  }
  out.push({
    path: containerPath(container, 'securityContext', 'capabilities', 'drop'),
    message: `${containerLabel(container)} keeps the runtime's default capability NET_RAW (drop NET_RAW or ALL)`,
  });
}

export const netRawCapabilityCheck: Check = {
  id: 'net-raw-capability',
  title: 'Container keeps the NET_RAW capability',
  area: 'compute',
  severity: 'low',
  frameworks: { cis: ['5.2.8', '5.7.3'], kubescape: ['C-0211'] },
  description:
    'Container runtimes grant NET_RAW unless it is dropped: raw sockets let a process forge packets (ARP and DNS spoofing of its neighbours on the node) ' +
    'and have been the entry point of kernel escapes through `AF_PACKET`. Low: few applications need it. The restricted Pod Security level ' +
    'requires dropping ALL and reports any container that does not (`pss-capabilities-restricted`), so this control applies where that one does not: at the baseline level ' +
    '(and restricted before v1.22). ' +
    'Privileged containers (reported by `pss-privileged`) and Windows pods are not checked.',
  remediation:
    'Add `NET_RAW` (or better `ALL`) to `securityContext.capabilities.drop` of every container and never add it back; `ping` works without it on current kernels.',
  evaluate: perPod((pod, out, context) => {
    if (isWindowsPod(pod) || restrictedDropsAll(context.settings)) return;
    for (const container of pod.containers) netRaw(container, out);
  }),
  fixtures: {
    settings: fixtureSettings({}, 'baseline'),
    pass: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: agent
        securityContext:
          capabilities: {drop: [NET_RAW]}
      - name: proxy
        image: proxy
        securityContext:
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: app, image: app}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: ping}
spec:
  containers:
  - name: ping
    image: ping
    securityContext:
      capabilities: {drop: [ALL], add: [CAP_NET_RAW]}
`,
    ],
  },
};
