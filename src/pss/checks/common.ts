// Small readers shared by the Pod Security Standards checks. They mirror how the API server decodes a
// pod: an explicit null is an unset pointer, a wrong-typed value never makes a check throw.
import type { FieldPath } from '../../core/index.ts';
import type { PodRule } from '../definition.ts';
import { asFields, fieldOf, type ContainerView, type PodView } from '../../podspec/index.ts';

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

/** A field of the container's securityContext (undefined when unset or null). */
export function containerSetting(container: ContainerView, key: string): unknown {
  return fieldOf(container.securityContext, key);
}

/** A field of the pod-level securityContext. */
export function podSetting(pod: PodView, key: string): unknown {
  return fieldOf(pod.securityContext, key);
}

export function containerSettingPath(container: ContainerView, ...keys: (string | number)[]): FieldPath {
  return [...container.path, 'securityContext', ...keys];
}

export function podSettingPath(pod: PodView, ...keys: (string | number)[]): FieldPath {
  return [...pod.specPath, 'securityContext', ...keys];
}

/** `spec.os.name: windows`: the checks of Linux-only controls admit such pods from v1.25. */
export function isWindowsPod(pod: PodView): boolean {
  return fieldOf(asFields(fieldOf(pod.spec, 'os')), 'name') === 'windows';
}

/** `spec.hostUsers: false` runs the pod in a user namespace, which relaxes some checks from v1.35. */
export function isUserNamespacePod(pod: PodView): boolean {
  return fieldOf(pod.spec, 'hostUsers') === false;
}

/**
 * The v1.35 revision of a check that admits pods in their own user namespace: there UID 0 and an
 * unmasked /proc are not the node's.
 */
export function outsideUserNamespaces(rule: PodRule): PodRule {
  return (pod, out) => {
    if (!isUserNamespacePod(pod)) rule(pod, out);
  };
}
