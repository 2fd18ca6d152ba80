// Pod-level settings that change what one container sees of the others or of the network.
import { asList, fieldOf } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { perPod, specPath } from './workload.ts';

export const shareProcessNamespaceCheck: Check = {
  id: 'share-process-namespace',
  title: 'Containers share one process namespace',
  area: 'compute',
  severity: 'low',
  frameworks: {},
  description:
    "With `shareProcessNamespace: true` every container sees the others' processes and, through `/proc/<pid>/root` and `/proc/<pid>/environ`, their files " +
    'and environment (Secrets included), and can signal them. Low: the exposure stays inside the pod, but a compromised sidecar then reaches the main container\'s secrets.',
  remediation: 'Remove `shareProcessNamespace` unless a container truly needs to see the others (a debugging or process-reaping sidecar).',
  evaluate: perPod((pod, out) => {
    if (fieldOf(pod.spec, 'shareProcessNamespace') !== true) return;
    out.push({ path: specPath(pod, 'shareProcessNamespace'), message: 'pod sets shareProcessNamespace=true' });
  }),
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  shareProcessNamespace: false
  containers:
  - {name: app, image: app}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  shareProcessNamespace: true
  containers:
  - {name: app, image: app}
  - {name: sidecar, image: sidecar}
`,
    ],
  },
};

export const hostAliasesCheck: Check = {
  id: 'host-aliases',
  title: 'Pod overrides name resolution with hostAliases',
  area: 'compute',
  severity: 'info',
  frameworks: {},
  description:
    "`hostAliases` writes entries into the pod's `/etc/hosts`, so those names resolve to fixed addresses whatever DNS says: traffic for a well-known name can be " +
    'sent elsewhere without it showing in DNS or in the Service it seems to use. Informational: the entries affect only this pod, and are often a legitimate workaround.',
  remediation: 'Prefer a Service (or an ExternalName Service) or DNS records; keep `hostAliases` only where they are reviewed and documented.',
  evaluate: perPod((pod, out) => {
    const aliases = asList(fieldOf(pod.spec, 'hostAliases'));
    if (aliases === undefined || aliases.length === 0) return;
    out.push({ path: specPath(pod, 'hostAliases'), message: `pod sets ${aliases.length} hostAliases entr${aliases.length === 1 ? 'y' : 'ies'} in /etc/hosts` });
  }),
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - {name: app, image: app}
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
      hostAliases:
      - ip: 10.0.0.5
        hostnames: [registry.example.com]
      containers:
      - {name: app, image: app}
`,
    ],
  },
};
