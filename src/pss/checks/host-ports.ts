import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel } from './common.ts';

function hostPorts(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    const ports = asList(fieldOf(container.raw, 'ports'));
    if (ports === undefined) continue;
    for (let i = 0; i < ports.length; i++) {
      const hostPort = fieldOf(asFields(ports[i]), 'hostPort');
      if (hostPort === undefined || hostPort === 0) continue;
      out.push({
        path: [...container.path, 'ports', i, 'hostPort'],
        message: `${containerLabel(container)} uses hostPort ${showValue(hostPort)}`,
      });
    }
  }
}

export const hostPortsCheck: PssCheckDefinition = {
  id: 'pss-host-ports',
  upstreamId: 'hostPorts',
  level: 'baseline',
  title: 'Container binds a host port',
  severity: 'medium',
  frameworks: {
    cis: ['5.2.13'],
    nsa: ['Pod security: pod security enforcement'],
    kubescape: ['C-0044'],
  },
  description:
    "A host port opens the service on the node's own address, around NetworkPolicies and Services, and ties the pod to nodes where that port is free.",
  remediation: 'Remove `hostPort` from the container ports (or set it to 0) and expose the port through a Service.',
  revisions: [{ since: 0, rule: hostPorts }],
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
      containers:
      - name: api
        image: api
        ports: [{containerPort: 8080}]
`,
    ],
    fail: [
      `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers:
      - name: legacy
        image: legacy
        ports: [{containerPort: 80, hostPort: 80}]
`,
    ],
  },
};
