import { asFields, fieldOf, showValue } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { runtimeSocketExposed } from './host-path.ts';
import { perPod, specPath, volumesOf } from './workload.ts';

export const containerRuntimeSocketCheck: Check = {
  id: 'container-runtime-socket',
  title: 'Container runtime socket mounted',
  area: 'compute',
  severity: 'critical',
  frameworks: {
    cis: ['5.2.12'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1610', 'T1611'],
    kubescape: ['C-0074'],
  },
  description:
    "Whoever reaches the Docker, containerd, CRI-O or Podman socket (or a directory holding one, such as `/run`) can start a privileged container " +
    "with the node's filesystem mounted: it is root on the node, outside every admission control. Critical: it is a complete escape, " +
    'read-only mounts included (a socket is written to by connecting, not by the mount). Mounts of `/` and `/var` are reported by `sensitive-host-path`.',
  remediation:
    'Remove the hostPath volume. Build images with a daemonless builder (BuildKit rootless, kaniko) and read container metadata through the Kubernetes API instead of the runtime.',
  evaluate: perPod((pod, out) => {
    for (const volume of volumesOf(pod)) {
      const hostPath = asFields(fieldOf(volume.fields, 'hostPath'));
      const path = fieldOf(hostPath, 'path');
      if (typeof path !== 'string') continue;
      const socket = runtimeSocketExposed(path);
      if (socket === undefined) continue;
      out.push({
        path: specPath(pod, 'volumes', volume.index, 'hostPath', 'path'),
        message:
          `volume ${showValue(volume.name)} mounts host path ${showValue(path)}` +
          (socket === path ? ', a container runtime socket' : `, which contains the runtime socket ${socket}`),
      });
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: logs}
spec:
  selector: {matchLabels: {app: logs}}
  template:
    metadata: {labels: {app: logs}}
    spec:
      containers:
      - name: agent
        image: agent
        volumeMounts: [{name: run, mountPath: /host/run/agent}]
      volumes:
      - name: run
        hostPath: {path: /run/agent}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: ci}
spec:
  containers:
  - name: docker
    image: docker
    volumeMounts: [{name: sock, mountPath: /var/run/docker.sock, readOnly: true}]
  volumes:
  - name: sock
    hostPath: {path: /var/run/docker.sock, type: Socket}
`,
      `apiVersion: batch/v1
kind: Job
metadata: {name: inspect}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: inspect, image: inspect}
      volumes:
      - name: run
        hostPath: {path: /run/containerd/}
`,
    ],
  },
};
