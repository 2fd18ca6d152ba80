import type { Violation } from '../../checks/check.ts';
import type { PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, isWindowsPod, podSetting, podSettingPath } from './common.ts';
import { allowedSeccompType, seccompTypeOf, seccompViolation } from './seccomp-profile-baseline.ts';

/**
 * Every container must run under RuntimeDefault or Localhost, set by itself or by a valid pod-level
 * profile; any explicitly set profile of another type fails.
 */
function seccompProfileRestricted(pod: PodView, out: Violation[]): void {
  const podProfile = podSetting(pod, 'seccompProfile');
  if (podProfile !== undefined) {
    const type = seccompTypeOf(podProfile);
    if (!allowedSeccompType(type)) out.push(seccompViolation(type, podSettingPath(pod, 'seccompProfile', 'type'), 'pod'));
  }
  for (const container of pod.containers) {
    const profile = containerSetting(container, 'seccompProfile');
    if (profile !== undefined) {
      const type = seccompTypeOf(profile);
      if (allowedSeccompType(type)) continue;
      out.push(
        seccompViolation(type, containerSettingPath(container, 'seccompProfile', 'type'), containerLabel(container)),
      );
    } else if (podProfile === undefined) {
      out.push({
        path: containerSettingPath(container, 'seccompProfile', 'type'),
        message: `neither the pod nor ${containerLabel(container)} sets securityContext.seccompProfile.type to RuntimeDefault or Localhost`,
      });
    }
    // A container without its own profile under a pod-level one is covered by it, or, when that
    // one is invalid, fixed by fixing the pod's field, which is already reported.
  }
}

// From v1.25 Windows pods are admitted: Windows has no seccomp.
function seccompProfileRestrictedLinux(pod: PodView, out: Violation[]): void {
  if (!isWindowsPod(pod)) seccompProfileRestricted(pod, out);
}

export const seccompProfileRestrictedCheck: PssCheckDefinition = {
  id: 'pss-seccomp-profile-restricted',
  upstreamId: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp profile not set',
  severity: 'medium',
  frameworks: {
    cis: ['5.7.2'],
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
    kubescape: ['C-0055', 'C-0210', 'C-0211'],
  },
  description:
    'At restricted every container must run under a seccomp filter (`RuntimeDefault` or `Localhost`), set on the pod or on the container (from v1.19; Windows pods exempt from v1.25).',
  remediation: 'Set `spec.securityContext.seccompProfile.type: RuntimeDefault` on the pod, or the same on each container.',
  revisions: [
    { since: 19, rule: seccompProfileRestricted, overrides: ['seccompProfile_baseline'] },
    { since: 25, rule: seccompProfileRestrictedLinux, overrides: ['seccompProfile_baseline'] },
  ],
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
      securityContext:
        seccompProfile: {type: RuntimeDefault}
      containers:
      - {name: web, image: web}
      - name: agent
        image: agent
        securityContext:
          seccompProfile: {type: Localhost, localhostProfile: agent.json}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  containers:
  - {name: bare, image: bare}
`,
    ],
  },
};
