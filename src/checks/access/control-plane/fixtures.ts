// Static pod manifests as kubeadm writes them, hardened as the CIS Benchmark asks, for the checks'
// fixtures: each check's failing fixture is the hardened pod with one flag changed or removed.
import type { ComponentName } from './component.ts';

const HARDENED: Readonly<Record<ComponentName, readonly string[]>> = {
  'kube-apiserver': [
    '--advertise-address=10.0.0.10',
    '--allow-privileged=true',
    '--anonymous-auth=false',
    '--authorization-mode=Node,RBAC',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    '--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs',
    '--admission-control-config-file=/etc/kubernetes/admission.yaml',
    '--enable-bootstrap-token-auth=true',
    '--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml',
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    '--etcd-servers=https://127.0.0.1:2379',
    '--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt',
    '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
    '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
    '--profiling=false',
    '--audit-log-path=/var/log/kubernetes/audit/audit.log',
    '--audit-log-maxage=30',
    '--audit-log-maxbackup=10',
    '--audit-log-maxsize=100',
    '--audit-policy-file=/etc/kubernetes/audit-policy.yaml',
    '--secure-port=6443',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
    '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
    '--service-account-extend-token-expiration=false',
    '--service-cluster-ip-range=10.96.0.0/12',
    '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
    '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
    '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  ],
  'kube-controller-manager': [
    '--bind-address=127.0.0.1',
    '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
    '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--kubeconfig=/etc/kubernetes/controller-manager.conf',
    '--leader-elect=true',
    '--profiling=false',
    '--root-ca-file=/etc/kubernetes/pki/ca.crt',
    '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
    '--use-service-account-credentials=true',
    '--terminated-pod-gc-threshold=10',
  ],
  'kube-scheduler': ['--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true', '--profiling=false'],
  etcd: [
    '--advertise-client-urls=https://10.0.0.10:2379',
    '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    '--key-file=/etc/kubernetes/pki/etcd/server.key',
    '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379',
    '--name=cp-1',
    '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
    '--peer-client-cert-auth=true',
    '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
    '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
    '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  ],
};

export interface FlagEdit {
  /** Flags to drop, by name (`--profiling` drops `--profiling=…`). */
  remove?: readonly string[];
  /** Arguments to append. */
  add?: readonly string[];
  /** Put the flags in `args` and leave only the program in `command` (as RKE2 and others do). */
  inArgs?: boolean;
}

/** A static pod running the component with the hardened flags, edited. */
export function staticPod(component: ComponentName, edit: FlagEdit = {}): string {
  const removed = new Set(edit.remove ?? []);
  const flags = HARDENED[component].filter((flag) => !removed.has(flag.split('=')[0]!));
  flags.push(...(edit.add ?? []));
  const quoted = (items: readonly string[]) => items.map((item) => `    - ${JSON.stringify(item)}`).join('\n');
  const lists = edit.inArgs
    ? `    command:\n${quoted([component])}\n    args:\n${quoted(flags)}`
    : `    command:\n${quoted([component, ...flags])}`;
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${component}-cp-1
  namespace: kube-system
  labels: {component: ${component}, tier: control-plane}
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  containers:
  - name: ${component}
    image: registry.k8s.io/${component}:v1.31.0
${lists}
`;
}
