// What a hostPath volume exposes of the node. Paths are compared after normalising (`//`, `/./` and a
// trailing `/` removed), since the kubelet mounts the directory the path names, however spelt. A
// mount exposes what lies below it, so a path is judged by what it contains as well as by what it is.

/** Sockets through which the container runtime runs anything as root on the node. */
const RUNTIME_SOCKETS: readonly string[] = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/docker',
  '/var/run/dockershim.sock',
  '/var/run/cri-dockerd.sock',
  '/run/cri-dockerd.sock',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/run/k3s/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/run/crio/crio.sock',
  '/run/podman/podman.sock',
  '/var/run/podman/podman.sock',
];

/** Windows named pipes of the same runtimes (compared without regard to case). */
const RUNTIME_PIPES: readonly string[] = ['\\\\.\\pipe\\docker_engine', '\\\\.\\pipe\\containerd-containerd'];

/**
 * Mounting these (or anything that contains them) hands the node's secrets or control to the pod.
 * `below` says whether every path under the entry is as sensitive as the entry itself.
 */
const SENSITIVE: readonly { path: string; reason: string; below: boolean }[] = [
  { path: '/etc/kubernetes', reason: 'cluster credentials, certificates and static pod manifests', below: true },
  { path: '/etc', reason: 'host configuration and credentials (shadow, kubelet and cloud configuration)', below: true },
  { path: '/root', reason: "root's home: SSH keys, cloud and kubectl credentials", below: true },
  { path: '/home', reason: 'home directories: SSH keys, cloud and kubectl credentials', below: true },
  { path: '/var/lib/kubelet', reason: "kubelet credentials and every pod's volumes and Secrets", below: true },
  { path: '/var/lib/etcd', reason: "the cluster's database, Secrets included", below: true },
  { path: '/var/lib/docker', reason: "every container's filesystem and images", below: true },
  { path: '/var/lib/containerd', reason: "every container's filesystem and images", below: true },
  { path: '/var/lib/containers', reason: "every container's filesystem and images", below: true },
  { path: '/var/log', reason: "every pod's logs; with write access, symlinks there make the kubelet read host files", below: true },
  { path: '/proc', reason: 'host kernel and process interfaces (core_pattern, sysrq) that run code on the node', below: true },
  { path: '/sys', reason: 'host kernel interfaces', below: true },
  { path: '/dev', reason: "the node's devices, disks included", below: true },
  { path: '/boot', reason: 'the kernel and boot loader', below: true },
  { path: '/lib/modules', reason: 'kernel modules', below: true },
];

/** Paths under /etc that many workloads mount read-only and that hold nothing secret (CA bundles, time zone). */
const BENIGN: readonly string[] = [
  '/etc/ssl/certs',
  '/etc/pki/ca-trust',
  '/etc/pki/tls/certs',
  '/etc/ca-certificates',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/machine-id',
  '/etc/os-release',
  '/etc/lsb-release',
];

/** Path segments that hold credentials wherever they are (`/home/ci/.aws`, `/opt/.docker`). */
const CREDENTIAL_SEGMENTS: ReadonlyMap<string, string> = new Map([
  ['.aws', 'AWS credentials'],
  ['.azure', 'Azure credentials'],
  ['gcloud', 'Google Cloud credentials'],
  ['.kube', 'kubeconfig credentials'],
  ['.ssh', 'SSH keys'],
  ['.docker', 'registry credentials'],
  ['.gnupg', 'GnuPG keys'],
]);

/**
 * `//a/./b/` → `/a/b`; `/` stays `/`. Returns undefined for what is not an absolute POSIX path
 * (a Windows path, or a relative one that the API server would refuse).
 */
export function normalizeHostPath(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** Whether `path` is `root` or lies below it (both normalised). */
function within(path: string, root: string): boolean {
  return path === root || (path.startsWith(root) && path.charCodeAt(root.length) === 47) || root === '/';
}

/** The runtime socket `path` exposes (itself or one it contains), or undefined. `/` and `/var` are left to sensitiveHostPath. */
export function runtimeSocketExposed(rawPath: string): string | undefined {
  const lower = rawPath.toLowerCase();
  for (const pipe of RUNTIME_PIPES) if (lower === pipe) return rawPath;
  const path = normalizeHostPath(rawPath);
  if (path === undefined || path === '/' || path === '/var') return undefined;
  for (const socket of RUNTIME_SOCKETS) if (within(socket, path)) return socket;
  return undefined;
}

/** Why mounting `path` exposes the node, or undefined when it does not (as far as this list knows). */
export function sensitiveHostPath(rawPath: string): string | undefined {
  const path = normalizeHostPath(rawPath);
  if (path === undefined) return undefined;
  if (path === '/') return "the node's whole filesystem";
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const credential = CREDENTIAL_SEGMENTS.get(segments[i]!);
    if (credential !== undefined) return credential;
  }
  for (const entry of SENSITIVE) if (path === entry.path) return entry.reason;
  for (const entry of SENSITIVE) if (within(entry.path, path)) return `contains ${entry.path}: ${entry.reason}`;
  for (const entry of SENSITIVE) {
    if (!entry.below || !within(path, entry.path)) continue;
    if (BENIGN.some((benign) => within(path, benign))) return undefined;
    return entry.reason;
  }
  return undefined;
}
