import type { KubeObject } from '../core/index.ts';
import type { ObjectSet } from '../checks/check.ts';
import { podViews, type PodView } from '../podspec/index.ts';

const NONE: readonly KubeObject[] = Object.freeze([]);

/** Indexes objects by kind and identity once; pod views are built on first use and kept. */
export function createObjectSet(objects: readonly KubeObject[]): ObjectSet {
  const byKind = new Map<string, KubeObject[]>();
  const byIdentity = new Map<string, KubeObject>();
  for (const object of objects) {
    let list = byKind.get(object.kind);
    if (list === undefined) byKind.set(object.kind, (list = []));
    list.push(object);
    const key = identity(object.kind, object.namespace, object.name);
    // The last definition wins, as applying the whole stream would leave it.
    byIdentity.set(key, object);
  }
  const views = new WeakMap<KubeObject, readonly PodView[]>();
  return {
    objects,
    ofKind: (kind) => byKind.get(kind) ?? NONE,
    find: (kind, namespace, name) => byIdentity.get(identity(kind, namespace, name)),
    pods(object) {
      let found = views.get(object);
      if (found === undefined) views.set(object, (found = podViews(object.raw)));
      return found;
    },
  };
}

function identity(kind: string, namespace: string | null, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}
