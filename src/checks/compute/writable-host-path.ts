import { asFields, fieldOf, showValue } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { containerLabel, mountsOf, perPod, volumesOf } from './workload.ts';

export const writableHostPathCheck: Check = {
  id: 'writable-host-path',
  title: 'hostPath volume mounted writable',
  area: 'compute',
  severity: 'high',
  frameworks: {
    cis: ['5.2.12'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0045'],
  },
  description:
    "A container that can write to a directory of the node can plant files the node later runs or trusts (cron entries, kubelet manifests, " +
    "binaries), survive the pod's deletion, and stage symlink attacks on the kubelet. High: writing to the host is the usual second step of an escape. " +
    'The hostPath itself is reported by `pss-host-path-volumes`; this reports each container mount without `readOnly: true`, init and ephemeral containers included.',
  remediation:
    'Set `readOnly: true` on every `volumeMounts` entry of a hostPath volume; if the workload must write, give it an `emptyDir` or a PersistentVolumeClaim instead.',
  evaluate: perPod((pod, out) => {
    const volumes = volumesOf(pod);
    if (volumes.length === 0) return;
    for (const volume of volumes) {
      const hostPath = asFields(fieldOf(volume.fields, 'hostPath'));
      if (hostPath === undefined || volume.name === '') continue;
      const where = fieldOf(hostPath, 'path');
      for (const container of pod.containers) {
        for (const mount of mountsOf(container, volume.name)) {
          const readOnly = fieldOf(mount.fields, 'readOnly');
          if (readOnly === true) continue;
          out.push({
            path: [...container.path, 'volumeMounts', mount.index, ...(readOnly === undefined ? [] : ['readOnly'])],
            message: `${containerLabel(container)} mounts hostPath volume ${showValue(volume.name)} (${showValue(where ?? '')}) writable`,
          });
        }
      }
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      containers:
      - name: exporter
        image: exporter
        volumeMounts: [{name: proc, mountPath: /host/proc, readOnly: true}, {name: scratch, mountPath: /tmp}]
      volumes:
      - {name: proc, hostPath: {path: /proc}}
      - {name: scratch, emptyDir: {}}
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
      - name: init
        image: init
        volumeMounts: [{name: data, mountPath: /data, readOnly: false}]
      containers:
      - {name: app, image: app}
      volumes:
      - {name: data, hostPath: {path: /var/data}}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, hostPath: {path: /srv/data}}
`,
    ],
  },
};
