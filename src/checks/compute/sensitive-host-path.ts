import { asFields, fieldOf, showValue } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { sensitiveHostPath } from './host-path.ts';
import { perPod, specPath, volumesOf } from './workload.ts';

export const sensitiveHostPathCheck: Check = {
  id: 'sensitive-host-path',
  title: 'Sensitive host path mounted',
  area: 'compute',
  severity: 'high',
  frameworks: {
    cis: ['5.2.12'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1552.001', 'T1611'],
    kubescape: ['C-0020'],
  },
  description:
    "Some host paths hold the node's keys to the cluster or to the cloud: `/etc/kubernetes`, `/var/lib/kubelet`, home directories with `.aws`, `.azure`, " +
    '`.kube` or `.ssh`, `/proc`, `/var/log`, or `/` itself. Mounting one, even read-only, hands those credentials to anyone who compromises the pod. ' +
    'High: it turns one compromised container into node or cloud access (every hostPath is also reported by `pss-host-path-volumes`; this names the ones that matter most). ' +
    'CA bundles and time zone files under `/etc` are not reported.',
  remediation:
    'Remove the hostPath volume, or narrow it to the one non-sensitive file the workload needs and mount it `readOnly`. Node agents that truly need these paths ' +
    'belong in a dedicated namespace with an exception that names why.',
  evaluate: perPod((pod, out) => {
    for (const volume of volumesOf(pod)) {
      const hostPath = asFields(fieldOf(volume.fields, 'hostPath'));
      const path = fieldOf(hostPath, 'path');
      if (typeof path !== 'string') continue;
      const reason = sensitiveHostPath(path);
      if (reason === undefined) continue;
      out.push({
        path: specPath(pod, 'volumes', volume.index, 'hostPath', 'path'),
        message: `volume ${showValue(volume.name)} mounts host path ${showValue(path)}: ${reason}`,
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
      containers:
      - name: web
        image: web
        volumeMounts:
        - {name: certs, mountPath: /etc/ssl/certs, readOnly: true}
        - {name: tz, mountPath: /etc/localtime, readOnly: true}
      volumes:
      - {name: certs, hostPath: {path: /etc/ssl/certs}}
      - {name: tz, hostPath: {path: /etc/localtime}}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: creds}
spec:
  containers:
  - name: app
    image: app
    volumeMounts: [{name: aws, mountPath: /creds, readOnly: true}]
  volumes:
  - name: aws
    hostPath: {path: /home/admin/.aws/credentials}
`,
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node}
spec:
  selector: {matchLabels: {app: node}}
  template:
    metadata: {labels: {app: node}}
    spec:
      containers:
      - name: node
        image: node
        volumeMounts: [{name: kubelet, mountPath: /kubelet}]
      volumes:
      - {name: kubelet, hostPath: {path: //var/lib/kubelet/}}
`,
    ],
  },
};
