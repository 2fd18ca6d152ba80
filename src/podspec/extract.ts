// Where each workload kind keeps its pod template. Keyed on the API group as well as the kind, so a
// custom resource that happens to be called "Deployment" is not read as one.
import type { FieldPath } from '../core/index.ts';

export interface TemplateLocation {
  /** From the object root to the pod spec. */
  readonly spec: FieldPath;
  /** From the object root to the pod's metadata. */
  readonly metadata: FieldPath;
}

const POD: TemplateLocation = { spec: ['spec'], metadata: ['metadata'] };
const CONTROLLER: TemplateLocation = { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] };
const CRON_JOB: TemplateLocation = {
  spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
};
const POD_TEMPLATE: TemplateLocation = { spec: ['template', 'spec'], metadata: ['template', 'metadata'] };

// `extensions` served Deployments, ReplicaSets and DaemonSets before `apps` did; old manifests still
// use it and their pods are just as real.
const LOCATIONS: ReadonlyMap<string, TemplateLocation> = new Map([
  ['/Pod', POD],
  ['/ReplicationController', CONTROLLER],
  ['/PodTemplate', POD_TEMPLATE],
  ['apps/Deployment', CONTROLLER],
  ['apps/ReplicaSet', CONTROLLER],
  ['apps/StatefulSet', CONTROLLER],
  ['apps/DaemonSet', CONTROLLER],
  ['extensions/Deployment', CONTROLLER],
  ['extensions/ReplicaSet', CONTROLLER],
  ['extensions/DaemonSet', CONTROLLER],
  ['batch/Job', CONTROLLER],
  ['batch/CronJob', CRON_JOB],
]);

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Where the pod template of this apiVersion/kind lives, or undefined for kinds that run no pods. */
export function templateLocation(apiVersion: unknown, kind: unknown): TemplateLocation | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return LOCATIONS.get(`${apiGroup(apiVersion)}/${kind}`);
}

/** Every group/kind that carries a pod template, for documentation and tests. */
export const WORKLOAD_KINDS: readonly string[] = [...LOCATIONS.keys()];
