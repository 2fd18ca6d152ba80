import type { KubeObject } from '../core/index.ts';
import type { ObjectSet } from '../checks/check.ts';
import { podViews, type PodView } from '../podspec/index.ts';

const NONE: readonly KubeObject[] = Object.freeze([]);

/**
 * Indexes objects by kind once; identities are indexed per kind on the first lookup of that kind
 * (checks look up ServiceAccounts and Namespaces, not the thousands of workloads), and pod views are
 * built on first use and kept.
 */
export function createObjectSet(objects: readonly KubeObject[]): ObjectSet {
  const byKind = new Map<string, KubeObject[]>();
  for (const object of objects) {
    let list = byKind.get(object.kind);
    if (list === undefined) byKind.set(object.kind, (list = []));
    list.push(object);
  }
  const identities = new Map<string, Map<string, KubeObject>>();
  const identitiesOf = (kind: string): Map<string, KubeObject> => {
    let index = identities.get(kind);
    if (index !== undefined) return index;
    index = new Map();
    // The last definition wins, as applying the whole stream would leave it.
    for (const object of byKind.get(kind) ?? NONE) index.set(identity(object.namespace, object.name), object);
    identities.set(kind, index);
    return index;
  };
  const views = new WeakMap<KubeObject, readonly PodView[]>();
  return {
    objects,
    ofKind: (kind) => byKind.get(kind) ?? NONE,
    find: (kind, namespace, name) => identitiesOf(kind).get(identity(namespace, name)),
    pods(object) {
      let found = views.get(object);
      if (found === undefined) views.set(object, (found = podViews(object.raw)));
      return found;
    },
  };
}

function identity(namespace: string | null, name: string): string {
  return `${namespace ?? ''}\u0000${name}`;
}
