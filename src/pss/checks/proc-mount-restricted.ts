import type { PssCheckDefinition } from '../definition.ts';
import { procMountDefaultOnly } from './proc-mount.ts';

export const procMountRestrictedCheck: PssCheckDefinition = {
  id: 'pss-proc-mount-restricted',
  upstreamId: 'procMount_restricted',
  level: 'restricted',
  title: 'Unmasked /proc mount (restricted)',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: hardening container environments'],
    mitre: ['T1611'],
  },
  description:
    'From v1.35 baseline lets pods with `hostUsers: false` unmask /proc; restricted keeps requiring the default mask for every pod, and decides the verdict at restricted (an unmasked /proc that baseline also rejects is still reported as `pss-proc-mount`).',
  remediation: 'Remove `securityContext.procMount` or set it to `Default`, also in pods with `hostUsers: false`.',
  revisions: [{ since: 35, rule: procMountDefaultOnly, overrides: ['procMount'] }],
  fixtures: {
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: nested}
spec:
  hostUsers: false
  containers:
  - name: nested
    image: nested
    securityContext: {procMount: Default}
`,
    ],
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: nested}
spec:
  selector: {matchLabels: {app: nested}}
  template:
    metadata: {labels: {app: nested}}
    spec:
      hostUsers: false
      containers:
      - name: nested
        image: nested
        securityContext: {procMount: Unmasked}
`,
    ],
  },
};
