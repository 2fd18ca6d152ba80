// The control plane as a live cluster shows it: the component pods kubeadm (and most installers that
// run the control plane on nodes) write as static pods, which the kubelet mirrors into kube-system
// with `component: kube-apiserver` (…-controller-manager, -scheduler, etcd) and `tier: control-plane`
// labels; or, for self-hosted control planes (bootkube, Typhoon), DaemonSets and Deployments of
// kube-system labelled `tier: control-plane` / `k8s-app: kube-apiserver`. Managed clusters (EKS, GKE,
// AKS) show none. Also: where a file a component names on its command line comes from, through the
// pod's volumes (a ConfigMap, a Secret — self-hosted only: the API refuses both to mirror pods — or the
// node's disk).
import type { KubeObject } from '../core/index.ts';
import { invocations, type Invocation } from '../checks/access/control-plane/component.ts';
import { effective } from '../checks/access/control-plane/flag-check.ts';
import { asFields, asList, fieldOf, podViews, type PodView } from '../podspec/index.ts';

const COMPONENTS = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']);
export const CONTROL_PLANE_NAMESPACE = 'kube-system';

function labelled(labels: Readonly<Record<string, string>>): { component: string | undefined; controlPlane: boolean } {
  const component = [labels['component'], labels['k8s-app']].find((value) => value !== undefined && COMPONENTS.has(value));
  return { component, controlPlane: component !== undefined || labels['tier'] === 'control-plane' };
}

function labelsOf(object: KubeObject, view: PodView | undefined): Readonly<Record<string, string>> {
  const own = asFields(fieldOf(asFields(object.raw['metadata']), 'labels')) ?? {};
  const strings = Object.fromEntries(Object.entries(own).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  return { ...(view?.metadata.labels ?? {}), ...strings };
}

/**
 * Pods and workloads of kube-system labelled as a control-plane component (`component`, `k8s-app`,
 * or `tier: control-plane`), on the object or its pod template.
 */
export function controlPlanePods(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((object) => {
    if (object.namespace !== CONTROL_PLANE_NAMESPACE) return false;
    const views = podViews(object.raw);
    if (views.length === 0) return false;
    return labelled(labelsOf(object, views[0])).controlPlane;
  });
}

export interface ApiServerPod {
  pod: KubeObject;
  /** The kube-apiserver command of its containers; undefined when the label says so but no container runs it. */
  invocation: Invocation | undefined;
  /** The pod (template) spec its volumes are read from. */
  spec: Readonly<Record<string, unknown>>;
}

/** The objects among `pods` labelled kube-apiserver or running it. */
export function apiServerPods(pods: readonly KubeObject[]): ApiServerPod[] {
  const found: ApiServerPod[] = [];
  for (const pod of pods) {
    const views = podViews(pod.raw);
    const invocation = invocations(views).find((i) => i.component === 'kube-apiserver');
    if (invocation !== undefined || labelled(labelsOf(pod, views[0])).component === 'kube-apiserver') found.push({ pod, invocation, spec: views[0]?.spec ?? {} });
  }
  return found;
}

/** A file the component reads: from a ConfigMap or Secret key, from the node's disk, or from the image. */
export type FileSource =
  | { kind: 'configmap' | 'secret'; namespace: string; name: string; key: string }
  | { kind: 'host'; path: string }
  /** In the image, or on a volume whose content the API does not show (emptyDir, a claim, CSI). */
  | { kind: 'elsewhere'; path: string; where: string };

export function describeSource(source: FileSource): string {
  switch (source.kind) {
    case 'configmap':
      return `ConfigMap ${source.namespace}/${source.name} key ${source.key}`;
    case 'secret':
      return `Secret ${source.namespace}/${source.name} key ${source.key}`;
    case 'host':
      return `the node's file ${source.path} (hostPath volume)`;
    case 'elsewhere':
      return `${source.path} ${source.where}`;
  }
}

/** The value of a flag naming a file, and where that file comes from. */
export function flagFile(server: ApiServerPod, flag: string): { path: string; source: FileSource } | undefined {
  if (server.invocation === undefined) return undefined;
  const value = effective(server.invocation, flag)?.value;
  if (value === undefined || value === '') return undefined;
  return { path: value, source: resolveFile(server.spec, server.pod.namespace ?? CONTROL_PLANE_NAMESPACE, server.invocation.container.raw, value) };
}

/** Joins POSIX paths without `..` tricks: a path with `..` segments names no volume key. */
function relativeTo(mountPath: string, path: string): string | undefined {
  const base = mountPath.replace(/\/+$/, '');
  if (path === base) return '';
  if (!path.startsWith(`${base}/`)) return undefined;
  return path.slice(base.length + 1);
}

/** Which key of a ConfigMap/Secret volume (or projected source) holds `relative`, honouring `items`. */
function keyFor(volumeSource: Readonly<Record<string, unknown>> | undefined, relative: string): string | undefined {
  const items = asList(fieldOf(volumeSource, 'items'));
  if (items === undefined) return relative.includes('/') || relative === '' ? undefined : relative;
  for (const item of items) {
    const entry = asFields(item);
    if (fieldOf(entry, 'path') === relative && typeof fieldOf(entry, 'key') === 'string') return fieldOf(entry, 'key') as string;
  }
  return undefined;
}

/**
 * Follows the container's volumeMounts (the deepest mount containing the path wins, as in the
 * container's filesystem) to the pod volume that provides `path`.
 */
export function resolveFile(spec: Readonly<Record<string, unknown>>, namespace: string, container: Readonly<Record<string, unknown>>, path: string): FileSource {
  if (path.split('/').includes('..')) return { kind: 'elsewhere', path, where: '(a path with "..", not followed)' };
  let best: { mountPath: string; volume: string; subPath: string } | undefined;
  for (const mount of asList(fieldOf(container, 'volumeMounts')) ?? []) {
    const fields = asFields(mount);
    const mountPath = fieldOf(fields, 'mountPath');
    const volume = fieldOf(fields, 'name');
    if (typeof mountPath !== 'string' || typeof volume !== 'string') continue;
    if (relativeTo(mountPath, path) === undefined) continue;
    if (best === undefined || mountPath.length > best.mountPath.length) {
      const subPath = fieldOf(fields, 'subPath');
      best = { mountPath, volume, subPath: typeof subPath === 'string' ? subPath.replace(/^\/+|\/+$/g, '') : '' };
    }
  }
  if (best === undefined) return { kind: 'elsewhere', path, where: 'inside the container image (on no volume)' };
  const inMount = relativeTo(best.mountPath, path)!;
  const relative = [best.subPath, inMount].filter((s) => s !== '').join('/');
  const volumes = asList(fieldOf(spec, 'volumes')) ?? [];
  const volume = volumes.map(asFields).find((v) => fieldOf(v, 'name') === best.volume);
  const hostPath = asFields(fieldOf(volume, 'hostPath'));
  if (hostPath !== undefined) {
    const root = fieldOf(hostPath, 'path');
    return { kind: 'host', path: typeof root === 'string' ? [root.replace(/\/+$/, ''), relative].filter((s) => s !== '').join('/') : path };
  }
  const configMap = asFields(fieldOf(volume, 'configMap'));
  const secret = asFields(fieldOf(volume, 'secret'));
  if (configMap !== undefined || secret !== undefined) {
    const source = (configMap ?? secret)!;
    const name = fieldOf(source, configMap !== undefined ? 'name' : 'secretName');
    const key = keyFor(source, relative);
    if (typeof name === 'string' && key !== undefined) return { kind: configMap !== undefined ? 'configmap' : 'secret', namespace, name, key };
    return { kind: 'elsewhere', path, where: `on volume ${best.volume}, which maps no key to it` };
  }
  for (const projected of asList(fieldOf(asFields(fieldOf(volume, 'projected')), 'sources')) ?? []) {
    for (const kind of ['configMap', 'secret'] as const) {
      const source = asFields(fieldOf(asFields(projected), kind));
      const name = fieldOf(source, 'name');
      if (source === undefined || typeof name !== 'string') continue;
      // Without items a source offers every key it has; which one has this key only its data tells,
      // so the first source that can hold it is taken.
      const key = keyFor(source, relative);
      if (key !== undefined) return { kind: kind === 'configMap' ? 'configmap' : 'secret', namespace, name, key };
    }
  }
  const type = volume === undefined ? undefined : Object.keys(volume).find((k) => k !== 'name');
  return { kind: 'elsewhere', path, where: `on volume ${best.volume}${type === undefined ? '' : ` (${type})`}, whose content the API does not show` };
}
