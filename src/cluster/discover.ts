// API discovery: which resource types the server serves, at its preferred version, so that listing
// follows the cluster (CRDs, removed betas) instead of a fixed table.
import type { ClusterClient } from './client.ts';
import { ApiError } from './client.ts';
import type { Diagnostic } from '../core/index.ts';

export interface ApiResource {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural, lower case: `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

export interface Discovery {
  resources: ApiResource[];
  diagnostics: Diagnostic[];
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Resources of one `APIResourceList` (subresources such as `pods/log` are left out). */
export function parseResourceList(group: string, version: string, body: unknown): ApiResource[] {
  const out: ApiResource[] = [];
  for (const item of list(record(body)?.['resources'])) {
    const r = record(item);
    const name = r?.['name'];
    const kind = r?.['kind'];
    if (typeof name !== 'string' || name.includes('/') || typeof kind !== 'string') continue;
    out.push({
      group,
      version,
      resource: name,
      kind,
      namespaced: r?.['namespaced'] === true,
      verbs: list(r?.['verbs']).filter((v): v is string => typeof v === 'string'),
    });
  }
  return out;
}

/** Every resource the server serves, each at its group's preferred version. */
export async function discoverResources(client: ClusterClient, location: string): Promise<Discovery> {
  const diagnostics: Diagnostic[] = [];
  const versions: { group: string; version: string; path: string }[] = [{ group: '', version: 'v1', path: '/api/v1' }];
  const groups = record(await client.get('/apis'));
  for (const item of list(groups?.['groups'])) {
    const g = record(item);
    const name = g?.['name'];
    const preferred = record(g?.['preferredVersion'])?.['version'];
    if (typeof name !== 'string' || typeof preferred !== 'string') continue;
    versions.push({ group: name, version: preferred, path: `/apis/${name}/${preferred}` });
  }
  const answers = await Promise.all(
    versions.map(async (v) => {
      try {
        return parseResourceList(v.group, v.version, await client.get(v.path));
      } catch (error) {
        // An aggregated API whose backend is down answers 503: a gap in coverage, not a failed scan.
        if (error instanceof ApiError) {
          diagnostics.push({ level: 'warning', code: 'E_TOOL_FAILED', message: `discovery of ${v.path} failed (${error.status}): its resources are not scanned`, location: { file: location } });
          return [];
        }
        throw error;
      }
    }),
  );
  return { resources: answers.flat(), diagnostics };
}
