import type { Violation } from '../../checks/check.ts';
import type { PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import {
  containerLabel,
  containerSetting,
  containerSettingPath,
  outsideUserNamespaces,
  podSetting,
  podSettingPath,
} from './common.ts';

function runAsUser(pod: PodView, out: Violation[]): void {
  if (podSetting(pod, 'runAsUser') === 0) {
    out.push({ path: podSettingPath(pod, 'runAsUser'), message: 'pod sets securityContext.runAsUser=0' });
  }
  for (const container of pod.containers) {
    if (containerSetting(container, 'runAsUser') !== 0) continue;
    out.push({
      path: containerSettingPath(container, 'runAsUser'),
      message: `${containerLabel(container)} sets securityContext.runAsUser=0`,
    });
  }
}

export const runAsUserCheck: PssCheckDefinition = {
  id: 'pss-run-as-user',
  upstreamId: 'runAsUser',
  level: 'restricted',
  title: 'Container runs as UID 0',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.7'],
    nsa: ['Pod security: non-root containers'],
    mitre: ['T1611'],
    kubescape: ['C-0013', 'C-0218'],
  },
  description:
    '`runAsUser: 0` explicitly runs the container as root, whatever the image says (checked from v1.23; pods with `hostUsers: false` are exempt from v1.35).',
  remediation: 'Set `runAsUser` to a non-zero UID (pod and containers), or remove it and rely on the image\'s non-root user.',
  revisions: [
    { since: 23, rule: runAsUser },
    { since: 35, rule: outsideUserNamespaces(runAsUser) },
  ],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      securityContext: {runAsUser: 1000}
      containers:
      - {name: cache, image: redis}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: legacy}
spec:
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      securityContext: {runAsUser: 1000}
      containers:
      - name: legacy
        image: legacy
        securityContext: {runAsUser: 0}
`,
    ],
  },
};
