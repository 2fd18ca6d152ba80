// Readers shared by the per-object checks of the compute, distribute and storage areas. They stand on
// the normalised pod view (podspec/): a wrong-typed field reads as absent, nothing here throws.
import type { FieldPath } from '../../core/index.ts';
import { asFields, asList, fieldOf, type CONTAINER_ONLY_FIELDS, type ContainerView, type PodView } from '../../podspec/index.ts';
import { DEFAULT_CHECK_OPTIONS, type Check, type CheckContext, type CheckOptions, type ScanSettings, type Violation } from '../check.ts';

const GROUP_NOUN = {
  initContainers: 'init container',
  containers: 'container',
  ephemeralContainers: 'ephemeral container',
} as const;

/** `container "app"`, `init container "setup"`, or `containers[2]` for an unnamed one. */
export function containerLabel(container: ContainerView): string {
  return container.name === ''
    ? `${container.group}[${container.index}]`
    : `${GROUP_NOUN[container.group]} ${JSON.stringify(container.name)}`;
}

/** `spec.os.name: windows`: Linux-only settings (capabilities, read-only root, UIDs) do not apply. */
export function isWindowsPod(pod: PodView): boolean {
  return fieldOf(asFields(fieldOf(pod.spec, 'os')), 'name') === 'windows';
}

/**
 * Containers that run for the pod's whole life: regular ones and sidecars (init containers with
 * `restartPolicy: Always`). Plain init containers run to completion first; ephemeral containers are
 * attached by hand for debugging and can set neither resources nor probes.
 */
export function isLongRunning(container: ContainerView): boolean {
  if (container.group === 'containers') return true;
  return container.group === 'initContainers' && fieldOf(container.raw, 'restartPolicy') === 'Always';
}

/**
 * A field that exists only at container level (`CONTAINER_ONLY_FIELDS`: privileged, capabilities,
 * readOnlyRootFilesystem…): the container's own value is its effective value, so it is read without
 * paying for the merge of the pod-level context that `effective` builds.
 */
export function containerOnly(container: ContainerView, key: (typeof CONTAINER_ONLY_FIELDS)[number]): unknown {
  return fieldOf(container.securityContext, key);
}

export function containerPath(container: ContainerView, ...keys: (string | number)[]): FieldPath {
  return [...container.path, ...keys];
}

export function specPath(pod: PodView, ...keys: (string | number)[]): FieldPath {
  return [...pod.specPath, ...keys];
}

/** One `volumes[]` entry of a pod with its index; entries that are not objects are skipped. */
export interface VolumeEntry {
  index: number;
  name: string;
  fields: Readonly<Record<string, unknown>>;
}

const NO_VOLUMES: readonly VolumeEntry[] = Object.freeze([]);

// Several checks in a row ask for the volumes of the same pod: the last answer is kept, keyed on the
// parsed list itself (objects are never mutated), so a pod's entries are built once, not per check.
let lastList: readonly unknown[] | undefined;
let lastVolumes: readonly VolumeEntry[] = NO_VOLUMES;

export function volumesOf(pod: PodView): readonly VolumeEntry[] {
  const list = asList(fieldOf(pod.spec, 'volumes'));
  if (list === undefined || list.length === 0) return NO_VOLUMES;
  if (list === lastList) return lastVolumes;
  const out: VolumeEntry[] = [];
  for (let index = 0; index < list.length; index++) {
    const fields = asFields(list[index]);
    if (fields === undefined) continue;
    const name = fieldOf(fields, 'name');
    out.push({ index, name: typeof name === 'string' ? name : '', fields });
  }
  lastList = list;
  lastVolumes = out;
  return out;
}

/** The container's `volumeMounts[]` that name `volume`, with their indexes. */
export function mountsOf(container: ContainerView, volume: string): { index: number; fields: Readonly<Record<string, unknown>> }[] {
  const list = asList(fieldOf(container.raw, 'volumeMounts'));
  const out: { index: number; fields: Readonly<Record<string, unknown>> }[] = [];
  if (list === undefined) return out;
  for (let index = 0; index < list.length; index++) {
    const fields = asFields(list[index]);
    if (fields !== undefined && fieldOf(fields, 'name') === volume) out.push({ index, fields });
  }
  return out;
}

/** The options of this run, or the defaults when the caller set none. */
export function optionsOf(context: CheckContext): CheckOptions {
  return context.settings.options ?? DEFAULT_CHECK_OPTIONS;
}

export const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

/** Appends one pod template's violations to `out`; allocates nothing when there are none. */
export type PodRule = (pod: PodView, out: Violation[], context: CheckContext) => void;

/**
 * A check's evaluate function from a per-pod rule. Objects without pod templates (most of a scan:
 * Services, RBAC, policies) return at the first test; the violations of the others are collected in
 * one reused array, so a passing object allocates nothing.
 */
export function perPod(rule: PodRule): (context: CheckContext) => readonly Violation[] {
  const scratch: Violation[] = [];
  return (context) => {
    const pods = context.pods;
    if (pods.length === 0) return NO_VIOLATIONS;
    scratch.length = 0;
    for (let i = 0; i < pods.length; i++) rule(pods[i]!, scratch, context);
    if (scratch.length === 0) return NO_VIOLATIONS;
    const found = scratch.slice();
    scratch.length = 0;
    return found;
  };
}

/** Settings for fixtures: restricted, latest, and the default options changed by `options`. */
export function fixtureSettings(options: Partial<CheckOptions>, level: ScanSettings['pss']['level'] = 'restricted'): ScanSettings {
  return { pss: { level, version: 'latest' }, options: { ...DEFAULT_CHECK_OPTIONS, ...options } };
}

/**
 * Makes a check opt-in: it reports only when the run enables it (`controls.enable`). For advisories
 * that would otherwise fire on most workloads of a typical repository and drown the rest.
 */
export function optIn(check: Check): Check {
  const id = check.id;
  const inner = check.evaluate;
  const base = check.fixtures.settings;
  return {
    ...check,
    optIn: true,
    description: `${check.description} Opt-in: reported only when \`controls.enable\` in \`.bulwark.yaml\` names it.`,
    fixtures: {
      ...check.fixtures,
      settings: {
        pss: base?.pss ?? { level: 'restricted', version: 'latest' },
        options: { ...(base?.options ?? DEFAULT_CHECK_OPTIONS), enabled: [id] },
      },
    },
    evaluate: (context) => (optionsOf(context).enabled.includes(id) ? inner.call(check, context) : NO_VIOLATIONS),
  };
}
