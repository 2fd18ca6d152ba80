import type { Violation } from '../../checks/check.ts';
import type { FieldPath } from '../../core/index.ts';
import { asFields, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, podSetting, podSettingPath } from './common.ts';

// Before v1.19 seccomp was configured through alpha annotations; the check read those.
const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function allowedAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

export function allowedSeccompType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function seccompAnnotations(pod: PodView, out: Violation[]): void {
  const annotations = pod.metadata.annotations;
  const report = (key: string, who: string): void => {
    const value = annotations[key]!;
    if (allowedAnnotation(value)) return;
    out.push({
      path: [...pod.metadataPath, 'annotations', key],
      message: `annotation ${key}=${showValue(value)} sets a forbidden seccomp profile for ${who}`,
    });
  };
  if (Object.hasOwn(annotations, POD_ANNOTATION)) report(POD_ANNOTATION, 'the pod');
  let seen: Set<string> | undefined;
  for (const container of pod.containers) {
    const key = CONTAINER_ANNOTATION_PREFIX + container.name;
    if (!Object.hasOwn(annotations, key)) continue;
    // Two containers with one name share one annotation: report it once.
    seen ??= new Set();
    if (seen.has(key)) continue;
    seen.add(key);
    report(key, containerLabel(container));
  }
}

/** The type of a set profile; a profile object without one decodes to the empty type. */
export function seccompTypeOf(profile: unknown): unknown {
  return fieldOf(asFields(profile), 'type');
}

export function seccompViolation(type: unknown, path: FieldPath, who: string): Violation {
  return {
    path,
    message:
      type === undefined
        ? `${who} sets securityContext.seccompProfile without a type`
        : `${who} sets securityContext.seccompProfile.type=${showValue(type)}`,
  };
}

function seccompFields(pod: PodView, out: Violation[]): void {
  const podProfile = podSetting(pod, 'seccompProfile');
  if (podProfile !== undefined) {
    const type = seccompTypeOf(podProfile);
    if (!allowedSeccompType(type)) out.push(seccompViolation(type, podSettingPath(pod, 'seccompProfile', 'type'), 'pod'));
  }
  for (const container of pod.containers) {
    const profile = containerSetting(container, 'seccompProfile');
    if (profile === undefined) continue;
    const type = seccompTypeOf(profile);
    if (allowedSeccompType(type)) continue;
    out.push(
      seccompViolation(type, containerSettingPath(container, 'seccompProfile', 'type'), containerLabel(container)),
    );
  }
}

export const seccompProfileBaselineCheck: PssCheckDefinition = {
  id: 'pss-seccomp-profile-baseline',
  upstreamId: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Seccomp profile set to Unconfined',
  severity: 'medium',
  frameworks: {
    cis: ['5.7.2'],
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
    kubescape: ['C-0055', 'C-0210'],
  },
  description:
    'Seccomp filters the system calls a container may make, closing off most kernel attack surface; an `Unconfined` profile turns the filter off.',
  remediation:
    'Set `securityContext.seccompProfile.type` to `RuntimeDefault` or `Localhost`, or leave it unset; for policy versions before v1.19 use the annotation values `runtime/default` or `localhost/<profile>`.',
  revisions: [
    { since: 0, rule: seccompAnnotations },
    { since: 19, rule: seccompFields },
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
      - {name: web, image: nginx}
`,
    ],
    fail: [
      `apiVersion: v1
kind: PodTemplate
metadata: {name: debug-template}
template:
  metadata: {labels: {app: debug}}
  spec:
    containers:
    - name: debug
      image: debug
      securityContext:
        seccompProfile: {type: Unconfined}
`,
    ],
  },
};
