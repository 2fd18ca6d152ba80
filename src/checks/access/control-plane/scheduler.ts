// kube-scheduler flags, as CIS Kubernetes Benchmark v1.10 section 1.4 asks for them.
import type { Check } from '../../check.ts';
import { bindsLocally } from './bind-address.ts';
import { flagCheck, requireBool, type FlagCheckDefinition } from './flag-check.ts';
import { staticPod } from './fixtures.ts';

const COMPONENT = 'kube-scheduler';
const NSA = ['Network separation and hardening: control plane hardening'];

const DEFINITIONS: FlagCheckDefinition[] = [
  {
    id: 'scheduler-profiling',
    component: COMPONENT,
    title: 'Scheduler exposes profiling endpoints',
    severity: 'low',
    frameworks: { cis: ['1.4.1'], nsa: NSA, kubescape: ['C-0151'] },
    description: '`--profiling` (on by default) serves `/debug/pprof` from the scheduler. Low: it needs authorization to reach.',
    remediation: 'Set `--profiling=false`.',
    rule: requireBool('profiling', false, true),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--profiling'] })] }),
  },
  {
    id: 'scheduler-bind-address',
    component: COMPONENT,
    title: 'Scheduler listens beyond localhost',
    severity: 'medium',
    frameworks: { cis: ['1.4.2'], nsa: NSA, mitre: ['T1046'], kubescape: ['C-0152'] },
    description: 'The scheduler\'s port serves health, metrics and debug endpoints. Its `--bind-address` defaults to all interfaces (0.0.0.0); bound to 127.0.0.1 it is unreachable from the network.',
    remediation: 'Set `--bind-address=127.0.0.1`.',
    rule: bindsLocally,
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--bind-address'] })] }),
  },
];

export const schedulerChecks: readonly Check[] = DEFINITIONS.map(flagCheck);
