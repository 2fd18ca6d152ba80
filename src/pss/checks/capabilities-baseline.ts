import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath } from './common.ts';

/** The container runtime's default capability set: adding any of these changes nothing. */
const DEFAULT_CAPABILITIES: ReadonlySet<unknown> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

function capabilitiesBaseline(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    const added = asList(fieldOf(asFields(containerSetting(container, 'capabilities')), 'add'));
    if (added === undefined) continue;
    for (let i = 0; i < added.length; i++) {
      // A null entry decodes as the empty capability name, which is not in the set either.
      const capability = added[i] ?? '';
      if (!DEFAULT_CAPABILITIES.has(capability)) {
        out.push({
          path: containerSettingPath(container, 'capabilities', 'add', i),
          message: `${containerLabel(container)} adds capability ${showValue(capability)}, which is not in the runtime's default set`,
        });
      }
    }
  }
}

export const capabilitiesBaselineCheck: PssCheckDefinition = {
  id: 'pss-capabilities-baseline',
  upstreamId: 'capabilities_baseline',
  level: 'baseline',
  title: 'Container adds capabilities beyond the default set',
  severity: 'high',
  frameworks: {
    cis: ['5.2.8', '5.2.9'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0046', 'C-0219'],
  },
  description:
    'Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE` or `NET_RAW` give a container kernel powers that lead to the node or to other pods; only the runtime\'s default set may be added.',
  remediation:
    'Remove from `securityContext.capabilities.add` every capability outside AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.',
  revisions: [{ since: 0, rule: capabilitiesBaseline }],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres
        securityContext:
          capabilities: {add: [CHOWN, SETUID, SETGID], drop: [NET_RAW]}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  containers:
  - name: debug
    image: busybox
    securityContext:
      capabilities: {add: [NET_ADMIN, SYS_ADMIN]}
`,
    ],
  },
};
