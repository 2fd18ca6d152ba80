import type { Violation } from '../../checks/check.ts';
import type { PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath } from './common.ts';

function privileged(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    if (containerSetting(container, 'privileged') === true) {
      out.push({
        path: containerSettingPath(container, 'privileged'),
        message: `${containerLabel(container)} sets securityContext.privileged=true`,
      });
    }
  }
}

export const privilegedCheck: PssCheckDefinition = {
  id: 'pss-privileged',
  upstreamId: 'privileged',
  level: 'baseline',
  title: 'Privileged container',
  severity: 'high',
  frameworks: {
    cis: ['5.2.2'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0057', 'C-0213'],
  },
  description:
    'A privileged container runs with every capability and direct access to host devices; escaping to the node is a matter of mounting its disk.',
  remediation:
    'Remove `securityContext.privileged` or set it to `false`; grant only the specific capabilities the workload needs.',
  revisions: [{ since: 0, rule: privileged }],
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    securityContext: {privileged: false}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      initContainers:
      - name: setup
        image: setup
        securityContext: {privileged: true}
      containers:
      - {name: app, image: app}
`,
    ],
  },
};
