import type { Violation } from '../../checks/check.ts';
import { asFields, asList, fieldOf, showValue, type PodView } from '../../podspec/index.ts';
import type { PodRule, PssCheckDefinition } from '../definition.ts';
import { podSetting, podSettingPath } from './common.ts';

// Sysctls namespaced per pod and isolated from other pods on the node; the set grows as the kernel
// namespaces more of them.
const SAFE_V1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SAFE_V1_27 = [...SAFE_V1_0, 'net.ipv4.ip_local_reserved_ports'];
const SAFE_V1_29 = [
  ...SAFE_V1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SAFE_V1_32 = [...SAFE_V1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SAFE_V1_37 = [...SAFE_V1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function sysctls(since: string, safe: readonly string[]): PodRule {
  const allowed: ReadonlySet<unknown> = new Set(safe);
  return (pod: PodView, out: Violation[]): void => {
    const list = asList(podSetting(pod, 'sysctls'));
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      // An entry without a name decodes to the empty name, which is not safe either.
      const name = fieldOf(asFields(list[i]), 'name') ?? '';
      if (allowed.has(name)) continue;
      out.push({
        path: podSettingPath(pod, 'sysctls', i, 'name'),
        message: `pod sets sysctl ${showValue(name)}, which is not in the safe set of ${since}`,
      });
    }
  };
}

export const sysctlsCheck: PssCheckDefinition = {
  id: 'pss-sysctls',
  upstreamId: 'sysctls',
  level: 'baseline',
  title: 'Unsafe sysctl',
  severity: 'medium',
  frameworks: {
    nsa: ['Pod security: pod security enforcement'],
    mitre: ['T1611'],
  },
  description:
    'Sysctls outside the safe set either are not namespaced (they change the whole node) or can disturb other pods on it; they can disable security mechanisms.',
  remediation:
    'Remove the sysctl from `spec.securityContext.sysctls`, or run the workload where that sysctl is configured on the node itself.',
  revisions: [
    { since: 0, rule: sysctls('v1.0', SAFE_V1_0) },
    { since: 27, rule: sysctls('v1.27', SAFE_V1_27) },
    { since: 29, rule: sysctls('v1.29', SAFE_V1_29) },
    { since: 32, rule: sysctls('v1.32', SAFE_V1_32) },
    { since: 37, rule: sysctls('v1.37', SAFE_V1_37) },
  ],
  fixtures: {
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: proxy}
spec:
  selector: {matchLabels: {app: proxy}}
  template:
    metadata: {labels: {app: proxy}}
    spec:
      securityContext:
        sysctls:
        - {name: net.ipv4.ip_local_port_range, value: "1024 65000"}
        - {name: net.ipv4.tcp_keepalive_time, value: "600"}
      containers:
      - {name: proxy, image: proxy}
`,
    ],
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: tuned}
spec:
  securityContext:
    sysctls:
    - {name: kernel.msgmax, value: "65536"}
  containers:
  - {name: tuned, image: tuned}
`,
    ],
  },
};
