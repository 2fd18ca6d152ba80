// Which Kubescape rules (regolibrary) Bulwark answers, through which family of its controls, and where
// it disagrees on purpose. regolibrary.test.ts runs every case of every rule listed in RULES_IN_SCOPE
// and fails when a rule of the corpus is in no table, so a rule is either implemented, or knowingly
// left for a family that will implement it.
import type { PssLevel } from '../../core/index.ts';

/** The families of controls that answer Kubescape rules, each owned by one part of the catalog. */
export type Family =
  | 'pss' // src/pss: Pod Security Standards checks
  | 'workload-hardening' // src/checks/compute: hardening beyond the Pod Security Standards
  | 'resources' // src/checks/compute: requests, limits, replicas
  | 'supply-chain' // src/checks/distribute: images in manifests
  | 'secrets' // src/checks/storage: credentials in manifests
  | 'rbac' // src/checks/access: roles, bindings, who can do what
  | 'network' // src/checks/network: NetworkPolicy coverage
  | 'control-plane' // API server, audit and encryption settings
  | 'node' // kubelet settings read from the node (Kubescape's host sensor)
  | 'cross-object'; // checks that relate objects (src/checks/*/cross)

export interface Scope {
  family: Family;
  /**
   * The controls that implement this rule, when its Kubescape ids cannot say (an id shared with other
   * rules, like C-0211, or a rule with no id). Otherwise every control tagged with one of the rule's
   * own ids answers for it.
   */
  controls?: readonly string[];
  /** The Pod Security level the cases run at (default restricted), for controls that apply at one level. */
  level?: PssLevel;
}

export const RULES_IN_SCOPE: Readonly<Record<string, Scope>> = {
  // Pod Security Standards checks (tagged with these ids in src/pss/checks).
  'psp-deny-privileged-container': { family: 'pss' },
  'host-network-access': { family: 'pss' },
  'host-pid-ipc-privileges': { family: 'pss' },
  'psp-deny-hostipc': { family: 'pss' },
  'psp-deny-hostnetwork': { family: 'pss' },
  'psp-deny-hostpid': { family: 'pss' },
  'alert-any-hostpath': { family: 'pss' },
  'container-hostPort': { family: 'pss' },
  'insecure-capabilities': { family: 'pss' },
  'psp-deny-allowed-capabilities': { family: 'pss' },
  'psp-required-drop-capabilities': { family: 'pss' },
  'linux-hardening': { family: 'pss' },
  'non-root-containers': { family: 'pss' },
  'psp-deny-root-container': { family: 'pss' },
  'rule-allow-privilege-escalation': { family: 'pss' },
  'psp-deny-allowprivilegeescalation': { family: 'pss' },
  'set-seccomp-profile-RuntimeDefault': { family: 'pss' },
  'host-ipc-privileges': { family: 'pss' },
  'host-pid-privileges': { family: 'pss' },
  // C-0211 is shared by several security-context rules, so the control is named.
  'set-seccomp-profile': { family: 'pss', controls: ['pss-seccomp-profile-restricted'] },

  // Workload hardening beyond the Pod Security Standards.
  // No Kubescape id in the index: "privileged" means privileged=true (pss-privileged) or SYS_ADMIN added.
  'rule-privileged-container': { family: 'workload-hardening', controls: ['pss-privileged', 'sys-admin-capability'] },
  'immutable-container-filesystem': { family: 'workload-hardening' },
  'alert-rw-hostpath': { family: 'workload-hardening' },
  'alert-mount-potential-credentials-paths': { family: 'workload-hardening' },
  'containers-mounting-docker-socket': { family: 'workload-hardening' },
  // At restricted (from v1.22) pss-capabilities-restricted's drop-ALL requirement reports the same containers.
  'drop-capability-netraw': { family: 'workload-hardening', controls: ['net-raw-capability'], level: 'baseline' },
  'automount-default-service-account': { family: 'workload-hardening' },
  // A pod that sets true (service-account-token-automount), or sets nothing while its ServiceAccount
  // does not opt out (service-account-token-automount-default, a cross-object check).
  'automount-service-account': { family: 'cross-object' },
  // A workload that mounts the token of a ServiceAccount that bindings in the set grant permissions.
  'serviceaccount-token-mount': { family: 'cross-object' },

  // Resources.
  'resources-cpu-limit-and-request': { family: 'resources' },
  'resources-cpu-limits': { family: 'resources' },
  'resources-cpu-requests': { family: 'resources' },
  'resources-memory-limit-and-request': { family: 'resources' },
  'resources-memory-limits': { family: 'resources' },
  'resources-memory-requests': { family: 'resources' },
  'resource-policies': { family: 'resources' },

  // Supply chain in manifests.
  'image-not-pinned-to-digest': { family: 'supply-chain' },
  'image-pull-policy-is-not-set-to-always': { family: 'supply-chain' },

  // RBAC in manifests (src/checks/access/rbac), evaluated as the RBAC authorizer would.
  'rule-list-all-cluster-admins-v1': { family: 'rbac' },
  'cluster-admin-role': { family: 'rbac' },
  'rule-can-list-get-secrets-v1': { family: 'rbac' },
  'exec-into-container-v1': { family: 'rbac' },
  'rule-can-create-pod': { family: 'rbac' },
  'rule-can-bind-escalate': { family: 'rbac', controls: ['rbac-escalate-bind'] },
  'rule-can-impersonate-users-groups-v1': { family: 'rbac' },
  'workload-with-administrative-roles': { family: 'rbac' },
  'workload-with-cluster-takeover-roles': { family: 'rbac' },
  'system-authenticated-allowed-to-take-over-cluster': { family: 'rbac' },
  'anonymous-access-enabled': { family: 'rbac' },

  // NetworkPolicy coverage (src/checks/network).
  'internal-networking': { family: 'network' },
  'ingress-and-egress-blocked': { family: 'network' },
  'ensure_network_policy_configured_in_labels': { family: 'network' },

  // Control-plane static pods and configuration files (src/checks/access/control-plane).
  'insecure-port-flag': { family: 'control-plane' },
  'k8s-audit-logs-enabled-native': { family: 'control-plane' },
  'k8s-audit-logs-enabled-native-cis': { family: 'control-plane' },
  'etcd-encryption-native': { family: 'control-plane' },
  // Audit policy files, scanned or copied by the host sensor (src/checks/access/control-plane/audit-policy*.ts).
  'audit-policy-content': { family: 'control-plane' },
  'ensure-that-the-api-server-encryption-providers-are-appropriately-configured': { family: 'control-plane' },
  ...Object.fromEntries(
    [
      'ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set',
      'ensure-that-the-admission-control-plugin-AlwaysPullImages-is-set',
      'ensure-that-the-admission-control-plugin-EventRateLimit-is-set',
      'ensure-that-the-admission-control-plugin-NamespaceLifecycle-is-set',
      'ensure-that-the-admission-control-plugin-NodeRestriction-is-set',
      'ensure-that-the-admission-control-plugin-ServiceAccount-is-set',
      'ensure-that-the-api-server-DenyServiceExternalIPs-is-set',
      'ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false',
      'ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate',
      'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate',
      'ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate',
      'ensure-that-the-api-server-audit-log-path-argument-is-set',
      'ensure-that-the-api-server-authorization-mode-argument-includes-Node',
      'ensure-that-the-api-server-authorization-mode-argument-includes-RBAC',
      'ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow',
      'ensure-that-the-api-server-client-ca-file-argument-is-set-as-appropriate',
      'ensure-that-the-api-server-encryption-provider-config-argument-is-set-as-appropriate',
      'ensure-that-the-api-server-etcd-cafile-argument-is-set-as-appropriate',
      'ensure-that-the-api-server-etcd-certfile-and-etcd-keyfile-arguments-are-set-as-appropriate',
      'ensure-that-the-api-server-kubelet-certificate-authority-argument-is-set-as-appropriate',
      'ensure-that-the-api-server-kubelet-client-certificate-and-kubelet-client-key-arguments-are-set-as-appropriate',
      'ensure-that-the-api-server-profiling-argument-is-set-to-false',
      'ensure-that-the-api-server-secure-port-argument-is-not-set-to-0',
      'ensure-that-the-api-server-service-account-extend-token-expiration-is-set-to-false',
      'ensure-that-the-api-server-service-account-key-file-argument-is-set-as-appropriate',
      'ensure-that-the-api-server-service-account-lookup-argument-is-set-to-true',
      'ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate',
      'ensure-that-the-api-server-token-auth-file-parameter-is-not-set',
    ].map((rule): [string, Scope] => [rule, { family: 'control-plane' }]),
  ),

  // Kubelet settings: KubeletConfiguration files, kubeadm's ConfigMap, and host-sensor KubeletInfo
  // documents (command line folded over the config file, as the kubelet does).
  'anonymous-requests-to-kubelet-updated': { family: 'node', controls: ['kubelet-anonymous-auth'] },
  'enforce-kubelet-client-tls-authentication-updated': { family: 'node' },
  'kubelet-authorization-mode-alwaysAllow': { family: 'node' },
  'read-only-port-enabled-updated': { family: 'node' },
};

export interface Disagreement {
  rule: string;
  case: string;
  /** Why Bulwark's answer differs, and why Bulwark's is the right one. */
  reason: string;
}

const PSP_REMOVED =
  'PodSecurityPolicy (policy/v1beta1) was removed in Kubernetes v1.25; Bulwark never evaluates PSP objects and enforces the same control on the pods themselves (the pss-* checks carry this id)';

export const DISAGREEMENTS: readonly Disagreement[] = [
  {
    rule: 'enforce-kubelet-client-tls-authentication-updated',
    case: 'fail-config-sensor-failed',
    reason: 'the kubelet runs with --config, but the sensor could not read that file, so its client CA setting is unknown; Bulwark does not report a setting it cannot see (Kubescape reports it as missing)',
  },
  { rule: 'psp-deny-privileged-container', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-hostipc', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-hostnetwork', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-hostpid', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-allowed-capabilities', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-required-drop-capabilities', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-root-container', case: 'fail-many-true', reason: PSP_REMOVED },
  { rule: 'psp-deny-allowprivilegeescalation', case: 'fail-many-true', reason: PSP_REMOVED },
  {
    rule: 'set-seccomp-profile-RuntimeDefault',
    case: 'workloads',
    reason:
      'a container with a Localhost seccomp profile is admitted by the Pod Security Standards (pss-seccomp-profile-*): a profile written for the workload is normally stricter than the runtime default; Kubescape accepts only RuntimeDefault',
  },
  {
    rule: 'resources-cpu-requests',
    case: 'pod-only-requests',
    reason:
      'the container sets limits.cpu and no requests.cpu; the API server defaults a missing request to the limit, so the container does request CPU (Kubescape false positive)',
  },
  {
    rule: 'resources-memory-requests',
    case: 'pod-only-requests',
    reason:
      'the container sets limits.memory and no requests.memory; the API server defaults a missing request to the limit, so the container does request memory (Kubescape false positive)',
  },
  {
    rule: 'image-not-pinned-to-digest',
    case: 'pod-sha256-uppercase',
    reason:
      'a sha256 digest in uppercase hex is not a valid reference: the kubelet refuses it (InvalidImageName), so Bulwark reports it once as image-reference-invalid, not as an unpinned image',
  },
  {
    rule: 'exec-into-container-v1',
    case: 'clusterrole',
    reason:
      'the role grants `create` on `pods/*`; the RBAC authorizer compares that entry literally (only `*` and `*/exec` are wildcards), so it allows no request for pods/exec — nobody can exec with it (Kubescape false positive)',
  },
  {
    rule: 'rule-can-impersonate-users-groups-v1',
    case: 'role-rolebinding',
    reason:
      'the rule allows every verb on every resource of every group; Bulwark reports such a rule once, as full access (rbac-cluster-admin-binding on the binding, rbac-wildcard on the rule), instead of under each of the dozen permissions it implies',
  },
  {
    rule: 'anonymous-access-enabled',
    case: 'fail',
    reason:
      'the binding is the default system:public-info-viewer binding every cluster has, granting anonymous GETs on /healthz, /livez, /readyz and /version only; Bulwark reports anonymous bindings that grant more, and anonymous access itself through apiserver-anonymous-auth',
  },
  {
    rule: 'ingress-and-egress-blocked',
    case: 'cronjob',
    reason:
      'the pods run with hostNetwork: true, which NetworkPolicy does not apply to; advising a NetworkPolicy cannot restrict them (pss-host-namespaces reports hostNetwork, network-host-network-service a Service in front of such pods)',
  },
  {
    rule: 'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate',
    case: 'failed',
    reason:
      'one API server writes no audit log file (no --audit-log-path) and sets no rotation, so rotation means nothing there (apiserver-audit-log-path reports the missing log); the other sets --audit-log-maxbackup=10, which meets the benchmark — Kubescape asks to "validate" any value',
  },
  {
    rule: 'ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate',
    case: 'rke2-args',
    reason: '--audit-log-maxbackup=10 meets the benchmark; Kubescape reports every value for review',
  },
  {
    rule: 'ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate',
    case: 'failed',
    reason:
      'the API server writes no audit log file (no --audit-log-path) and sets no rotation, so rotation means nothing there; apiserver-audit-log-path reports the missing log',
  },
  {
    rule: 'ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate',
    case: 'rke2-args',
    reason: '--audit-log-maxsize is at or above 100, which meets the benchmark; Kubescape reports every value for review',
  },
  {
    rule: 'audit-policy-content',
    case: 'failed-missing-one',
    reason:
      'no rule names pods, but rules[8] (level Request for every resource of the core group) records them; the API server applies the first matching rule, so changes to pods are audited, which is what CIS 3.2.2 asks — Kubescape requires each resource to be named',
  },
  {
    rule: 'ensure-that-the-api-server-secure-port-argument-is-not-set-to-0',
    case: 'failed',
    reason:
      'the command sets --secure-port=0 and later --secure-port=8443; flags are parsed as the API server parses them (spf13/pflag), where the last occurrence wins, so the API server serves on 8443',
  },
];

export interface NotYetCovered {
  rule: string;
  /** The family that will implement it. */
  family: Family;
  /** What is missing, for whoever picks it up. */
  note: string;
}


export const NOT_YET_COVERED: readonly NotYetCovered[] = [
  {
    rule: 'ensure-that-the-admission-control-plugin-SecurityContextDeny-is-set-if-PodSecurityPolicy-is-not-used',
    family: 'control-plane',
    note: 'not planned: the SecurityContextDeny plugin was removed in Kubernetes 1.30 and PodSecurityPolicy in 1.25; Pod Security admission (the pss-* checks) replaces both',
  },
  {
    rule: 'ensure-that-the-api-server-DenyServiceExternalIPs-is-not-set',
    family: 'control-plane',
    note: 'not planned: it asks the opposite of CIS v1.10 1.2.3 (DenyServiceExternalIPs set), which apiserver-deny-service-external-ips implements (C-0283)',
  },
  {
    rule: 'ensure-that-the-api-server-request-timeout-argument-is-set-as-appropriate',
    family: 'control-plane',
    note: 'CIS 1.2.20 is manual: any value, or the 60s default, may be appropriate; there is nothing to decide from the manifest',
  },
];
