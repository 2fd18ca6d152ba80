// The security context a container really runs with. Kubernetes lets some PodSecurityContext fields
// stand in for a container that does not set them ("the value specified in SecurityContext takes
// precedence"); others exist only at one level. Checks that reason about what a process can do read
// this merged view; checks that must reproduce an admission rule field by field read the raw levels.
import type { FieldPath } from '../core/index.ts';
import { asFields, fieldOf, type Fields } from './values.ts';

export type SecurityContextLevel = 'pod' | 'container';

/** A value with the field that set it, so a finding can point at the line to change. */
export interface Sourced {
  readonly value: unknown;
  /** From the object root, e.g. `['spec','securityContext','runAsUser']`. */
  readonly path: FieldPath;
  readonly from: SecurityContextLevel;
}

/**
 * windowsOptions merges field by field (the kubelet copies each container-level sub-field over the
 * pod's), except that the two GMSA fields travel together: a container setting either replaces both.
 */
export interface EffectiveWindowsOptions {
  readonly gmsaCredentialSpecName?: Sourced;
  readonly gmsaCredentialSpec?: Sourced;
  readonly runAsUserName?: Sourced;
  readonly hostProcess?: Sourced;
}

export interface EffectiveSecurityContext {
  // Set at pod level for every container, overridden whole by the container's own value.
  readonly runAsUser?: Sourced;
  readonly runAsGroup?: Sourced;
  readonly runAsNonRoot?: Sourced;
  readonly seLinuxOptions?: Sourced;
  readonly seccompProfile?: Sourced;
  readonly appArmorProfile?: Sourced;
  readonly windowsOptions: EffectiveWindowsOptions;
  // Container-level only: the pod has no such field.
  readonly privileged?: Sourced;
  readonly allowPrivilegeEscalation?: Sourced;
  readonly capabilities?: Sourced;
  readonly procMount?: Sourced;
  readonly readOnlyRootFilesystem?: Sourced;
}

/** PodSecurityContext fields that also apply to containers. */
export const INHERITED_FIELDS = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'seLinuxOptions',
  'seccompProfile',
  'appArmorProfile',
  'windowsOptions',
] as const;

/** SecurityContext fields with no pod-level counterpart. */
export const CONTAINER_ONLY_FIELDS = [
  'privileged',
  'allowPrivilegeEscalation',
  'capabilities',
  'procMount',
  'readOnlyRootFilesystem',
] as const;

/** PodSecurityContext fields that describe the pod as a whole and are never a container's. */
export const POD_ONLY_FIELDS = [
  'fsGroup',
  'fsGroupChangePolicy',
  'supplementalGroups',
  'supplementalGroupsPolicy',
  'sysctls',
  'seLinuxChangePolicy',
] as const;

const WHOLE_VALUE_FIELDS = ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'appArmorProfile'] as const;

interface Level {
  readonly fields: Fields | undefined;
  /** Path of the securityContext object itself. */
  readonly path: FieldPath;
  readonly from: SecurityContextLevel;
}

function sourced(level: Level, key: string): Sourced | undefined {
  const value = fieldOf(level.fields, key);
  return value === undefined ? undefined : { value, path: [...level.path, key], from: level.from };
}

function sourcedIn(level: Level, parent: Fields | undefined, parentKey: string, key: string): Sourced | undefined {
  const value = fieldOf(parent, key);
  return value === undefined ? undefined : { value, path: [...level.path, parentKey, key], from: level.from };
}

// Shared by every container that sets no windowsOptions at either level (nearly all of them).
const NO_WINDOWS_OPTIONS: EffectiveWindowsOptions = Object.freeze({});

function windowsOptions(pod: Level, container: Level): EffectiveWindowsOptions {
  const podOptions = asFields(fieldOf(pod.fields, 'windowsOptions'));
  const containerOptions = asFields(fieldOf(container.fields, 'windowsOptions'));
  if (podOptions === undefined && containerOptions === undefined) return NO_WINDOWS_OPTIONS;
  const pick = (key: string): Sourced | undefined =>
    sourcedIn(container, containerOptions, 'windowsOptions', key) ?? sourcedIn(pod, podOptions, 'windowsOptions', key);
  const containerSetsGmsa =
    fieldOf(containerOptions, 'gmsaCredentialSpecName') !== undefined ||
    fieldOf(containerOptions, 'gmsaCredentialSpec') !== undefined;
  const gmsaFrom = containerSetsGmsa ? container : pod;
  const gmsaOptions = containerSetsGmsa ? containerOptions : podOptions;
  const result: {
    gmsaCredentialSpecName?: Sourced;
    gmsaCredentialSpec?: Sourced;
    runAsUserName?: Sourced;
    hostProcess?: Sourced;
  } = {};
  const name = sourcedIn(gmsaFrom, gmsaOptions, 'windowsOptions', 'gmsaCredentialSpecName');
  if (name !== undefined) result.gmsaCredentialSpecName = name;
  const spec = sourcedIn(gmsaFrom, gmsaOptions, 'windowsOptions', 'gmsaCredentialSpec');
  if (spec !== undefined) result.gmsaCredentialSpec = spec;
  const userName = pick('runAsUserName');
  if (userName !== undefined) result.runAsUserName = userName;
  const hostProcess = pick('hostProcess');
  if (hostProcess !== undefined) result.hostProcess = hostProcess;
  return result;
}

/**
 * Merges a pod-level securityContext into a container's, per field, the container winning.
 * Either side may be missing or not an object (read as empty).
 */
export function effectiveSecurityContext(
  podSecurityContext: unknown,
  podSecurityContextPath: FieldPath,
  containerSecurityContext: unknown,
  containerSecurityContextPath: FieldPath,
): EffectiveSecurityContext {
  const pod: Level = { fields: asFields(podSecurityContext), path: podSecurityContextPath, from: 'pod' };
  const container: Level = {
    fields: asFields(containerSecurityContext),
    path: containerSecurityContextPath,
    from: 'container',
  };
  const result: Record<string, Sourced | EffectiveWindowsOptions> = { windowsOptions: windowsOptions(pod, container) };
  // Indexed loops: this runs per container, and `for…of` allocated an iterator each time.
  for (let i = 0; i < WHOLE_VALUE_FIELDS.length; i++) {
    const key = WHOLE_VALUE_FIELDS[i]!;
    const value = sourced(container, key) ?? sourced(pod, key);
    if (value !== undefined) result[key] = value;
  }
  for (let i = 0; i < CONTAINER_ONLY_FIELDS.length; i++) {
    const key = CONTAINER_ONLY_FIELDS[i]!;
    const value = sourced(container, key);
    if (value !== undefined) result[key] = value;
  }
  return result as unknown as EffectiveSecurityContext;
}
