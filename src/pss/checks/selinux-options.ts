import type { Violation } from '../../checks/check.ts';
import type { FieldPath } from '../../core/index.ts';
import { asFields, fieldOf, showValue, type Fields } from '../../podspec/index.ts';
import type { PssCheckDefinition, PodRule } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, podSetting, podSettingPath } from './common.ts';

const TYPES_V1_0: ReadonlySet<unknown> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
// v1.31 admits the type container engines (podman, buildah) run under inside a container.
const TYPES_V1_31: ReadonlySet<unknown> = new Set([...TYPES_V1_0, 'container_engine_t']);

function checkOptions(
  options: unknown,
  path: FieldPath,
  who: string,
  allowedTypes: ReadonlySet<unknown>,
  out: Violation[],
): void {
  const fields: Fields | undefined = asFields(options);
  const type = fieldOf(fields, 'type');
  if (type !== undefined && !allowedTypes.has(type)) {
    out.push({ path: [...path, 'type'], message: `${who} sets securityContext.seLinuxOptions.type=${showValue(type)}` });
  }
  for (const key of ['user', 'role'] as const) {
    const value = fieldOf(fields, key);
    if (value !== undefined && value !== '') {
      out.push({ path: [...path, key], message: `${who} sets securityContext.seLinuxOptions.${key}=${showValue(value)}` });
    }
  }
}

function seLinuxOptions(allowedTypes: ReadonlySet<unknown>): PodRule {
  return (pod, out) => {
    const podOptions = podSetting(pod, 'seLinuxOptions');
    if (podOptions !== undefined) checkOptions(podOptions, podSettingPath(pod, 'seLinuxOptions'), 'pod', allowedTypes, out);
    for (const container of pod.containers) {
      const options = containerSetting(container, 'seLinuxOptions');
      if (options === undefined) continue;
      checkOptions(options, containerSettingPath(container, 'seLinuxOptions'), containerLabel(container), allowedTypes, out);
    }
  };
}

export const seLinuxOptionsCheck: PssCheckDefinition = {
  id: 'pss-selinux-options',
  upstreamId: 'seLinuxOptions',
  level: 'baseline',
  title: 'Custom SELinux user, role or type',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
    kubescape: ['C-0055'],
  },
  description:
    'SELinux labels confine a container on SELinux nodes; a custom user or role, or a type such as `spc_t` (super-privileged container), lifts that confinement.',
  remediation:
    'Remove `seLinuxOptions.user` and `seLinuxOptions.role`; leave `type` unset or use `container_t`, `container_init_t`, `container_kvm_t` (or `container_engine_t` from v1.31).',
  revisions: [
    { since: 0, rule: seLinuxOptions(TYPES_V1_0) },
    { since: 31, rule: seLinuxOptions(TYPES_V1_31) },
  ],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store}
spec:
  serviceName: store
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec:
      securityContext:
        seLinuxOptions: {level: "s0:c123,c456"}
      containers:
      - name: store
        image: store
        securityContext:
          seLinuxOptions: {type: container_t}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: spc}
spec:
  securityContext:
    seLinuxOptions: {type: spc_t}
  containers:
  - {name: spc, image: spc}
`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: admin}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec:
      containers:
      - name: admin
        image: admin
        securityContext:
          seLinuxOptions: {user: sysadm_u, role: sysadm_r}
`,
    ],
  },
};
