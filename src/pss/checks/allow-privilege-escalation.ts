import type { Violation } from '../../checks/check.ts';
import { showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, isWindowsPod } from './common.ts';

function allowPrivilegeEscalation(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    const value = containerSetting(container, 'allowPrivilegeEscalation');
    if (value === false) continue;
    const who = containerLabel(container);
    out.push({
      path: containerSettingPath(container, 'allowPrivilegeEscalation'),
      message:
        value === undefined
          ? `${who} does not set securityContext.allowPrivilegeEscalation=false`
          : `${who} sets securityContext.allowPrivilegeEscalation=${showValue(value)}`,
    });
  }
}

// From v1.25 Windows pods are admitted: the field does not exist for Windows containers.
function allowPrivilegeEscalationLinux(pod: PodView, out: Violation[]): void {
  if (!isWindowsPod(pod)) allowPrivilegeEscalation(pod, out);
}

export const allowPrivilegeEscalationCheck: PssCheckDefinition = {
  id: 'pss-allow-privilege-escalation',
  upstreamId: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege escalation not disabled',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.6'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1068'],
    kubescape: ['C-0016', 'C-0217'],
  },
  description:
    'Unless `allowPrivilegeEscalation` is false, a process can gain more privileges than its parent through set-user-ID or set-group-ID binaries and file capabilities (checked from v1.8).',
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container, init and ephemeral container.',
  revisions: [
    { since: 8, rule: allowPrivilegeEscalation },
    { since: 25, rule: allowPrivilegeEscalationLinux },
  ],
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
      initContainers:
      - name: migrate
        image: api
        securityContext: {allowPrivilegeEscalation: false}
      containers:
      - name: api
        image: api
        securityContext: {allowPrivilegeEscalation: false}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: windows}
spec:
  os: {name: windows}
  containers:
  - {name: app, image: app}
`,
    ],
    fail: [
      `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: once, image: once}
`,
    ],
  },
};
