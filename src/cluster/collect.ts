// Reading the cluster's objects: every listable resource type (but the high-volume ones no control
// reads), page by page, as KubeObjects whose source is the cluster. A type the credentials may not
// list, or that vanished since discovery, becomes a coverage-gap diagnostic, never a failed scan.
import type { Diagnostic, KubeObject, PositionLocator } from '../core/index.ts';
import { BulwarkError } from '../core/index.ts';
import { ApiError, type ClusterClient } from './client.ts';
import type { ApiResource } from './discover.ts';

/** Types that are events, heartbeats or derived state: large, and no control reads them. */
const SKIPPED = new Set([
  '/events',
  'events.k8s.io/events',
  '/endpoints',
  'discovery.k8s.io/endpointslices',
  'coordination.k8s.io/leases',
  'coordination.k8s.io/leasecandidates',
  'apps/controllerrevisions',
  '/componentstatuses',
  'apiextensions.k8s.io/customresourcedefinitions',
  'apiregistration.k8s.io/apiservices',
  'flowcontrol.apiserver.k8s.io/flowschemas',
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
  'internal.apiserver.k8s.io/storageversions',
  'resource.k8s.io/resourceslices',
]);

/** Read cluster-wide even under `-n`: RBAC analysis needs every binding, pods need their ServiceAccounts. */
const ALWAYS_CLUSTER_WIDE = new Set(['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/rolebindings', '/serviceaccounts', '/namespaces']);

export interface CollectOptions {
  /** Read namespaced resources of this namespace only. */
  namespace?: string;
  /** Items per page (default 500). */
  pageSize?: number;
  /** Concurrent list calls (default 4); the client's QPS bound applies on top. */
  concurrency?: number;
  /** Stop with E_TOO_LARGE past this many objects (default 500,000). */
  maxObjects?: number;
  onProgress?: (done: number, total: number) => void;
  /** Only these resource keys (`group/resource`); default: every listable one but the skipped. */
  only?: ReadonlySet<string>;
}

export interface Collection {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  /** Resource types read, and those that could not be (coverage gaps). */
  listed: string[];
  gaps: string[];
}

export function resourceKey(resource: Pick<ApiResource, 'group' | 'resource'>): string {
  return `${resource.group}/${resource.resource}`;
}

/** No positions in an API answer: every field is at 0:0, which reports print as "no line". */
export const NO_POSITIONS: PositionLocator = Object.freeze({ locate: () => ({ line: 0, column: 0 }) });

export function clusterFile(context: string): string {
  return `cluster://${context}`;
}

export async function collectObjects(client: ClusterClient, resources: readonly ApiResource[], options: CollectOptions = {}): Promise<Collection> {
  const file = clusterFile(client.context);
  const wanted = resources.filter((r) => r.verbs.includes('list') && (options.only === undefined ? !SKIPPED.has(resourceKey(r)) : options.only.has(resourceKey(r))));
  const pageSize = options.pageSize ?? 500;
  const maxObjects = options.maxObjects ?? 500_000;
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const listed: string[] = [];
  const gaps: string[] = [];
  let done = 0;
  let next = 0;
  options.onProgress?.(0, wanted.length);
  const worker = async () => {
    while (next < wanted.length) {
      const resource = wanted[next++]!;
      const key = resourceKey(resource);
      const prefix = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
      const scoped = resource.namespaced && options.namespace !== undefined && !ALWAYS_CLUSTER_WIDE.has(key);
      const path = scoped ? `${prefix}/namespaces/${encodeURIComponent(options.namespace!)}/${resource.resource}` : `${prefix}/${resource.resource}`;
      const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
      try {
        let token: string | undefined;
        do {
          const query = `?limit=${pageSize}${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`;
          const page = (await client.get(path + query)) as { items?: unknown; metadata?: { continue?: unknown } };
          const items = Array.isArray(page?.items) ? page.items : [];
          for (const item of items) {
            const object = toKubeObject(item, apiVersion, resource.kind, file);
            if (object !== undefined) objects.push(object);
          }
          if (objects.length > maxObjects) throw new BulwarkError('E_TOO_LARGE', `the cluster holds more than ${maxObjects} objects to scan; narrow it with -n`);
          const cont = page?.metadata?.continue;
          token = typeof cont === 'string' && cont.length > 0 ? cont : undefined;
        } while (token !== undefined);
        listed.push(key);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 403 || error.status === 404 || error.status === 405 || error.status === 503)) {
          gaps.push(key);
          const why = error.status === 403 ? 'forbidden for these credentials' : error.status === 404 ? 'not served any more' : `unavailable (${error.status})`;
          diagnostics.push({ level: 'warning', code: 'E_INPUT', message: `coverage gap: cannot list ${key || resource.resource} (${resource.kind}): ${why}`, location: { file } });
        } else throw error;
      }
      options.onProgress?.(++done, wanted.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, Math.max(1, wanted.length)) }, worker));
  listed.sort();
  gaps.sort();
  return { objects, diagnostics, listed, gaps };
}

/**
 * One list item as the scan sees it. Lists leave out each item's apiVersion and kind; they are put
 * back. managedFields (bulky, never read) are dropped, and Secret values are blanked at once so
 * no secret ever reaches a finding, a log or the heap longer than one page.
 */
export function toKubeObject(item: unknown, apiVersion: string, kind: string, file: string): KubeObject | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const raw: Record<string, unknown> = { apiVersion, kind, ...(item as Record<string, unknown>) };
  const metadata = raw['metadata'] !== null && typeof raw['metadata'] === 'object' ? { ...(raw['metadata'] as Record<string, unknown>) } : {};
  delete metadata['managedFields'];
  raw['metadata'] = metadata;
  if (kind === 'Secret' && apiVersion === 'v1') {
    for (const field of ['data', 'stringData']) {
      const values = raw[field];
      if (values !== null && typeof values === 'object') raw[field] = Object.fromEntries(Object.keys(values).map((k) => [k, '']));
    }
  }
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : null;
  return { apiVersion, kind, namespace, name, raw, source: { kind: 'cluster', file, document: 0, line: 0, column: 0 }, positions: NO_POSITIONS };
}
