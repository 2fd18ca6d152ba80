// Which user and group a container's processes run as, from the merged security context: a value the
// pod sets for every container is reported once, at the pod's field.
import { fieldOf, type PodView, type Sourced } from '../../podspec/index.ts';
import type { Check, Violation } from '../check.ts';
import { containerLabel, isWindowsPod, perPod } from './workload.ts';

/** Host accounts and system services use IDs below this; container IDs at or above it collide with none. */
export const MIN_CONTAINER_ID = 10000;

function numeric(setting: Sourced | undefined): number | undefined {
  return setting !== undefined && typeof setting.value === 'number' && Number.isInteger(setting.value) ? setting.value : undefined;
}

/** In a user namespace (`hostUsers: false`) IDs are remapped to unprivileged host ranges. */
function ownUserNamespace(pod: PodView): boolean {
  return fieldOf(pod.spec, 'hostUsers') === false;
}

/**
 * Reports each offending setting once: a container's own value per container, a pod-level value once
 * for all the containers that inherit it.
 */
function reportIds(
  pod: PodView,
  out: Violation[],
  field: 'runAsUser' | 'runAsGroup',
  offends: (id: number) => boolean,
  describe: (field: string, id: number, who: string) => string,
): void {
  // The merged context is built only for containers where the field is set at some level.
  const podSets = fieldOf(pod.securityContext, field) !== undefined;
  let inheritors: string[] | undefined;
  let podSetting: Sourced | undefined;
  for (const container of pod.containers) {
    if (!podSets && fieldOf(container.securityContext, field) === undefined) continue;
    const setting = container.effective[field];
    const id = numeric(setting);
    if (id === undefined || !offends(id)) continue;
    if (setting!.from === 'pod') {
      podSetting = setting;
      (inheritors ??= []).push(containerLabel(container));
    } else {
      out.push({ path: setting!.path, message: describe(String(setting!.path.at(-1)), id, containerLabel(container)) });
    }
  }
  if (podSetting !== undefined && inheritors !== undefined) {
    const id = numeric(podSetting)!;
    out.push({ path: podSetting.path, message: describe(String(podSetting.path.at(-1)), id, `pod (for ${inheritors.join(', ')})`) });
  }
}

// Module-level so that evaluating a pod allocates nothing when it passes.
const isLowId = (id: number) => id > 0 && id < MIN_CONTAINER_ID;
const isRootId = (id: number) => id === 0;
const describeLowId = (field: string, id: number, who: string) => `${who} runs with securityContext.${field}=${id}, below ${MIN_CONTAINER_ID}`;
const describeRootGroup = (field: string, _id: number, who: string) => `${who} runs with securityContext.${field}=0 (the root group)`;

export const runAsLowIdCheck: Check = {
  id: 'run-as-low-id',
  title: 'Container runs with a user or group ID below 10000',
  area: 'compute',
  severity: 'low',
  frameworks: { nsa: ['Pod security: non-root containers'] },
  description:
    'Without a user namespace a container UID is the same number on the node: a UID or GID below 10000 can coincide with a host account or service ' +
    'and own its files if the process ever reaches the host filesystem. Low: it matters only after an escape or through a hostPath mount. ' +
    'UID 0 is reported by `pss-run-as-user`, group 0 by `run-as-root-group`; pods with `hostUsers: false` and Windows pods are not checked.',
  remediation:
    'Set `securityContext.runAsUser` and `runAsGroup` to 10000 or above (on the pod, or on each container), and make the image work under that ID.',
  evaluate: perPod((pod, out) => {
    if (isWindowsPod(pod) || ownUserNamespace(pod)) return;
    reportIds(pod, out, 'runAsUser', isLowId, describeLowId);
    reportIds(pod, out, 'runAsGroup', isLowId, describeLowId);
  }),
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
      securityContext: {runAsUser: 1000, runAsGroup: 1000}
      containers:
      - name: api
        image: api
        securityContext: {runAsUser: 10001, runAsGroup: 10001}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: userns}
spec:
  hostUsers: false
  securityContext: {runAsUser: 1000}
  containers:
  - {name: app, image: app}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsUser: 1000}
  containers:
  - {name: app, image: app}
  - {name: sidecar, image: sidecar}
`,
      `apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec:
      restartPolicy: Never
      securityContext: {runAsUser: 20000}
      containers:
      - name: job
        image: job
        securityContext: {runAsGroup: 100}
`,
    ],
  },
};

export const runAsRootGroupCheck: Check = {
  id: 'run-as-root-group',
  title: 'Container runs with group ID 0',
  area: 'compute',
  severity: 'low',
  frameworks: { nsa: ['Pod security: non-root containers'] },
  description:
    'Group 0 is the root group: a process in it can read and write every file that root\'s group may, in the image and on any mounted host path. ' +
    'Low: many images grant group 0 write access on purpose (to run under arbitrary UIDs), and it is not the root user; it widens what a compromise reaches. ' +
    'The pod\'s `fsGroup` and `supplementalGroups` are checked too; Windows pods and pods with `hostUsers: false` are not.',
  remediation:
    'Set `securityContext.runAsGroup` (and `fsGroup`) to a dedicated group ID of 10000 or above, and remove 0 from `supplementalGroups`.',
  evaluate: perPod((pod, out) => {
    if (isWindowsPod(pod) || ownUserNamespace(pod)) return;
    reportIds(pod, out, 'runAsGroup', isRootId, describeRootGroup);
    if (fieldOf(pod.securityContext, 'fsGroup') === 0) {
      out.push({ path: [...pod.specPath, 'securityContext', 'fsGroup'], message: 'pod sets securityContext.fsGroup=0 (the root group)' });
    }
    const supplemental = fieldOf(pod.securityContext, 'supplementalGroups');
    if (Array.isArray(supplemental)) {
      const index = supplemental.indexOf(0);
      if (index !== -1) {
        out.push({
          path: [...pod.specPath, 'securityContext', 'supplementalGroups', index],
          message: 'pod adds group 0 (the root group) in securityContext.supplementalGroups',
        });
      }
    }
  }),
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsGroup: 0, fsGroup: 10001}
  containers:
  - name: app
    image: app
    securityContext: {runAsGroup: 10001}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  securityContext: {runAsGroup: 0}
  containers:
  - {name: app, image: app}
`,
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      securityContext: {fsGroup: 0, supplementalGroups: [10001, 0]}
      containers:
      - {name: db, image: db}
`,
    ],
  },
};
