// kube-apiserver flags, as CIS Kubernetes Benchmark v1.10 section 1.2 (and 3.2.1) asks for them.
import type { FieldPath } from '../../../core/index.ts';
import type { Check, Violation } from '../../check.ts';
import type { Invocation } from './component.ts';
import { effective, flagCheck, forbidFlag, label, listItems, requireAtLeast, requireBool, requireFlags, type FlagCheckDefinition } from './flag-check.ts';
import { staticPod } from './fixtures.ts';

const COMPONENT = 'kube-apiserver';
const NSA_CONTROL_PLANE = ['Network separation and hardening: control plane hardening'];
const NSA_AUTH = ['Authentication and authorization: authentication'];
const NSA_AUDIT = ['Audit logging and threat detection: Kubernetes native audit logging configuration'];

/** Admission plugins the API server enables when no flag says otherwise (1.30–1.34). */
const DEFAULT_ADMISSION = new Set([
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'TaintNodesByCondition', 'PodSecurity', 'Priority', 'DefaultTolerationSeconds',
  'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'RuntimeClass', 'CertificateApproval',
  'CertificateSigning', 'ClusterTrustBundleAttest', 'CertificateSubjectRestriction', 'DefaultIngressClass', 'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
]);

interface PluginState {
  enabled: boolean;
  /** How it was decided, for messages. */
  how: 'legacy' | 'enabled' | 'disabled' | 'default' | 'conflict';
  /** The flag argument that decided it; undefined when the default did. */
  path: FieldPath | undefined;
}

/**
 * Whether a plugin runs: the legacy `--admission-control` list alone when given; otherwise enabled
 * when listed in `--enable-admission-plugins`, or on by default and not in `--disable-admission-plugins`.
 * A plugin in both lists is a configuration the API server refuses to start with; it is reported as
 * whichever the check is about (disabled for a plugin that must run, enabled for one that must not).
 */
function plugin(invocation: Invocation, name: string, prefer: 'enabled' | 'disabled'): PluginState {
  const legacy = listItems(invocation, 'admission-control');
  if (legacy.length > 0) {
    const found = legacy.find((entry) => entry.item === name);
    return { enabled: found !== undefined, how: 'legacy', path: (found ?? legacy[0]!).occurrence.path };
  }
  const enabledBy = listItems(invocation, 'enable-admission-plugins').find((entry) => entry.item === name);
  const disabledBy = listItems(invocation, 'disable-admission-plugins').find((entry) => entry.item === name);
  if (enabledBy !== undefined && (disabledBy === undefined || prefer === 'enabled')) {
    return { enabled: true, how: disabledBy === undefined ? 'enabled' : 'conflict', path: enabledBy.occurrence.path };
  }
  if (disabledBy !== undefined) return { enabled: false, how: enabledBy === undefined ? 'disabled' : 'conflict', path: disabledBy.occurrence.path };
  const enableFlag = effective(invocation, 'enable-admission-plugins');
  return { enabled: DEFAULT_ADMISSION.has(name), how: 'default', path: enableFlag?.path };
}

function requirePlugin(name: string) {
  return (invocation: Invocation): Violation | undefined => {
    const state = plugin(invocation, name, 'disabled');
    if (state.enabled) return undefined;
    const how =
      state.how === 'conflict'
        ? `lists the ${name} admission plugin in both --enable-admission-plugins and --disable-admission-plugins (the API server refuses to start)`
        : state.how === 'disabled'
        ? `disables the ${name} admission plugin (--disable-admission-plugins)`
        : state.how === 'legacy'
          ? `leaves the ${name} admission plugin out of --admission-control`
          : `does not enable the ${name} admission plugin`;
    return { path: state.path ?? invocation.commandPath, message: `${label(invocation)} ${how}` };
  };
}

function forbidPlugin(name: string, why: string) {
  return (invocation: Invocation): Violation | undefined => {
    const state = plugin(invocation, name, 'enabled');
    if (!state.enabled) return undefined;
    return { path: state.path ?? invocation.commandPath, message: `${label(invocation)} enables the ${name} admission plugin: ${why}` };
  };
}

/** Authorization modes in force; `undefined` when a structured `--authorization-config` file decides. */
function modes(invocation: Invocation): { modes: string[]; path: FieldPath } | undefined {
  const listed = listItems(invocation, 'authorization-mode');
  if (listed.length > 0) return { modes: listed.map((entry) => entry.item), path: listed[listed.length - 1]!.occurrence.path };
  if (effective(invocation, 'authorization-config') !== undefined) return undefined;
  return { modes: ['AlwaysAllow'], path: invocation.commandPath };
}

function requireMode(name: string) {
  return (invocation: Invocation): Violation | undefined => {
    const found = modes(invocation);
    if (found === undefined || found.modes.includes(name)) return undefined;
    return { path: found.path, message: `${label(invocation)} authorizes with ${found.modes.join(',')}, without ${name}` };
  };
}

/**
 * Rotation flags matter once there is an audit log file (`-` writes to standard output): unset, they
 * are reported only then; set too low, always.
 */
function auditRotation(name: string, minimum: number) {
  const check = requireAtLeast(name, minimum);
  return (invocation: Invocation): Violation | undefined => {
    const path = effective(invocation, 'audit-log-path')?.value ?? '';
    if ((path === '' || path === '-') && effective(invocation, name) === undefined) return undefined;
    return check(invocation);
  };
}

/** The CIS list: ECDHE key exchange with AES-GCM, ChaCha20 or AES-CBC; TLS 1.3 suites. */
const STRONG_CIPHERS = new Set([
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
]);

export function requireStrongCiphers(invocation: Invocation): Violation | undefined {
  const items = listItems(invocation, 'tls-cipher-suites');
  if (items.length === 0) return { path: invocation.commandPath, message: `${label(invocation)} runs without --tls-cipher-suites (Go's defaults apply)` };
  const weak = items.filter((entry) => !STRONG_CIPHERS.has(entry.item));
  if (weak.length === 0) return undefined;
  return { path: weak[0]!.occurrence.path, message: `${label(invocation)} allows weak cipher suites: ${weak.map((entry) => entry.item).join(', ')}` };
}

const DEFINITIONS: FlagCheckDefinition[] = [
  {
    id: 'apiserver-anonymous-auth',
    component: COMPONENT,
    title: 'API server accepts anonymous requests',
    severity: 'medium',
    frameworks: { cis: ['1.2.1'], nsa: NSA_AUTH, mitre: ['T1078.001'], kubescape: ['C-0113'] },
    description:
      'With `--anonymous-auth` at its default (`true`), requests without credentials are served as `system:anonymous`; only RBAC stands between them and the API. Medium: the default roles grant anonymous users only health and version endpoints, but one careless binding opens everything.',
    remediation: 'Set `--anonymous-auth=false` (health probes can use the authenticated `/livez` and `/readyz` with a token, or structured authentication that allows anonymous access to health endpoints only).',
    rule(invocation) {
      if (effective(invocation, 'anonymous-auth') === undefined && effective(invocation, 'authentication-config') !== undefined) return undefined;
      return requireBool('anonymous-auth', false, true)(invocation);
    },
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--anonymous-auth'] }), staticPod(COMPONENT, { add: ['--anonymous-auth=true'] })] }),
  },
  {
    id: 'apiserver-token-auth-file',
    component: COMPONENT,
    title: 'API server authenticates static tokens from a file',
    severity: 'high',
    frameworks: { cis: ['1.2.2'], nsa: NSA_AUTH, mitre: ['T1078'], kubescape: ['C-0114'] },
    description:
      'Tokens in a `--token-auth-file` are long-lived bearer credentials stored in clear text on the control-plane disk; they never expire and can only be revoked by restarting the API server.',
    remediation: 'Remove `--token-auth-file`; authenticate people through OIDC or client certificates and workloads through ServiceAccount tokens.',
    rule: forbidFlag('token-auth-file', 'static, non-expiring bearer tokens in a file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--token-auth-file=/etc/kubernetes/tokens.csv'] })] }),
  },
  {
    id: 'apiserver-deny-service-external-ips',
    component: COMPONENT,
    title: 'API server does not deny Service externalIPs',
    severity: 'low',
    frameworks: { cis: ['1.2.3'], nsa: NSA_CONTROL_PLANE, mitre: ['T1557'], kubescape: ['C-0283'] },
    description:
      'Without the DenyServiceExternalIPs admission plugin, anyone who can create a Service can claim any IP in `spec.externalIPs` and intercept traffic meant for it (CVE-2020-8554). Low: it takes Service-creation rights inside the cluster.',
    remediation: 'Add `DenyServiceExternalIPs` to `--enable-admission-plugins` unless Services legitimately use externalIPs.',
    rule: requirePlugin('DenyServiceExternalIPs'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--enable-admission-plugins'], add: ['--enable-admission-plugins=NodeRestriction'] })] }),
  },
  {
    id: 'apiserver-kubelet-client-certificate',
    component: COMPONENT,
    title: 'API server has no client certificate for kubelets',
    severity: 'medium',
    frameworks: { cis: ['1.2.4'], nsa: NSA_CONTROL_PLANE, kubescape: ['C-0116'] },
    description:
      'Without `--kubelet-client-certificate` and `--kubelet-client-key` the API server cannot authenticate to kubelets, which then must accept unauthenticated requests for logs, exec and port-forward to work.',
    remediation: 'Set `--kubelet-client-certificate` and `--kubelet-client-key` to a client certificate the kubelets trust.',
    rule: requireFlags('kubelet-client-certificate', 'kubelet-client-key'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--kubelet-client-key'] })] }),
  },
  {
    id: 'apiserver-kubelet-certificate-authority',
    component: COMPONENT,
    title: 'API server does not verify kubelet certificates',
    severity: 'medium',
    frameworks: { cis: ['1.2.5'], nsa: NSA_CONTROL_PLANE, mitre: ['T1557'], kubescape: ['C-0117'] },
    description:
      'Without `--kubelet-certificate-authority` the API server connects to kubelets without checking who answers: whoever sits on the path between control plane and nodes sees exec sessions and logs, and can answer them.',
    remediation: 'Set `--kubelet-certificate-authority` to the CA that signs kubelet serving certificates (and have kubelets request them: `serverTLSBootstrap: true`).',
    rule: requireFlags('kubelet-certificate-authority'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--kubelet-certificate-authority'] })] }),
  },
  {
    id: 'apiserver-authorization-always-allow',
    component: COMPONENT,
    title: 'API server authorizes every request (AlwaysAllow)',
    severity: 'critical',
    frameworks: { cis: ['1.2.6'], nsa: ['Authentication and authorization: role-based access control'], mitre: ['T1078'], kubescape: ['C-0118'] },
    description:
      '`--authorization-mode=AlwaysAllow` — also the default when the flag is missing — lets every authenticated request do anything, and with anonymous authentication on, every request at all. Critical: RBAC is not consulted.',
    remediation: 'Set `--authorization-mode=Node,RBAC` (or a structured `--authorization-config`).',
    rule(invocation) {
      const found = modes(invocation);
      if (found === undefined || !found.modes.includes('AlwaysAllow')) return undefined;
      const implicit = listItems(invocation, 'authorization-mode').length === 0;
      return { path: found.path, message: `${label(invocation)} authorizes with AlwaysAllow${implicit ? ' (the default: --authorization-mode is not set)' : ''}` };
    },
    fixtures: () => ({
      pass: [staticPod(COMPONENT), staticPod(COMPONENT, { remove: ['--authorization-mode'], add: ['--authorization-config=/etc/kubernetes/authz.yaml'] })],
      fail: [staticPod(COMPONENT, { remove: ['--authorization-mode'] }), staticPod(COMPONENT, { add: ['--authorization-mode=AlwaysAllow'] })],
    }),
  },
  {
    id: 'apiserver-authorization-node',
    component: COMPONENT,
    title: 'API server does not use the Node authorizer',
    severity: 'medium',
    frameworks: { cis: ['1.2.7'], nsa: ['Authentication and authorization: role-based access control'], kubescape: ['C-0119'] },
    description:
      'The Node authorizer limits each kubelet to the Secrets, ConfigMaps and pods of its own node. Without it, kubelet credentials are authorized by RBAC alone (`system:nodes`), so one compromised node reads every Secret the nodes group may.',
    remediation: 'Include `Node` in `--authorization-mode` (`--authorization-mode=Node,RBAC`) together with the NodeRestriction admission plugin.',
    rule: requireMode('Node'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--authorization-mode'], add: ['--authorization-mode=RBAC'] })] }),
  },
  {
    id: 'apiserver-authorization-rbac',
    component: COMPONENT,
    title: 'API server does not use RBAC',
    severity: 'high',
    frameworks: { cis: ['1.2.8'], nsa: ['Authentication and authorization: role-based access control'], kubescape: ['C-0120'] },
    description: 'Without `RBAC` in `--authorization-mode`, Roles and bindings have no effect: access is decided by whatever else is configured (ABAC files, webhooks, or nothing).',
    remediation: 'Include `RBAC` in `--authorization-mode`.',
    rule: requireMode('RBAC'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--authorization-mode'], add: ['--authorization-mode=Node,Webhook'] })] }),
  },
  {
    id: 'apiserver-event-rate-limit',
    component: COMPONENT,
    title: 'API server does not rate-limit events',
    severity: 'low',
    frameworks: { cis: ['1.2.9'], nsa: NSA_CONTROL_PLANE, mitre: ['T1499'], kubescape: ['C-0121'] },
    description: 'Without the EventRateLimit admission plugin, a flood of Events (a crash-looping pod, a hostile client) loads the API server and etcd. Low: availability, not access.',
    remediation: 'Add `EventRateLimit` to `--enable-admission-plugins` and configure it in `--admission-control-config-file`.',
    rule: requirePlugin('EventRateLimit'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--enable-admission-plugins'], add: ['--enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs'] })] }),
  },
  {
    id: 'apiserver-always-admit',
    component: COMPONENT,
    title: 'API server enables the AlwaysAdmit admission plugin',
    severity: 'high',
    frameworks: { cis: ['1.2.10'], nsa: NSA_CONTROL_PLANE, kubescape: ['C-0122'] },
    description: 'AlwaysAdmit admits every request regardless of what other admission controllers decide: Pod Security, quotas and policy webhooks stop protecting anything.',
    remediation: 'Remove `AlwaysAdmit` from `--enable-admission-plugins`.',
    rule: forbidPlugin('AlwaysAdmit', 'every request is admitted'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--enable-admission-plugins'], add: ['--enable-admission-plugins=AlwaysAdmit,NodeRestriction'] })] }),
  },
  {
    id: 'apiserver-always-pull-images',
    component: COMPONENT,
    title: 'API server does not enable AlwaysPullImages',
    severity: 'low',
    frameworks: { cis: ['1.2.11'], nsa: NSA_CONTROL_PLANE, mitre: ['T1525'], kubescape: ['C-0123'] },
    description:
      'Without AlwaysPullImages, a pod on a node where a private image is cached runs it without the registry checking its credentials — any tenant can use another tenant\'s private image. Low: it matters on shared, multi-tenant nodes, and it makes the registry a dependency of every pod start.',
    remediation: 'Add `AlwaysPullImages` to `--enable-admission-plugins` on multi-tenant clusters (or use the kubelet\'s image credential verification, `KubeletEnsureSecretPulledImages`).',
    rule: requirePlugin('AlwaysPullImages'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--enable-admission-plugins'], add: ['--enable-admission-plugins=NodeRestriction'] })] }),
  },
  {
    id: 'apiserver-service-account-plugin',
    component: COMPONENT,
    title: 'API server disables the ServiceAccount admission plugin',
    severity: 'medium',
    frameworks: { cis: ['1.2.12'], nsa: NSA_CONTROL_PLANE, kubescape: ['C-0125'] },
    description: 'The ServiceAccount admission plugin assigns every pod a ServiceAccount and checks the one it names exists; without it pods may reference ServiceAccounts (and their tokens) at will.',
    remediation: 'Remove `ServiceAccount` from `--disable-admission-plugins`.',
    rule: requirePlugin('ServiceAccount'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--disable-admission-plugins=ServiceAccount'] })] }),
  },
  {
    id: 'apiserver-namespace-lifecycle',
    component: COMPONENT,
    title: 'API server disables the NamespaceLifecycle admission plugin',
    severity: 'medium',
    frameworks: { cis: ['1.2.13'], nsa: NSA_CONTROL_PLANE, kubescape: ['C-0126'] },
    description: 'NamespaceLifecycle refuses new objects in namespaces that are being deleted or do not exist, and protects the system namespaces from deletion.',
    remediation: 'Remove `NamespaceLifecycle` from `--disable-admission-plugins`.',
    rule: requirePlugin('NamespaceLifecycle'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--disable-admission-plugins=NamespaceLifecycle'] })] }),
  },
  {
    id: 'apiserver-node-restriction',
    component: COMPONENT,
    title: 'API server does not enable NodeRestriction',
    severity: 'medium',
    frameworks: { cis: ['1.2.14'], nsa: NSA_CONTROL_PLANE, mitre: ['T1611'], kubescape: ['C-0127'] },
    description:
      'NodeRestriction limits each kubelet to modifying its own Node and the pods bound to it, and forbids it from setting node labels that steer workloads. Without it, one compromised node can relabel others and attract sensitive pods.',
    remediation: 'Add `NodeRestriction` to `--enable-admission-plugins` (with `Node` in `--authorization-mode`).',
    rule: requirePlugin('NodeRestriction'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--enable-admission-plugins'] }), staticPod(COMPONENT, { remove: ['--enable-admission-plugins'], add: ['--admission-control=NamespaceLifecycle,ServiceAccount'] })] }),
  },
  {
    id: 'apiserver-profiling',
    component: COMPONENT,
    title: 'API server exposes profiling endpoints',
    severity: 'low',
    frameworks: { cis: ['1.2.15'], nsa: NSA_CONTROL_PLANE, kubescape: ['C-0129'] },
    description: '`--profiling` (on by default) serves `/debug/pprof`: program internals and a cheap way to load the API server. Low: it needs authorization to reach.',
    remediation: 'Set `--profiling=false`.',
    rule: requireBool('profiling', false, true),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--profiling'] })] }),
  },
  {
    id: 'apiserver-audit-log-path',
    component: COMPONENT,
    area: 'observability',
    title: 'API server writes no audit log',
    severity: 'medium',
    frameworks: { cis: ['1.2.16'], nsa: NSA_AUDIT, mitre: ['T1070'], kubescape: ['C-0130'] },
    description: 'Without `--audit-log-path` (or an audit webhook) nothing records who did what through the API: incidents cannot be reconstructed.',
    remediation: 'Set `--audit-log-path` (and `--audit-policy-file`), or send audit events to a backend with `--audit-webhook-config-file`.',
    rule(invocation) {
      if ((effective(invocation, 'audit-webhook-config-file')?.value ?? '') !== '') return undefined;
      return requireFlags('audit-log-path')(invocation);
    },
    fixtures: () => ({ pass: [staticPod(COMPONENT), staticPod(COMPONENT, { remove: ['--audit-log-path'], add: ['--audit-webhook-config-file=/etc/kubernetes/audit-webhook.yaml'] })], fail: [staticPod(COMPONENT, { remove: ['--audit-log-path'] })] }),
  },
  {
    id: 'apiserver-audit-log-maxage',
    component: COMPONENT,
    area: 'observability',
    title: 'API server keeps audit logs for less than 30 days',
    severity: 'low',
    frameworks: { cis: ['1.2.17'], nsa: NSA_AUDIT, kubescape: ['C-0131'] },
    description: '`--audit-log-maxage` is how many days rotated audit files are kept; under 30, an intrusion found a month late has no trail. Low: retention, when logs are also shipped off the node, is decided there.',
    remediation: 'Set `--audit-log-maxage=30` or more (or ship the log to central storage).',
    rule: auditRotation('audit-log-maxage', 30),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--audit-log-maxage'], add: ['--audit-log-maxage=7'] })] }),
  },
  {
    id: 'apiserver-audit-log-maxbackup',
    component: COMPONENT,
    area: 'observability',
    title: 'API server keeps fewer than 10 audit log files',
    severity: 'low',
    frameworks: { cis: ['1.2.18'], nsa: NSA_AUDIT, kubescape: ['C-0132'] },
    description: '`--audit-log-maxbackup` is how many rotated audit files are kept; with fewer, a burst of requests rotates the evidence away.',
    remediation: 'Set `--audit-log-maxbackup=10` or more.',
    rule: auditRotation('audit-log-maxbackup', 10),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--audit-log-maxbackup'] })] }),
  },
  {
    id: 'apiserver-audit-log-maxsize',
    component: COMPONENT,
    area: 'observability',
    title: 'API server rotates audit logs below 100 MB',
    severity: 'low',
    frameworks: { cis: ['1.2.19'], nsa: NSA_AUDIT, kubescape: ['C-0133'] },
    description: '`--audit-log-maxsize` is the size in megabytes at which the audit file rotates; small files with few backups keep little history.',
    remediation: 'Set `--audit-log-maxsize=100` or more.',
    rule: auditRotation('audit-log-maxsize', 100),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--audit-log-maxsize'], add: ['--audit-log-maxsize=10'] })] }),
  },
  {
    id: 'apiserver-audit-policy',
    component: COMPONENT,
    area: 'observability',
    title: 'API server has no audit policy',
    severity: 'medium',
    frameworks: { cis: ['3.2.1'], nsa: NSA_AUDIT, mitre: ['T1070'], kubescape: ['C-0160', 'C-0067'] },
    description: 'Without `--audit-policy-file` the API server audits nothing, whatever the log flags say: the policy decides which requests are recorded and at what level.',
    remediation: 'Set `--audit-policy-file` to a policy that records at least Metadata for Secrets, ConfigMaps and tokens, and RequestResponse for RBAC and pod exec.',
    rule: requireFlags('audit-policy-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--audit-policy-file'] })] }),
  },
  {
    id: 'apiserver-service-account-lookup',
    component: COMPONENT,
    title: 'API server accepts tokens of deleted ServiceAccounts',
    severity: 'medium',
    frameworks: { cis: ['1.2.21'], nsa: NSA_AUTH, mitre: ['T1528'], kubescape: ['C-0135'] },
    description: 'With `--service-account-lookup=false` a ServiceAccount token stays valid after its ServiceAccount or Secret is deleted: revoking a leaked token does not work.',
    remediation: 'Remove `--service-account-lookup=false` (the default is `true`).',
    rule: requireBool('service-account-lookup', true, true),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { add: ['--service-account-lookup=false'] })] }),
  },
  {
    id: 'apiserver-service-account-key-file',
    component: COMPONENT,
    title: 'API server has no ServiceAccount verification key',
    severity: 'medium',
    frameworks: { cis: ['1.2.22'], nsa: NSA_AUTH, kubescape: ['C-0136'] },
    description: 'Without `--service-account-key-file` ServiceAccount tokens are verified with the TLS serving key, so rotating one rotates (and invalidates) the other, and keys cannot be rolled over gracefully.',
    remediation: 'Set `--service-account-key-file` to the public key(s) matching `--service-account-signing-key-file`.',
    rule: requireFlags('service-account-key-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--service-account-key-file'] })] }),
  },
  {
    id: 'apiserver-etcd-client-certificate',
    component: COMPONENT,
    title: 'API server has no client certificate for etcd',
    severity: 'high',
    frameworks: { cis: ['1.2.23'], nsa: ['Network separation and hardening: etcd'], mitre: ['T1552'], kubescape: ['C-0137'] },
    description: 'etcd holds every object, Secrets included. Without `--etcd-certfile` and `--etcd-keyfile`, the API server cannot authenticate to etcd, which then must serve anyone who connects.',
    remediation: 'Set `--etcd-certfile` and `--etcd-keyfile`, and run etcd with `--client-cert-auth=true`.',
    rule: requireFlags('etcd-certfile', 'etcd-keyfile'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--etcd-certfile', '--etcd-keyfile'] })] }),
  },
  {
    id: 'apiserver-tls-certificate',
    component: COMPONENT,
    title: 'API server serves with a self-generated certificate',
    severity: 'medium',
    frameworks: { cis: ['1.2.24'], nsa: NSA_CONTROL_PLANE, mitre: ['T1557'], kubescape: ['C-0138'] },
    description: 'Without `--tls-cert-file` and `--tls-private-key-file` the API server makes itself a self-signed certificate that clients cannot verify, training them to skip verification.',
    remediation: 'Set `--tls-cert-file` and `--tls-private-key-file` to a certificate from the cluster CA.',
    rule: requireFlags('tls-cert-file', 'tls-private-key-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--tls-private-key-file'] })] }),
  },
  {
    id: 'apiserver-client-ca',
    component: COMPONENT,
    title: 'API server does not authenticate client certificates',
    severity: 'high',
    frameworks: { cis: ['1.2.25'], nsa: NSA_AUTH, kubescape: ['C-0139'] },
    description: 'Without `--client-ca-file` no client certificate is accepted: kubelets and control-plane components fall back to weaker credentials, and node bootstrap cannot work securely.',
    remediation: 'Set `--client-ca-file` to the cluster CA.',
    rule: requireFlags('client-ca-file'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--client-ca-file'] })] }),
  },
  {
    id: 'apiserver-etcd-ca',
    component: COMPONENT,
    title: 'API server does not verify etcd',
    severity: 'high',
    frameworks: { cis: ['1.2.26'], nsa: ['Network separation and hardening: etcd'], mitre: ['T1557'], kubescape: ['C-0140'] },
    description: 'Without `--etcd-cafile` the API server does not verify the etcd it talks to: a machine in the middle reads and rewrites the whole cluster state.',
    remediation: 'Set `--etcd-cafile` to the CA that signs etcd\'s serving certificates.',
    rule: requireFlags('etcd-cafile'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--etcd-cafile'] })] }),
  },
  {
    id: 'apiserver-encryption-provider-config',
    component: COMPONENT,
    area: 'storage',
    title: 'API server does not encrypt Secrets at rest',
    severity: 'high',
    frameworks: { cis: ['1.2.27'], nsa: ['Network separation and hardening: encryption'], mitre: ['T1552'], kubescape: ['C-0141', 'C-0066'] },
    description: 'Without `--encryption-provider-config` Secrets are stored in etcd in plain text: every etcd backup, snapshot and disk holds every credential of the cluster.',
    remediation: 'Write an EncryptionConfiguration (a KMS v2 provider first) and point `--encryption-provider-config` at it; then rewrite existing Secrets so they are stored encrypted.',
    rule: requireFlags('encryption-provider-config'),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--encryption-provider-config'] })] }),
  },
  {
    id: 'apiserver-tls-cipher-suites',
    component: COMPONENT,
    title: 'API server allows weak or default TLS cipher suites',
    severity: 'medium',
    frameworks: { cis: ['1.2.29'], nsa: NSA_CONTROL_PLANE, mitre: ['T1040'], kubescape: ['C-0143'] },
    description: 'Cipher suites without forward secrecy (RSA key exchange), with 3DES or RC4, or with CBC-SHA256 weaken every connection to the API server. Medium: an attacker must also capture traffic.',
    remediation: 'Set `--tls-cipher-suites` to ECDHE suites with AES-GCM or ChaCha20-Poly1305 only.',
    rule: requireStrongCiphers,
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--tls-cipher-suites'] }), staticPod(COMPONENT, { remove: ['--tls-cipher-suites'], add: ['--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA'] })] }),
  },
  {
    id: 'apiserver-insecure-port',
    component: COMPONENT,
    title: 'API server serves an insecure port',
    severity: 'critical',
    frameworks: { nsa: NSA_CONTROL_PLANE, mitre: ['T1190'], kubescape: ['C-0005'] },
    description: 'A non-zero `--insecure-port` (removed in Kubernetes 1.24, still honoured before) serves the API over plain HTTP with no authentication and no authorization. Critical: anyone who reaches the port is cluster-admin.',
    remediation: 'Remove `--insecure-port` and `--insecure-bind-address` (or set `--insecure-port=0` on versions that still accept it).',
    rule(invocation) {
      const found = effective(invocation, 'insecure-port');
      if (found === undefined || found.value === '0') return undefined;
      return { path: found.path, message: `${label(invocation)} sets --insecure-port=${found.value}: unauthenticated, unauthorized HTTP` };
    },
    fixtures: () => ({ pass: [staticPod(COMPONENT), staticPod(COMPONENT, { add: ['--insecure-port=0'] })], fail: [staticPod(COMPONENT, { add: ['--insecure-port=8080'] })] }),
  },
  {
    id: 'apiserver-secure-port',
    component: COMPONENT,
    title: 'API server disables its secure port',
    severity: 'high',
    frameworks: { nsa: NSA_CONTROL_PLANE, mitre: ['T1040'], kubescape: ['C-0128'] },
    description: '`--secure-port=0` turns off HTTPS serving; whatever still serves the API then does so without TLS.',
    remediation: 'Remove `--secure-port=0` (the default is 6443).',
    rule(invocation) {
      const found = effective(invocation, 'secure-port');
      if (found === undefined || found.value !== '0') return undefined;
      return { path: found.path, message: `${label(invocation)} sets --secure-port=0: no HTTPS serving` };
    },
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--secure-port'], add: ['--secure-port=0'] })] }),
  },
  {
    id: 'apiserver-extend-token-expiration',
    component: COMPONENT,
    title: 'API server extends ServiceAccount token lifetimes',
    severity: 'low',
    frameworks: { nsa: NSA_AUTH, mitre: ['T1528'], kubescape: ['C-0290'] },
    description:
      '`--service-account-extend-token-expiration` (on by default) makes projected tokens valid for a year to ease migration to bound tokens: a token stolen from a pod works long after the pod is gone. Low: the tokens stay bound to their pod and are rejected once it is deleted.',
    remediation: 'Set `--service-account-extend-token-expiration=false` once no client relies on long-lived tokens (check the `authentication_stale_tokens` metric).',
    rule: requireBool('service-account-extend-token-expiration', false, true),
    fixtures: () => ({ pass: [staticPod(COMPONENT)], fail: [staticPod(COMPONENT, { remove: ['--service-account-extend-token-expiration'] })] }),
  },
];

export const apiServerChecks: readonly Check[] = DEFINITIONS.map(flagCheck);

/** For tests: the rules by id. */
export const apiServerRules: ReadonlyMap<string, (invocation: Invocation) => Violation | undefined> = new Map(DEFINITIONS.map((d) => [d.id, d.rule]));
