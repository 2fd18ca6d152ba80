import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, isWindowsPod } from './common.ts';

function capabilitiesRestricted(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    const capabilities = containerSetting(container, 'capabilities');
    const fields = asFields(capabilities);
    const drop = asList(fieldOf(fields, 'drop'));
    if (drop === undefined || !drop.includes('ALL')) {
      out.push({
        path: containerSettingPath(container, 'capabilities', 'drop'),
        message: `${containerLabel(container)} does not set securityContext.capabilities.drop=["ALL"]`,
      });
    }
    const added = asList(fieldOf(fields, 'add'));
    if (added === undefined) continue;
    for (let i = 0; i < added.length; i++) {
      const capability = added[i] ?? '';
      if (capability === 'NET_BIND_SERVICE') continue;
      out.push({
        path: containerSettingPath(container, 'capabilities', 'add', i),
        message: `${containerLabel(container)} adds capability ${showValue(capability)}; only NET_BIND_SERVICE may be added`,
      });
    }
  }
}

// From v1.25 Windows pods are admitted: Windows containers have no Linux capabilities.
function capabilitiesRestrictedLinux(pod: PodView, out: Violation[]): void {
  if (!isWindowsPod(pod)) capabilitiesRestricted(pod, out);
}

export const capabilitiesRestrictedCheck: PssCheckDefinition = {
  id: 'pss-capabilities-restricted',
  upstreamId: 'capabilities_restricted',
  level: 'restricted',
  title: 'Capabilities not dropped',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.9', '5.2.10'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0046', 'C-0219', 'C-0220'],
  },
  description:
    'At restricted every container must drop ALL capabilities and may add back only NET_BIND_SERVICE, so a compromised process holds no kernel privilege it does not need (from v1.22; Windows pods exempt from v1.25).',
  remediation:
    'Set `securityContext.capabilities.drop: ["ALL"]` on every container and remove every added capability except `NET_BIND_SERVICE`.',
  revisions: [
    { since: 22, rule: capabilitiesRestricted, overrides: ['capabilities_baseline'] },
    { since: 25, rule: capabilitiesRestrictedLinux, overrides: ['capabilities_baseline'] },
  ],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: edge}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
      containers:
      - name: edge
        image: edge
        securityContext:
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: files}
spec:
  selector: {matchLabels: {app: files}}
  template:
    metadata: {labels: {app: files}}
    spec:
      containers:
      - name: files
        image: files
        securityContext:
          capabilities: {drop: [ALL], add: [CHOWN]}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers:
  - {name: plain, image: plain}
`,
    ],
  },
};
