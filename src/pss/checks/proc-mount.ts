import type { Violation } from '../../checks/check.ts';
import { showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, outsideUserNamespaces } from './common.ts';

/** Any procMount other than Default unmasks /proc paths that hide the host's kernel interfaces. */
export function procMountDefaultOnly(pod: PodView, out: Violation[]): void {
  for (const container of pod.containers) {
    const procMount = containerSetting(container, 'procMount');
    if (procMount === undefined || procMount === 'Default') continue;
    out.push({
      path: containerSettingPath(container, 'procMount'),
      message: `${containerLabel(container)} sets securityContext.procMount=${showValue(procMount)}`,
    });
  }
}

export const procMountCheck: PssCheckDefinition = {
  id: 'pss-proc-mount',
  upstreamId: 'procMount',
  level: 'baseline',
  title: 'Unmasked /proc mount',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
  },
  description:
    "The runtime masks parts of /proc that expose the host's kernel interfaces; `procMount: Unmasked` removes those masks. From v1.35 baseline allows it for pods with `hostUsers: false`.",
  remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
  revisions: [
    { since: 0, rule: procMountDefaultOnly },
    { since: 35, rule: outsideUserNamespaces(procMountDefaultOnly) },
  ],
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app
    securityContext: {procMount: Default}
`,
      `apiVersion: v1
kind: Pod
metadata: {name: nested}
spec:
  hostUsers: false
  containers:
  - name: nested
    image: nested
    securityContext: {procMount: Unmasked}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: builder}
spec:
  selector: {matchLabels: {app: builder}}
  template:
    metadata: {labels: {app: builder}}
    spec:
      containers:
      - name: builder
        image: builder
        securityContext: {procMount: Unmasked}
`,
    ],
  },
};
