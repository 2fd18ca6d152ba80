// Container resources: what the scheduler reserves (requests) and what the kernel enforces (limits).
// Only containers that run for the pod's life are checked (regular ones and sidecars): init containers
// finish before the pod starts, and ephemeral containers cannot set resources.
import { asFields, fieldOf, showValue, type ContainerView } from '../../podspec/index.ts';
import type { Check, CheckContext, ResourceBounds, Violation } from '../check.ts';
import type { Frameworks, Severity } from '../../core/index.ts';
import { compareQuantities, parseQuantity, type Quantity } from './quantity.ts';
import { containerLabel, containerPath, fixtureSettings, isLongRunning, optIn, optionsOf, perPod } from './workload.ts';

type Resource = 'cpu' | 'memory' | 'ephemeral-storage';
type Section = 'requests' | 'limits';

function amount(container: ContainerView, section: Section, resource: Resource): unknown {
  return fieldOf(asFields(fieldOf(asFields(fieldOf(container.raw, 'resources')), section)), resource);
}

interface MissingResource {
  id: string;
  title: string;
  resource: Resource;
  section: Section;
  severity: Severity;
  frameworks: Frameworks;
  description: string;
  remediation: string;
  fixtures: Check['fixtures'];
}

const LIMIT_RANGE_NOTE =
  ' A LimitRange default in the namespace also sets it; where you rely on one, disable this control for that namespace with an exception.';

function missingResourceCheck(spec: MissingResource): Check {
  const noun = `${spec.section === 'limits' ? 'limit' : 'request'}`;
  return {
    id: spec.id,
    title: spec.title,
    area: 'compute',
    severity: spec.severity,
    frameworks: spec.frameworks,
    description: spec.description + LIMIT_RANGE_NOTE,
    remediation: spec.remediation,
    fixtures: spec.fixtures,
    evaluate: perPod((pod, out) => {
      for (const container of pod.containers) {
        if (!isLongRunning(container)) continue;
        if (amount(container, spec.section, spec.resource) !== undefined) continue;
        // The API server defaults a missing request to the container's limit.
        if (spec.section === 'requests' && amount(container, 'limits', spec.resource) !== undefined) continue;
        out.push({
          path: containerPath(container, 'resources', spec.section, spec.resource),
          message: `${containerLabel(container)} sets no ${spec.resource} ${noun}`,
        });
      }
    }),
  };
}

const resourceFixture = (resources: string): string => `apiVersion: apps/v1
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
        resources: ${resources}
`;

const NO_RESOURCES = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: app, image: app}
`;

const SIDECAR_WITHOUT_RESOURCES = `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  initContainers:
  - {name: proxy, image: proxy, restartPolicy: Always}
  containers:
  - name: app
    image: app
    resources: {requests: {cpu: 100m, memory: 64Mi, ephemeral-storage: 1Gi}, limits: {cpu: "1", memory: 64Mi, ephemeral-storage: 1Gi}}
`;

export const memoryLimitMissingCheck = missingResourceCheck({
  id: 'memory-limit-missing',
  title: 'Container has no memory limit',
  resource: 'memory',
  section: 'limits',
  severity: 'medium',
  frameworks: {
    nsa: ['Network separation and hardening: resource policies'],
    mitre: ['T1499'],
    kubescape: ['C-0004', 'C-0009', 'C-0271'],
  },
  description:
    'Without a memory limit one container, leaking or attacked, can take the memory of the whole node: the kernel then kills processes ' +
    'and the kubelet evicts other pods. Medium: memory cannot be reclaimed once given, so it is the resource an attack on availability goes for.',
  remediation: 'Set `resources.limits.memory` on every container (and a matching `requests.memory`), sized from observed use.',
  fixtures: {
    pass: [resourceFixture('{limits: {memory: 256Mi}}')],
    fail: [NO_RESOURCES, SIDECAR_WITHOUT_RESOURCES],
  },
});

export const memoryRequestMissingCheck = missingResourceCheck({
  id: 'memory-request-missing',
  title: 'Container has no memory request',
  resource: 'memory',
  section: 'requests',
  severity: 'low',
  frameworks: {
    nsa: ['Network separation and hardening: resource policies'],
    kubescape: ['C-0004', 'C-0269'],
  },
  description:
    'The scheduler places a pod by its requests; a container that requests no memory lands on nodes without room for it and is the first ' +
    'evicted under pressure. Low: it harms the workload itself more than its neighbours. A container with a memory limit is not reported: its request defaults to the limit.',
  remediation: 'Set `resources.requests.memory` on every container, sized from observed use.',
  fixtures: {
    pass: [resourceFixture('{requests: {memory: 128Mi}}'), resourceFixture('{limits: {memory: 128Mi}}')],
    fail: [NO_RESOURCES, resourceFixture('{requests: {cpu: 100m}}')],
  },
});

export const cpuLimitMissingCheck = optIn(missingResourceCheck({
  id: 'cpu-limit-missing',
  title: 'Container has no CPU limit',
  resource: 'cpu',
  section: 'limits',
  severity: 'info',
  frameworks: {
    nsa: ['Network separation and hardening: resource policies'],
    mitre: ['T1496'],
    kubescape: ['C-0009', 'C-0050', 'C-0270'],
  },
  description:
    'Without a CPU limit a container may use every idle core of its node (a crypto-miner in a compromised pod will). Informational: CPU is ' +
    'shared by request under contention, so neighbours keep what they requested, and many teams leave CPU limits out on purpose to avoid throttling.',
  remediation: 'Set `resources.limits.cpu` where bursting is not wanted; otherwise make sure `requests.cpu` is set and disable this control.',
  fixtures: {
    pass: [resourceFixture('{limits: {cpu: 500m}}')],
    fail: [NO_RESOURCES, SIDECAR_WITHOUT_RESOURCES],
  },
}));

export const cpuRequestMissingCheck = missingResourceCheck({
  id: 'cpu-request-missing',
  title: 'Container has no CPU request',
  resource: 'cpu',
  section: 'requests',
  severity: 'low',
  frameworks: {
    nsa: ['Network separation and hardening: resource policies'],
    kubescape: ['C-0050', 'C-0268'],
  },
  description:
    'A container that requests no CPU is guaranteed none: under contention it is starved by its neighbours, and the scheduler packs it anywhere. ' +
    'Low: it harms the workload itself. A container with a CPU limit is not reported: its request defaults to the limit.',
  remediation: 'Set `resources.requests.cpu` on every container, sized from observed use.',
  fixtures: {
    pass: [resourceFixture('{requests: {cpu: 100m}}')],
    fail: [NO_RESOURCES],
  },
});

export const ephemeralStorageLimitMissingCheck = optIn(missingResourceCheck({
  id: 'ephemeral-storage-limit-missing',
  title: 'Container has no ephemeral-storage limit',
  resource: 'ephemeral-storage',
  section: 'limits',
  severity: 'info',
  frameworks: { nsa: ['Network separation and hardening: resource policies'], mitre: ['T1499'] },
  description:
    "Writes to a container's root filesystem, its logs and its `emptyDir` volumes all land on the node's disk; without a limit one container can fill it, " +
    'and the kubelet then evicts pods to recover. Informational: it is rarely set and the kubelet recovers by itself, at the price of evictions.',
  remediation: 'Set `resources.limits.ephemeral-storage` on containers that write (and `sizeLimit` on `emptyDir` volumes).',
  fixtures: {
    pass: [resourceFixture('{limits: {ephemeral-storage: 2Gi}}')],
    fail: [NO_RESOURCES],
  },
}));

// Bounds from the configuration, parsed once per distinct text.
const parsedBounds = new Map<string, Quantity | null>();

function bound(text: string | undefined): Quantity | undefined {
  if (text === undefined) return undefined;
  let parsed = parsedBounds.get(text);
  if (parsed === undefined) {
    const result = parseQuantity(text);
    parsed = result.ok ? result.quantity : null;
    if (parsedBounds.size > 1000) parsedBounds.clear();
    parsedBounds.set(text, parsed);
  }
  return parsed ?? undefined;
}

function checkRange(
  container: ContainerView,
  resource: 'cpu' | 'memory',
  bounds: ResourceBounds,
  out: Violation[],
): void {
  for (const section of ['requests', 'limits'] as const) {
    const min = bound(section === 'requests' ? bounds.requestMin : bounds.limitMin);
    const max = bound(section === 'requests' ? bounds.requestMax : bounds.limitMax);
    if (min === undefined && max === undefined) continue;
    const written = amount(container, section, resource);
    if (written === undefined) continue;
    const parsed = parseQuantity(written);
    if (!parsed.ok) continue; // the API server refuses it; not a resource question
    const noun = section === 'requests' ? 'request' : 'limit';
    const outside =
      min !== undefined && compareQuantities(parsed.quantity, min) < 0
        ? `below the minimum ${section === 'requests' ? bounds.requestMin : bounds.limitMin}`
        : max !== undefined && compareQuantities(parsed.quantity, max) > 0
          ? `above the maximum ${section === 'requests' ? bounds.requestMax : bounds.limitMax}`
          : undefined;
    if (outside === undefined) continue;
    out.push({
      path: containerPath(container, 'resources', section, resource),
      message: `${containerLabel(container)} sets ${resource} ${noun} ${showValue(written)}, ${outside}`,
    });
  }
}

function hasBounds(bounds: ResourceBounds): boolean {
  return bounds.requestMin !== undefined || bounds.requestMax !== undefined || bounds.limitMin !== undefined || bounds.limitMax !== undefined;
}

export const resourceOutOfRangeCheck: Check = {
  id: 'resource-out-of-range',
  title: 'Container resources outside the configured range',
  area: 'compute',
  severity: 'low',
  frameworks: {
    nsa: ['Network separation and hardening: resource policies'],
    kubescape: ['C-0004', 'C-0050'],
  },
  description:
    'Reports CPU and memory requests and limits outside the bounds set in `.bulwark.yaml` (`checks.resources`); it does nothing until bounds are configured. ' +
    'Low: bounds are a sizing policy (no pod reserving a whole node, none starved), and a LimitRange enforces them at admission.',
  remediation: 'Bring the request or limit within the configured range, or change the range in `.bulwark.yaml` if the workload truly needs it.',
  evaluate: perPod((pod, out, context: CheckContext) => {
    const { cpu, memory } = optionsOf(context).resources;
    const checkCpu = hasBounds(cpu);
    const checkMemory = hasBounds(memory);
    if (!checkCpu && !checkMemory) return;
    for (const container of pod.containers) {
      if (!isLongRunning(container)) continue;
      if (checkCpu) checkRange(container, 'cpu', cpu, out);
      if (checkMemory) checkRange(container, 'memory', memory, out);
    }
  }),
  fixtures: {
    settings: fixtureSettings({ resources: { cpu: { limitMax: '2' }, memory: { requestMin: '64Mi', limitMax: '1Gi' } } }),
    pass: [resourceFixture('{requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 2000m, memory: 1Gi}}'), NO_RESOURCES],
    fail: [
      resourceFixture('{requests: {memory: 32Mi}}'),
      resourceFixture('{limits: {cpu: 2.5}}'),
      resourceFixture('{limits: {memory: 1025Mi}}'),
    ],
  },
};
