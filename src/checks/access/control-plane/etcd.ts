// etcd flags (and their ETCD_* environment variables), as CIS Kubernetes Benchmark v1.10 section 2
// asks for them. A `--config-file` replaces every flag, so with one the flags say nothing.
import type { Violation } from '../../check.ts';
import type { Check } from '../../check.ts';
import type { Invocation } from './component.ts';
import { effective, flagCheck, requireBool, requireFlags, type FlagCheckDefinition } from './flag-check.ts';
import { staticPod } from './fixtures.ts';

const COMPONENT = 'etcd';
const NSA = ['Network separation and hardening: etcd'];

function unlessConfigFile(rule: (invocation: Invocation) => Violation | undefined) {
  return (invocation: Invocation): Violation | undefined => ((effective(invocation, 'config-file')?.value ?? '') === '' ? rule(invocation) : undefined);
}

const DEFINITIONS: FlagCheckDefinition[] = [
  {
    id: 'etcd-tls',
    component: COMPONENT,
    title: 'etcd serves clients without TLS',
    severity: 'high',
    frameworks: { cis: ['2.1'], nsa: NSA, mitre: ['T1040'], kubescape: ['C-0153'] },
    description: 'Without `--cert-file` and `--key-file` etcd serves clients over plain HTTP: the whole cluster state, Secrets included, crosses the network in clear.',
    remediation: 'Set `--cert-file` and `--key-file` (and serve `https://` client URLs).',
    rule: unlessConfigFile(requireFlags('cert-file', 'key-file')),
    fixtures: () => ({ pass: [staticPod(COMPONENT), staticPod(COMPONENT, { remove: ['--cert-file'], add: ['--config-file=/etc/etcd/etcd.yaml'] })], fail: [staticPod(COMPONENT, { remove: ['--cert-file', '--key-file'] })] }),
  },
  {
    id: 'etcd-client-cert-auth',
    component: COMPONENT,
    title: 'etcd does not authenticate clients',
    severity: 'high',
    frameworks: { cis: ['2.2'], nsa: NSA, mitre: ['T1552'], kubescape: ['C-0154'] },
    description: 'Without `--client-cert-auth=true` anyone who reaches etcd\'s client port reads and writes every object, bypassing the API server, its authorization and its audit log.',
    remediation: 'Set `--client-cert-auth=true` and `--trusted-ca-file`.',
    rule: unlessConfigFile(requireBool('client-cert-auth', true, false)),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--client-cert-auth'] }), staticPod(COMPONENT, { remove: ['--client-cert-auth'], add: ['-client-cert-auth=false'] })] }),
  },
  {
    id: 'etcd-auto-tls',
    component: COMPONENT,
    title: 'etcd serves clients with self-signed certificates',
    severity: 'medium',
    frameworks: { cis: ['2.3'], nsa: NSA, mitre: ['T1557'], kubescape: ['C-0155'] },
    description: '`--auto-tls=true` makes etcd generate self-signed client certificates that nobody can verify.',
    remediation: 'Remove `--auto-tls` and configure `--cert-file` and `--key-file`.',
    rule: unlessConfigFile(requireBool('auto-tls', false, false)),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--auto-tls'] })] }),
  },
  {
    id: 'etcd-peer-tls',
    component: COMPONENT,
    title: 'etcd talks to its peers without TLS',
    severity: 'medium',
    frameworks: { cis: ['2.4'], nsa: NSA, mitre: ['T1040'], kubescape: ['C-0156'] },
    description: 'Without `--peer-cert-file` and `--peer-key-file` etcd members replicate the cluster state to each other in clear. Medium: it matters once etcd has more than one member.',
    remediation: 'Set `--peer-cert-file` and `--peer-key-file`.',
    rule: unlessConfigFile(requireFlags('peer-cert-file', 'peer-key-file')),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--peer-key-file'] })] }),
  },
  {
    id: 'etcd-peer-client-cert-auth',
    component: COMPONENT,
    title: 'etcd does not authenticate its peers',
    severity: 'medium',
    frameworks: { cis: ['2.5'], nsa: NSA, kubescape: ['C-0157'] },
    description: 'Without `--peer-client-cert-auth=true` anything that reaches the peer port can join the cluster as a member and receive all data.',
    remediation: 'Set `--peer-client-cert-auth=true` and `--peer-trusted-ca-file`.',
    rule: unlessConfigFile(requireBool('peer-client-cert-auth', true, false)),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--peer-client-cert-auth'] })] }),
  },
  {
    id: 'etcd-peer-auto-tls',
    component: COMPONENT,
    title: 'etcd uses self-signed peer certificates',
    severity: 'medium',
    frameworks: { cis: ['2.6'], nsa: NSA, kubescape: ['C-0158'] },
    description: '`--peer-auto-tls=true` makes etcd generate self-signed peer certificates, so members cannot verify each other.',
    remediation: 'Remove `--peer-auto-tls` and configure `--peer-cert-file` and `--peer-key-file`.',
    rule: unlessConfigFile(requireBool('peer-auto-tls', false, false)),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--peer-auto-tls=true'] })] }),
  },
];

export const etcdChecks: readonly Check[] = DEFINITIONS.map(flagCheck);
