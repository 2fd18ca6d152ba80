import { showValue } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { containerLabel, containerOnly, containerPath, isWindowsPod, optIn, perPod } from './workload.ts';

export const readOnlyRootFilesystemCheck: Check = optIn({
  id: 'read-only-root-filesystem',
  title: 'Container root filesystem is writable',
  area: 'compute',
  severity: 'low',
  frameworks: {
    cis: ['5.7.3'],
    nsa: ['Pod security: immutable container file systems'],
    kubescape: ['C-0017'],
  },
  description:
    'A writable root filesystem lets an intruder drop tools, change binaries and configuration, and keep them for the life of the container. ' +
    'Low: it grants no privilege by itself, it only removes an obstacle after a compromise; write paths the application needs belong on `emptyDir` volumes. ' +
    'Like the restricted Pod Security Standard, which leaves it out because many images write to their root, it is not required by default. ' +
    'Windows pods are not checked (the field is not supported there).',
  remediation:
    'Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an `emptyDir` volume on each directory the application writes to (`/tmp`, caches).',
  evaluate: perPod((pod, out) => {
    if (isWindowsPod(pod)) return;
    for (const container of pod.containers) {
      const value = containerOnly(container, 'readOnlyRootFilesystem');
      if (value === true) continue;
      out.push({
        path: containerPath(container, 'securityContext', 'readOnlyRootFilesystem'),
        message:
          value === undefined
            ? `${containerLabel(container)} does not set securityContext.readOnlyRootFilesystem=true`
            : `${containerLabel(container)} sets securityContext.readOnlyRootFilesystem=${showValue(value)}`,
      });
    }
  }),
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
      initContainers:
      - name: migrate
        image: web
        securityContext: {readOnlyRootFilesystem: true}
      containers:
      - name: web
        image: web
        securityContext: {readOnlyRootFilesystem: true}
        volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {}}]
`,
      `apiVersion: v1
kind: Pod
metadata: {name: iis}
spec:
  os: {name: windows}
  containers:
  - {name: iis, image: iis}
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
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: report
            securityContext: {readOnlyRootFilesystem: false}
`,
    ],
  },
});
