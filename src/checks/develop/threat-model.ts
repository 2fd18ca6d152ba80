// The threat model of a scanned set: for every workload reachable from outside the cluster, what
// exposes it, what it runs as (privilege, host access), and what its identity may do through the API.
// Pure data, shared by the develop-exposed-workload check and `bulwark scan --threat-model`.
import type { KubeObject, ObjectRef } from '../../core/index.ts';
import { objectRef } from '../../core/index.ts';
import { asFields, asList, fieldOf, showValue } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';
import { IDENTITY_KINDS, workloadIdentity, type WorkloadIdentity } from '../access/rbac/workload-identity.ts';
import { containerPorts, reachability } from '../network/reachability.ts';
import { EXPOSURE_KINDS, serviceIndex, type Exposure } from '../network/services.ts';
import { workloadIndex, WORKLOAD_KINDS, type Workload } from '../network/workloads.ts';

/** Every kind the threat model reads. */
export const THREAT_MODEL_KINDS: readonly string[] = [...new Set([...WORKLOAD_KINDS, ...EXPOSURE_KINDS, ...IDENTITY_KINDS, 'NetworkPolicy', 'Namespace'])];

/** At most this many workloads are listed as reachable from one exposed workload. */
export const MAX_REACHES = 50;

/** A workload of the set the exposed one can open connections to, on the ports its containers declare. */
export interface Reach {
  readonly workload: ObjectRef;
  /** `5432/TCP`. */
  readonly ports: readonly string[];
}

/** Capabilities that amount to root on the node once the container is compromised. */
const NODE_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'BPF']);

/** One reason the pod's compromise reaches the node. */
export interface HostAccess {
  readonly what: string;
}

export interface ThreatPath {
  readonly workload: KubeObject;
  readonly exposures: readonly Exposure[];
  /** Privilege that reaches the node: privileged containers, host paths, host namespaces, capabilities. */
  readonly hostAccess: readonly HostAccess[];
  /** `uid 0 (runAsUser)`, `not set (image default)`. */
  readonly user: string;
  readonly identity: WorkloadIdentity;
  /**
   * What a compromise of the pod reaches next over the network, as NetworkPolicy allows it (egress of
   * this workload and ingress of each other one), on the ports those declare; workloads that declare
   * no port are not listed. At most MAX_REACHES.
   */
  readonly reaches: readonly Reach[];
  /** Every object a step stands on, for gathering the findings reported on them. */
  readonly objects: { exposure: readonly ObjectRef[]; workload: ObjectRef; identity: readonly ObjectRef[] };
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Read from the pod spec as written: no pod view is needed to see privilege and host access. */
function hostAccessOf(workload: Workload): HostAccess[] {
  const out: HostAccess[] = [];
  const spec = workload.spec;
  for (const list of CONTAINER_LISTS) {
    for (const item of asList(fieldOf(spec, list)) ?? []) {
      const container = asFields(item);
      const context = asFields(fieldOf(container, 'securityContext'));
      const name = JSON.stringify(fieldOf(container, 'name') ?? '');
      if (fieldOf(context, 'privileged') === true) out.push({ what: `container ${name} is privileged` });
      const added = asList(fieldOf(asFields(fieldOf(context, 'capabilities')), 'add')) ?? [];
      const dangerous = added.filter((cap) => typeof cap === 'string' && NODE_CAPABILITIES.has(cap.replace(/^CAP_/, '')));
      if (dangerous.length > 0) out.push({ what: `container ${name} adds ${dangerous.join(', ')}` });
    }
  }
  for (const volume of asList(fieldOf(spec, 'volumes')) ?? []) {
    const hostPath = asFields(fieldOf(asFields(volume), 'hostPath'));
    if (hostPath !== undefined) out.push({ what: `mounts hostPath ${showValue(fieldOf(hostPath, 'path') ?? '')}` });
  }
  for (const key of ['hostPID', 'hostIPC'] as const) if (fieldOf(spec, key) === true) out.push({ what: `shares the node's ${key === 'hostPID' ? 'process' : 'IPC'} namespace` });
  return out;
}

function userOf(workload: Workload): string {
  const users = new Set<string>();
  for (const container of workload.pod.containers) {
    const user = container.effective.runAsUser?.value;
    const nonRoot = container.effective.runAsNonRoot?.value;
    users.add(typeof user === 'number' ? `uid ${user}` : nonRoot === true ? 'a non-root uid (runAsNonRoot)' : "the image's user (possibly root)");
  }
  return [...users].join(', ') || 'no containers';
}

function reachesOf(set: ObjectSet, source: Workload): Reach[] {
  const engine = reachability(set);
  const out: Reach[] = [];
  for (const destination of workloadIndex(set).all) {
    if (destination === source) continue;
    const ports: string[] = [];
    for (const declared of containerPorts(destination)) {
      const label = `${declared.port}/${declared.protocol}`;
      if (!ports.includes(label) && engine.canReach({ kind: 'workload', workload: source }, destination, declared.port, declared.protocol)) ports.push(label);
    }
    if (ports.length === 0) continue;
    out.push({ workload: objectRef(destination.object), ports });
    if (out.length >= MAX_REACHES) break;
  }
  return out;
}

const cache = new WeakMap<ObjectSet, readonly ThreatPath[]>();

/** Every exposed workload of the set, in scan order, with what makes each step possible. */
export function threatPaths(set: ObjectSet): readonly ThreatPath[] {
  const cached = cache.get(set);
  if (cached !== undefined) return cached;
  const services = serviceIndex(set);
  const out: ThreatPath[] = [];
  for (const workload of workloadIndex(set).all) {
    const exposures = services.exposuresOf(workload);
    if (exposures.length === 0) continue;
    const identity = workloadIdentity(set, workload);
    let user: string | undefined;
    let reaches: Reach[] | undefined;
    out.push({
      workload: workload.object,
      exposures,
      hostAccess: hostAccessOf(workload),
      // Merging security contexts is only for the threat-model view; the check never reads it.
      get user(): string {
        return (user ??= userOf(workload));
      },
      identity,
      // Only the threat-model view reads it; the check never pays for it.
      get reaches(): readonly Reach[] {
        return (reaches ??= reachesOf(set, workload));
      },
      objects: {
        exposure: [...new Map(exposures.map((exposure) => [exposure.object, objectRef(exposure.object)])).values()],
        workload: objectRef(workload.object),
        identity: identity.tokenMounted ? identity.grants.flatMap((grant) => grant.objects) : [],
      },
    });
  }
  cache.set(set, out);
  return out;
}

/** Whether the path ends beyond the pod: on the node, or in the cluster through the API. */
export function isDangerous(path: ThreatPath): boolean {
  return path.hostAccess.length > 0 || (path.identity.tokenMounted && path.identity.grants.length > 0);
}
