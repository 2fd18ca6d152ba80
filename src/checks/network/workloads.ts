// The workloads of a scanned set, indexed once by namespace, with what cross-object checks match them
// on: the labels of their pods. Shared by the network, threat-model and compute cross-object checks,
// so a set is indexed once per run however many of them read it.
import type { FieldPath, KubeObject } from '../../core/index.ts';
import { labelsOf, type Labels, type Selector } from '../../labels/selector.ts';
import type { Fields, PodView } from '../../podspec/index.ts';
import { asFields, asList, fieldOf, templateLocation, type TemplateLocation } from '../../podspec/index.ts';
import type { ObjectSet } from '../check.ts';

/** Kinds that run pods (PodTemplate only describes them). */
export const WORKLOAD_KINDS: readonly string[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'];

export interface Workload {
  readonly object: KubeObject;
  /** null: written without a namespace (decided at apply time). */
  readonly namespace: string | null;
  /** The pod spec as written. */
  readonly spec: Fields;
  /** From the object root to the pod spec and to the pod's metadata. */
  readonly specPath: FieldPath;
  readonly metadataPath: FieldPath;
  /** The labels its pods carry. */
  readonly labels: Labels;
  readonly hostNetwork: boolean;
  /** The normalised pod view (containers, effective security context), built on first use. */
  readonly pod: PodView;
}

export interface WorkloadIndex {
  /** Every workload that is not managed by another one in the set (a ReplicaSet of a Deployment is not). */
  readonly all: readonly Workload[];
  inNamespace(namespace: string | null): readonly Workload[];
  /**
   * The workloads of a namespace that may match a selector: those carrying one of its `key=value`
   * requirements (the rarest), or all of them when it has none. Callers still test the selector.
   */
  candidates(namespace: string | null, selector: Selector): readonly Workload[];
  /** Every namespace that has workloads, in first-seen order. */
  readonly namespaces: readonly (string | null)[];
  of(object: KubeObject): Workload | undefined;
}

const NONE: readonly Workload[] = Object.freeze([]);
const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);
const cache = new WeakMap<ObjectSet, WorkloadIndex>();

/**
 * Objects owned by a controller (a ReplicaSet with a Deployment owner, the Pods of a ReplicaSet)
 * appear in cluster exports next to their owner; counting them again would report the same pods twice.
 */
function isControlled(object: KubeObject): boolean {
  const owners = asList(fieldOf(asFields(object.raw['metadata']), 'ownerReferences'));
  return owners?.some((owner) => fieldOf(asFields(owner), 'controller') === true) ?? false;
}

function fieldsAt(root: Fields, path: FieldPath): Fields | undefined {
  let current: Fields | undefined = root;
  for (const segment of path) {
    current = asFields(fieldOf(current, String(segment)));
    if (current === undefined) return undefined;
  }
  return current;
}

/** A workload read straight from its template; the full pod view is built on first use. */
class TemplateWorkload implements Workload {
  readonly object: KubeObject;
  readonly namespace: string | null;
  readonly spec: Fields;
  readonly specPath: FieldPath;
  readonly metadataPath: FieldPath;
  readonly labels: Labels;
  readonly hostNetwork: boolean;
  readonly #set: ObjectSet;
  #pod: PodView | undefined;

  constructor(object: KubeObject, spec: Fields, location: TemplateLocation, set: ObjectSet) {
    this.object = object;
    this.namespace = object.namespace;
    this.spec = spec;
    this.specPath = location.spec;
    this.metadataPath = location.metadata;
    this.labels = labelsOf(fieldOf(fieldsAt(object.raw, location.metadata), 'labels'));
    this.hostNetwork = fieldOf(spec, 'hostNetwork') === true;
    this.#set = set;
  }

  // Most cross-object checks need labels only; containers and merged security contexts are built
  // for the few workloads that need more (the threat model's exposed ones).
  get pod(): PodView {
    return (this.#pod ??= this.#set.pods(this.object)[0]!);
  }
}

function workloadOf(object: KubeObject, set: ObjectSet): Workload | undefined {
  const location = templateLocation(object.apiVersion, object.kind);
  if (location === undefined) return undefined;
  const spec = fieldsAt(object.raw, location.spec);
  return spec === undefined ? undefined : new TemplateWorkload(object, spec, location, set);
}

export function workloadIndex(set: ObjectSet): WorkloadIndex {
  let index = cache.get(set);
  if (index !== undefined) return index;
  const all: Workload[] = [];
  const byNamespace = new Map<string | null, Workload[]>();
  const byObject = new Map<KubeObject, Workload>();
  // In scan order (the set's), not kind order, so findings and messages list workloads as the files do.
  for (const object of set.objects) {
    if (!WORKLOAD_KIND_SET.has(object.kind) || isControlled(object)) continue;
    const workload = workloadOf(object, set);
    if (workload === undefined) continue;
    all.push(workload);
    byObject.set(object, workload);
    let list = byNamespace.get(object.namespace);
    if (list === undefined) byNamespace.set(object.namespace, (list = []));
    list.push(workload);
  }
  // Per namespace, workloads by `key=value` of their labels, built on first use of a namespace.
  const byLabel = new Map<string | null, Map<string, Workload[]>>();
  const labelIndex = (namespace: string | null): Map<string, Workload[]> => {
    let found = byLabel.get(namespace);
    if (found !== undefined) return found;
    found = new Map();
    for (const workload of byNamespace.get(namespace) ?? NONE) {
      for (const key of Object.keys(workload.labels)) {
        const entry = `${key}=${workload.labels[key]}`;
        let list = found.get(entry);
        if (list === undefined) found.set(entry, (list = []));
        list.push(workload);
      }
    }
    byLabel.set(namespace, found);
    return found;
  };
  index = {
    all,
    inNamespace: (namespace) => byNamespace.get(namespace) ?? NONE,
    candidates(namespace, selector) {
      const inside = byNamespace.get(namespace) ?? NONE;
      if (selector.nothing || inside.length === 0) return NONE;
      let best: readonly Workload[] | undefined;
      for (const requirement of selector.requirements) {
        if (requirement.operator !== 'In' || requirement.values.size !== 1) continue;
        const [value] = requirement.values;
        const bucket = labelIndex(namespace).get(`${requirement.key}=${value}`) ?? NONE;
        if (best === undefined || bucket.length < best.length) best = bucket;
      }
      return best ?? inside;
    },
    namespaces: [...new Set(all.map((workload) => workload.namespace))],
    of: (object) => byObject.get(object),
  };
  cache.set(set, index);
  return index;
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
