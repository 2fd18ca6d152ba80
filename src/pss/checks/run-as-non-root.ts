import type { Violation } from '../../checks/check.ts';
import { showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import {
  containerLabel,
  containerSetting,
  containerSettingPath,
  outsideUserNamespaces,
  podSetting,
  podSettingPath,
} from './common.ts';

/**
 * A container must run with runAsNonRoot=true, set by itself or inherited from the pod; any explicit
 * value other than true fails wherever it is written, even under a pod-level true.
 */
function runAsNonRoot(pod: PodView, out: Violation[]): void {
  const podValue = podSetting(pod, 'runAsNonRoot');
  const podExplicitlyBad = podValue !== undefined && podValue !== true;
  if (podExplicitlyBad) {
    out.push({
      path: podSettingPath(pod, 'runAsNonRoot'),
      message: `pod sets securityContext.runAsNonRoot=${showValue(podValue)}`,
    });
  }
  for (const container of pod.containers) {
    const value = containerSetting(container, 'runAsNonRoot');
    if (value === true) continue;
    if (value !== undefined) {
      out.push({
        path: containerSettingPath(container, 'runAsNonRoot'),
        message: `${containerLabel(container)} sets securityContext.runAsNonRoot=${showValue(value)}`,
      });
    } else if (podValue === undefined) {
      // Under an explicit pod-level false the pod's field is the one to fix, already reported.
      out.push({
        path: containerSettingPath(container, 'runAsNonRoot'),
        message: `neither the pod nor ${containerLabel(container)} sets securityContext.runAsNonRoot=true`,
      });
    }
  }
}

export const runAsNonRootCheck: PssCheckDefinition = {
  id: 'pss-run-as-non-root',
  upstreamId: 'runAsNonRoot',
  level: 'restricted',
  title: 'Container may run as root',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.7'],
    nsa: ['Pod security: non-root containers'],
    mitre: ['T1611'],
    kubescape: ['C-0013', 'C-0218'],
  },
  description:
    'Without `runAsNonRoot: true` the kubelet starts the image as whatever user it names, often root; a root process in a container is one kernel bug away from root on the node. From v1.35 pods with `hostUsers: false` are exempt.',
  remediation:
    'Set `securityContext.runAsNonRoot: true` at pod level (or on every container), remove any `runAsNonRoot: false`, and build the image with a non-root `USER`.',
  revisions: [
    { since: 0, rule: runAsNonRoot },
    { since: 35, rule: outsideUserNamespaces(runAsNonRoot) },
  ],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - {name: web, image: web}
      - name: sidecar
        image: sidecar
        securityContext: {runAsNonRoot: true}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: mixed}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: app
    securityContext: {runAsNonRoot: false}
`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: backup, image: backup}
`,
    ],
  },
};
