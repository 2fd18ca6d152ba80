// `bulwark admission install --emit-vap`: the Pod Security baseline checks written as a native
// ValidatingAdmissionPolicy (CEL) + binding, so a cluster can enforce them with no webhook at all,
// extended like the webhook to controllers' pod templates. Each validation's message starts with the
// Bulwark check id it stands for, so its findings read the same as the webhook's.
import { WORKLOAD_RULES } from './install.ts';

const ALLOWED_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

const list = (values: readonly string[]): string => `[${values.map((value) => `'${value}'`).join(', ')}]`;

/** `field` of `on`, or `fallback` when absent: what `has()` makes CEL spell out. */
const or = (on: string, field: string, fallback: string): string => `(has(${on}.${field}) ? ${on}.${field} : ${fallback})`;

const VARIABLES = [
  {
    name: 'template',
    expression:
      "object.kind == 'Pod' ? object : (object.kind == 'PodTemplate' ? object.template : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template))",
  },
  { name: 'spec', expression: 'variables.template.spec' },
  { name: 'meta', expression: `${or('variables.template', 'metadata', '{}')}` },
  {
    name: 'containers',
    expression: `${or('variables.spec', 'containers', '[]')} + ${or('variables.spec', 'initContainers', '[]')} + ${or('variables.spec', 'ephemeralContainers', '[]')}`,
  },
  { name: 'podContext', expression: or('variables.spec', 'securityContext', '{}') },
];

const sc = (container: string, field: string): string => `(has(${container}.securityContext) && has(${container}.securityContext.${field}))`;

/** No `host` in any probe's or lifecycle hook's httpGet or tcpSocket (typed CEL: spelled out with has()). */
const HOST_HANDLERS = ((): string => {
  const owners = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((probe) => [`has(c.${probe})`, `c.${probe}`] as const);
  owners.push(...['postStart', 'preStop'].map((hook) => [`has(c.lifecycle) && has(c.lifecycle.${hook})`, `c.lifecycle.${hook}`] as const));
  const clauses = owners.map(([present, owner]) => {
    const handlers = ['httpGet', 'tcpSocket'].map((handler) => `!(has(${owner}.${handler}) && has(${owner}.${handler}.host) && ${owner}.${handler}.host != '')`);
    return `!(${present}) || (${handlers.join(' && ')})`;
  });
  return `variables.containers.all(c, ${clauses.map((clause) => `(${clause})`).join(' && ')})`;
})();

/** [check id, CEL that is true when the pod is allowed, the message]. */
const VALIDATIONS: readonly (readonly [string, string, string])[] = [
  [
    'pss-windows-host-process',
    `!(has(variables.podContext.windowsOptions) && has(variables.podContext.windowsOptions.hostProcess) && variables.podContext.windowsOptions.hostProcess) && variables.containers.all(c, !(${sc('c', 'windowsOptions')} && has(c.securityContext.windowsOptions.hostProcess) && c.securityContext.windowsOptions.hostProcess))`,
    'Windows HostProcess containers are not allowed; remove securityContext.windowsOptions.hostProcess',
  ],
  [
    'pss-host-namespaces',
    '!(has(variables.spec.hostNetwork) && variables.spec.hostNetwork) && !(has(variables.spec.hostPID) && variables.spec.hostPID) && !(has(variables.spec.hostIPC) && variables.spec.hostIPC)',
    'sharing the host network, PID or IPC namespace is not allowed; remove hostNetwork, hostPID and hostIPC',
  ],
  ['pss-privileged', `variables.containers.all(c, !(${sc('c', 'privileged')} && c.securityContext.privileged))`, 'privileged containers are not allowed; remove securityContext.privileged'],
  [
    'pss-capabilities-baseline',
    `variables.containers.all(c, !(${sc('c', 'capabilities')} && has(c.securityContext.capabilities.add)) || c.securityContext.capabilities.add.all(cap, cap in ${list(ALLOWED_CAPABILITIES)}))`,
    `capabilities beyond the baseline set may not be added; allowed: ${ALLOWED_CAPABILITIES.join(', ')}`,
  ],
  ['pss-host-path-volumes', `${or('variables.spec', 'volumes', '[]')}.all(v, !has(v.hostPath))`, 'hostPath volumes are not allowed; use a PersistentVolumeClaim, emptyDir or configMap'],
  ['pss-host-ports', `variables.containers.all(c, ${or('c', 'ports', '[]')}.all(p, !has(p.hostPort) || p.hostPort == 0))`, 'hostPort is not allowed; expose the port through a Service'],
  ['pss-host-probes-and-host-lifecycle', HOST_HANDLERS, 'probes and lifecycle hooks may not target another host; remove httpGet.host and tcpSocket.host'],
  [
    'pss-apparmor-profile',
    `${or('variables.meta', 'annotations', '{}')}.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/') || ${or('variables.meta', 'annotations', '{}')}[k] == 'runtime/default' || ${or('variables.meta', 'annotations', '{}')}[k].startsWith('localhost/')) && !(has(variables.podContext.appArmorProfile) && variables.podContext.appArmorProfile.type == 'Unconfined') && variables.containers.all(c, !(${sc('c', 'appArmorProfile')} && c.securityContext.appArmorProfile.type == 'Unconfined'))`,
    'AppArmor may not be disabled; use RuntimeDefault or a Localhost profile',
  ],
  [
    'pss-selinux-options',
    `[variables.podContext].all(s, !has(s.seLinuxOptions) || ((!has(s.seLinuxOptions.type) || s.seLinuxOptions.type in ${list(SELINUX_TYPES)}) && !has(s.seLinuxOptions.user) && !has(s.seLinuxOptions.role))) && variables.containers.all(c, !${sc('c', 'seLinuxOptions')} || ((!has(c.securityContext.seLinuxOptions.type) || c.securityContext.seLinuxOptions.type in ${list(SELINUX_TYPES)}) && !has(c.securityContext.seLinuxOptions.user) && !has(c.securityContext.seLinuxOptions.role)))`,
    'SELinux options may only set a container type; remove seLinuxOptions.user and role',
  ],
  // A user-namespaced pod (hostUsers: false) may unmask /proc: it is its own, not the node's.
  ['pss-proc-mount', `(has(variables.spec.hostUsers) && variables.spec.hostUsers == false) || variables.containers.all(c, !${sc('c', 'procMount')} || c.securityContext.procMount == 'Default')`, 'procMount must be Default'],
  [
    'pss-seccomp-profile-baseline',
    `!(has(variables.podContext.seccompProfile) && variables.podContext.seccompProfile.type == 'Unconfined') && variables.containers.all(c, !(${sc('c', 'seccompProfile')} && c.securityContext.seccompProfile.type == 'Unconfined'))`,
    'seccomp may not be Unconfined; use RuntimeDefault',
  ],
  ['pss-sysctls', `${or('variables.podContext', 'sysctls', '[]')}.all(s, s.name in ${list(SAFE_SYSCTLS)})`, `only safe sysctls may be set: ${SAFE_SYSCTLS.join(', ')}`],
];

export const VAP_NAME = 'bulwark-pod-security-baseline';

/** The baseline policy and a binding that denies everywhere but `excludedNamespaces`. */
export function podSecurityBaselinePolicy(excludedNamespaces: readonly string[]): Record<string, unknown>[] {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: {
      name: VAP_NAME,
      labels: { 'app.kubernetes.io/part-of': 'bulwark' },
      annotations: { 'bulwark.dev/title': 'Pod Security Standards baseline, pods and pod templates' },
    },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
          ...WORKLOAD_RULES.map((rule) => ({ ...rule, operations: ['CREATE', 'UPDATE'] })),
        ],
      },
      variables: VARIABLES,
      validations: VALIDATIONS.map(([id, expression, message]) => ({ expression, message: `[${id}] ${message}`, reason: 'Forbidden' })),
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: VAP_NAME, labels: { 'app.kubernetes.io/part-of': 'bulwark' } },
    spec: {
      policyName: VAP_NAME,
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...excludedNamespaces] }] } },
    },
  };
  return [policy, binding];
}

/** The check ids the emitted policy covers. */
export const VAP_CHECK_IDS: readonly string[] = VALIDATIONS.map(([id]) => id);
