// CAP_SYS_ADMIN is the capability the kernel checks where no finer one exists: mount, namespaces,
// BPF before 5.8, cgroup writes. With it a container escapes to the node in a few well-known steps
// (mounting the host's cgroup and its release_agent, mounting host block devices), which is why
// Kubescape counts it as "privileged" next to `privileged: true`.
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { Check } from '../check.ts';
import { containerLabel, containerOnly, containerPath, isWindowsPod, perPod } from './workload.ts';

/** Runtimes accept `SYS_ADMIN` and `CAP_SYS_ADMIN`, in any case; `ALL` includes it. */
function grantsSysAdmin(value: unknown): 'SYS_ADMIN' | 'ALL' | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  const name = upper.startsWith('CAP_') ? upper.slice(4) : upper;
  return name === 'SYS_ADMIN' || name === 'ALL' ? name : undefined;
}

export const sysAdminCapabilityCheck: Check = {
  id: 'sys-admin-capability',
  title: 'Container adds the SYS_ADMIN capability',
  area: 'compute',
  severity: 'high',
  frameworks: { cis: ['5.2.9'], nsa: ['Pod security: pod security enforcement'], mitre: ['T1611'], kubescape: ['C-0057'] },
  description:
    '`SYS_ADMIN` lets a process mount file systems, create namespaces and write cgroup settings: from a compromised container that is the node, through ' +
    'documented escapes (cgroup `release_agent`, mounting the host disk). High: it is `privileged: true` in all but name. `pss-capabilities-baseline` reports every ' +
    'added capability; this control names the one that hands over the node. Privileged containers (already holding it, reported by `pss-privileged`) and Windows pods are not checked.',
  remediation:
    'Remove `SYS_ADMIN` (and `ALL`) from `securityContext.capabilities.add`; give the workload the narrow capability it needs, or move the operation that needs it (mounting, FUSE) to a CSI driver or a node-level component.',
  evaluate: perPod((pod, out) => {
    if (isWindowsPod(pod)) return;
    for (const container of pod.containers) {
      // Privileged already holds every capability; pss-privileged reports it once.
      if (containerOnly(container, 'privileged') === true) continue;
      const added = asList(fieldOf(asFields(containerOnly(container, 'capabilities')), 'add'));
      if (added === undefined) continue;
      for (let i = 0; i < added.length; i++) {
        const name = grantsSysAdmin(added[i]);
        if (name === undefined) continue;
        out.push({
          path: containerPath(container, 'securityContext', 'capabilities', 'add', i),
          message: `${containerLabel(container)} adds capability ${name === 'ALL' ? 'ALL (which includes SYS_ADMIN)' : 'SYS_ADMIN'}`,
        });
        break;
      }
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
        securityContext:
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  containers: [{name: app, image: app}]
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: fuse}
spec:
  initContainers:
  - name: setup
    image: setup
    securityContext:
      capabilities: {add: [NET_ADMIN, cap_sys_admin]}
  containers:
  - {name: app, image: app}
`,
      `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: migrate
        securityContext:
          capabilities: {add: [ALL]}
`,
    ],
  },
};
