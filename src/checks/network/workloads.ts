// The workloads of a scanned set, indexed once by namespace, with what cross-object checks match them
// on: the labels of their pods. Shared by the network, threat-model and compute cross-object checks,
// so a set is indexed once per run however many of them read it.
import type { KubeObject } from '../../core/index.ts';
import { EMPTY_LABELS, type Labels } from '../../labels/selector.ts';
import type { PodView } from '../../podspec/index.ts';
import { asFields, asList, fieldOf } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';

/** Kinds that run pods (PodTemplate only describes them). */
export const WORKLOAD_KINDS: readonly string[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];

export interface Workload {
  readonly object: KubeObject;
  /** null: written without a namespace (decided at apply time). */
  readonly namespace: string | null;
  readonly pod: PodView;
  /** The labels its pods carry. */
  readonly labels: Labels;
  readonly hostNetwork: boolean;
}

export interface WorkloadIndex {
  /** Every workload that is not managed by another one in the set (a ReplicaSet of a Deployment is not). */
  readonly all: readonly Workload[];
  inNamespace(namespace: string | null): readonly Workload[];
  /** Every namespace that has workloads, in first-seen order. */
  readonly namespaces: readonly (string | null)[];
  of(object: KubeObject): Workload | undefined;
}

const NONE: readonly Workload[] = Object.freeze([]);
const cache = new WeakMap<ObjectSet, WorkloadIndex>();

/**
 * Objects owned by a controller (a ReplicaSet with a Deployment owner, the Pods of a ReplicaSet)
 * appear in cluster exports next to their owner; counting them again would report the same pods twice.
 */
function isControlled(object: KubeObject): boolean {
  const owners = asList(fieldOf(asFields(object.raw['metadata']), 'ownerReferences'));
  return owners?.some((owner) => fieldOf(asFields(owner), 'controller') === true) ?? false;
}

export function workloadIndex(set: ObjectSet): WorkloadIndex {
  let index = cache.get(set);
  if (index !== undefined) return index;
  const all: Workload[] = [];
  const byNamespace = new Map<string | null, Workload[]>();
  const byObject = new Map<KubeObject, Workload>();
  for (const kind of WORKLOAD_KINDS) {
    for (const object of set.ofKind(kind)) {
      if (isControlled(object)) continue;
      const pod = set.pods(object)[0];
      if (pod === undefined) continue;
      const workload: Workload = {
        object,
        namespace: object.namespace,
        pod,
        labels: pod.metadata.labels ?? EMPTY_LABELS,
        hostNetwork: fieldOf(pod.spec, 'hostNetwork') === true,
      };
      all.push(workload);
      byObject.set(object, workload);
      let list = byNamespace.get(object.namespace);
      if (list === undefined) byNamespace.set(object.namespace, (list = []));
      list.push(workload);
    }
  }
  // Scan order, not kind order, so findings and messages list workloads as the files do.
  all.sort((a, b) => compareSource(a.object, b.object));
  for (const list of byNamespace.values()) list.sort((a, b) => compareSource(a.object, b.object));
  index = {
    all,
    inNamespace: (namespace) => byNamespace.get(namespace) ?? NONE,
    namespaces: [...new Set(all.map((workload) => workload.namespace))],
    of: (object) => byObject.get(object),
  };
  cache.set(set, index);
  return index;
}

function compareSource(a: KubeObject, b: KubeObject): number {
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.document - b.source.document;
}

/** `Deployment web`, for messages. */
export function describeWorkload(workload: Workload): string {
  return `${workload.object.kind} ${workload.object.name}`;
}

/** `Deployment web, Pod debug and 3 more`. */
export function describeWorkloads(workloads: readonly Workload[], max = 3): string {
  const names = workloads.slice(0, max).map(describeWorkload).join(', ');
  return workloads.length > max ? `${names} and ${workloads.length - max} more` : names;
}

/** `namespace shop`, or the namespace chosen at apply time. */
export function describeNamespace(namespace: string | null): string {
  return namespace === null ? 'the namespace the manifests are applied to' : `namespace ${namespace}`;
}
