import type { Violation } from '../../checks/check.ts';
import { fieldOf, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';

const NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

function hostNamespaces(pod: PodView, out: Violation[]): void {
  for (const key of NAMESPACE_FIELDS) {
    if (fieldOf(pod.spec, key) === true) {
      out.push({ path: [...pod.specPath, key], message: `pod sets ${key}=true` });
    }
  }
}

export const hostNamespacesCheck: PssCheckDefinition = {
  id: 'pss-host-namespaces',
  upstreamId: 'hostNamespaces',
  level: 'baseline',
  title: 'Pod shares the host network, PID or IPC namespace',
  severity: 'high',
  frameworks: {
    cis: ['5.2.3', '5.2.4', '5.2.5'],
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
    kubescape: ['C-0038', 'C-0041', 'C-0214', 'C-0215', 'C-0216', 'C-0275', 'C-0276'],
  },
  description:
    "A pod in the node's network, PID or IPC namespace can see and reach every process and socket on the node: sniff traffic, signal or trace other pods' processes, read their shared memory.",
  remediation:
    'Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to `false`); expose ports through a Service instead of the host network.',
  revisions: [{ since: 0, rule: hostNamespaces }],
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
      hostNetwork: false
      containers:
      - {name: web, image: nginx}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      hostPID: true
      containers:
      - {name: agent, image: agent}
`,
    ],
  },
};
