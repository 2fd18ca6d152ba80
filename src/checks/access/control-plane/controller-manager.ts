// kube-controller-manager flags, as CIS Kubernetes Benchmark v1.10 section 1.3 asks for them.
import type { Check } from '../../check.ts';
import { bindsLocally } from './bind-address.ts';
import { flagCheck, label, requireBool, requireFlags, type FlagCheckDefinition } from './flag-check.ts';
import { mapFlag, parseGoBool } from './flags.ts';
import { staticPod } from './fixtures.ts';

const COMPONENT = 'kube-controller-manager';
const NSA = ['Network separation and hardening: control plane hardening'];

const DEFINITIONS: FlagCheckDefinition[] = [
  {
    id: 'controller-manager-profiling',
    component: COMPONENT,
    title: 'Controller manager exposes profiling endpoints',
    severity: 'low',
    frameworks: { cis: ['1.3.2'], nsa: NSA, kubescape: ['C-0145'] },
    description: '`--profiling` (on by default) serves `/debug/pprof` from the controller manager. Low: it needs authorization to reach.',
    remediation: 'Set `--profiling=false`.',
    rule: requireBool('profiling', false, true),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--profiling'] })] }),
  },
  {
    id: 'controller-manager-service-account-credentials',
    component: COMPONENT,
    title: 'Controllers share the controller manager’s own credentials',
    severity: 'medium',
    frameworks: { cis: ['1.3.3'], nsa: ['Authentication and authorization: role-based access control'], kubescape: ['C-0146'] },
    description:
      'With `--use-service-account-credentials` at its default (`false`) every controller acts with the controller manager\'s identity, which must then hold the union of all their permissions; with it, each controller has its own ServiceAccount and least-privilege role.',
    remediation: 'Set `--use-service-account-credentials=true`.',
    rule: requireBool('use-service-account-credentials', true, false),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--use-service-account-credentials'] })] }),
  },
  {
    id: 'controller-manager-service-account-key',
    component: COMPONENT,
    title: 'Controller manager has no ServiceAccount signing key',
    severity: 'medium',
    frameworks: { cis: ['1.3.4'], nsa: ['Authentication and authorization: authentication'], kubescape: ['C-0147'] },
    description: 'Without `--service-account-private-key-file` the controller manager cannot sign legacy ServiceAccount tokens with a dedicated key, and key rotation is tied to other credentials.',
    remediation: 'Set `--service-account-private-key-file` to the key whose public half the API server verifies with.',
    rule: requireFlags('service-account-private-key-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--service-account-private-key-file'] })] }),
  },
  {
    id: 'controller-manager-root-ca',
    component: COMPONENT,
    title: 'Controller manager gives pods no root CA',
    severity: 'medium',
    frameworks: { cis: ['1.3.5'], nsa: NSA, mitre: ['T1557'], kubescape: ['C-0148'] },
    description: 'Without `--root-ca-file` pods do not receive the cluster CA in their ServiceAccount volume, so they cannot verify the API server they talk to.',
    remediation: 'Set `--root-ca-file` to the cluster CA bundle.',
    rule: requireFlags('root-ca-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--root-ca-file'] })] }),
  },
  {
    id: 'controller-manager-rotate-kubelet-server-certificate',
    component: COMPONENT,
    title: 'Controller manager turns off kubelet serving-certificate rotation',
    severity: 'low',
    frameworks: { cis: ['1.3.6'], nsa: NSA, kubescape: ['C-0149'] },
    description: '`--feature-gates=RotateKubeletServerCertificate=false` stops kubelet serving certificates from being issued and renewed through the API, leaving kubelets with self-signed, never-rotated certificates.',
    remediation: 'Remove `RotateKubeletServerCertificate=false` from `--feature-gates`.',
    rule(invocation) {
      const gate = mapFlag(invocation.flags, 'feature-gates').get('RotateKubeletServerCertificate');
      if (gate === undefined || parseGoBool(gate.value) !== false) return undefined;
      return { path: gate.occurrence.path, message: `${label(invocation)} sets RotateKubeletServerCertificate=false` };
    },
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--feature-gates=RotateKubeletServerCertificate=false'] })] }),
  },
  {
    id: 'controller-manager-bind-address',
    component: COMPONENT,
    title: 'Controller manager listens beyond localhost',
    severity: 'medium',
    frameworks: { cis: ['1.3.7'], nsa: NSA, mitre: ['T1046'], kubescape: ['C-0150'] },
    description: 'The controller manager\'s port serves health, metrics and debug endpoints. Its `--bind-address` defaults to all interfaces (0.0.0.0); bound to 127.0.0.1 it is unreachable from the network.',
    remediation: 'Set `--bind-address=127.0.0.1`.',
    rule: bindsLocally,
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--bind-address'] }), staticPod(COMPONENT, { remove: ['--bind-address'], add: ['--bind-address=0.0.0.0'] })] }),
  },
];

export const controllerManagerChecks: readonly Check[] = DEFINITIONS.map(flagCheck);
