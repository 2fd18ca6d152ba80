import type { Violation } from '../../checks/check.ts';
import type { FieldPath } from '../../core/index.ts';
import { asFields, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PssCheckDefinition } from '../definition.ts';
import { containerLabel, containerSetting, containerSettingPath, podSetting, podSettingPath } from './common.ts';

/** The beta annotations that predate the field; the admission check still reads them. */
const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function allowedAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/** A set profile must name an allowed type; an object without a type decodes to the empty type. */
function profileTypeOf(profile: unknown): unknown {
  return fieldOf(asFields(profile), 'type');
}

function profileViolation(type: unknown, path: FieldPath, who: string): Violation {
  return {
    path,
    message:
      type === undefined
        ? `${who} sets securityContext.appArmorProfile without a type`
        : `${who} sets securityContext.appArmorProfile.type=${showValue(type)}`,
  };
}

// The field check was written into the v1.0 revision upstream, so it applies at every version.
function appArmorProfile(pod: PodView, out: Violation[]): void {
  const podProfile = podSetting(pod, 'appArmorProfile');
  if (podProfile !== undefined) {
    const type = profileTypeOf(podProfile);
    if (!allowedType(type)) out.push(profileViolation(type, podSettingPath(pod, 'appArmorProfile', 'type'), 'pod'));
  }
  for (const container of pod.containers) {
    const profile = containerSetting(container, 'appArmorProfile');
    if (profile === undefined) continue;
    const type = profileTypeOf(profile);
    if (allowedType(type)) continue;
    out.push(
      profileViolation(type, containerSettingPath(container, 'appArmorProfile', 'type'), containerLabel(container)),
    );
  }
  const annotations = pod.metadata.annotations;
  for (const key in annotations) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const value = annotations[key]!;
    if (allowedAnnotation(value)) continue;
    out.push({
      path: [...pod.metadataPath, 'annotations', key],
      message: `annotation ${key}=${showValue(value)} sets a forbidden AppArmor profile`,
    });
  }
}

export const appArmorProfileCheck: PssCheckDefinition = {
  id: 'pss-apparmor-profile',
  upstreamId: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor profile disabled or overridden',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
    kubescape: ['C-0055'],
  },
  description:
    "On nodes with AppArmor the runtime's default profile confines every container; an `Unconfined` profile removes that layer of defence against container escapes.",
  remediation:
    'Set `securityContext.appArmorProfile.type` to `RuntimeDefault` or `Localhost` (with `localhostProfile`), or remove it; in annotations use `runtime/default` or `localhost/<profile>`.',
  revisions: [{ since: 0, rule: appArmorProfile }],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        container.apparmor.security.beta.kubernetes.io/web: runtime/default
    spec:
      securityContext:
        appArmorProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: nginx
        securityContext:
          appArmorProfile: {type: Localhost, localhostProfile: web}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  containers:
  - name: tool
    image: tool
    securityContext:
      appArmorProfile: {type: Unconfined}
`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/job: unconfined
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: job, image: job}
`,
    ],
  },
};
