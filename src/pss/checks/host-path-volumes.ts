import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';

function hostPathVolumes(pod: PodView, out: Violation[]): void {
  const volumes = asList(fieldOf(pod.spec, 'volumes'));
  if (volumes === undefined) return;
  for (let i = 0; i < volumes.length; i++) {
    const volume = asFields(volumes[i]);
    const hostPath = fieldOf(volume, 'hostPath');
    if (hostPath === undefined) continue;
    const hostDirectory = fieldOf(asFields(hostPath), 'path');
    out.push({
      path: [...pod.specPath, 'volumes', i, 'hostPath'],
      message: `volume ${showValue(fieldOf(volume, 'name') ?? i)} mounts hostPath ${showValue(hostDirectory ?? '')}`,
    });
  }
}

export const hostPathVolumesCheck: PssCheckDefinition = {
  id: 'pss-host-path-volumes',
  upstreamId: 'hostPathVolumes',
  level: 'baseline',
  title: 'Pod mounts a hostPath volume',
  severity: 'high',
  frameworks: {
    cis: ['5.2.12'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0048'],
  },
  description:
    "A hostPath volume exposes the node's filesystem to the container: the container runtime socket, kubelet credentials, other pods' data, or `/` itself.",
  remediation:
    'Replace `hostPath` volumes with `emptyDir`, `configMap`, `secret`, `projected` or a PersistentVolumeClaim; node agents that truly need host files belong in a namespace exempted from this level.',
  revisions: [{ since: 0, rule: hostPathVolumes }],
  fixtures: {
    pass: [
      `apiVersion: batch/v1
kind: Job
metadata: {name: report}
spec:
  template:
    spec:
      restartPolicy: Never
      volumes:
      - {name: scratch, emptyDir: {}}
      containers:
      - {name: report, image: report}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: log-agent}
spec:
  selector: {matchLabels: {app: log-agent}}
  template:
    metadata: {labels: {app: log-agent}}
    spec:
      volumes:
      - name: varlog
        hostPath: {path: /var/log}
      containers:
      - {name: agent, image: agent}
`,
    ],
  },
};
