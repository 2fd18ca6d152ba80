// `cluster who-can` and `cluster can-i`: the live RBAC objects, indexed by src/rbac, asked the way
// `kubectl auth can-i` asks the API server. The request is parsed like kubectl's arguments:
// `VERB RESOURCE[.GROUP][/SUBRESOURCE]`, or `VERB /non/resource/url`.
import { BulwarkError, type KubeObject } from '../core/index.ts';
import { createRbacIndex, describeScope, type Decision, type GrantedRule, type RbacIndex } from '../rbac/effective.ts';
import type { Binding, Request, Role, UserInfo } from '../rbac/model.ts';
import { parseBinding, parseRole } from '../rbac/parse.ts';
import { describeSubject, serviceAccountUser } from '../rbac/subjects.ts';
import type { ClusterClient } from './client.ts';
import { collectObjects } from './collect.ts';
import type { ApiResource } from './discover.ts';

export const RBAC_RESOURCES: ReadonlySet<string> = new Set([
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterrolebindings',
]);

/** The index of what is in the cluster: its own roles (no modelled defaults: the server has the real ones). */
export function indexObjects(objects: readonly KubeObject[]): RbacIndex<KubeObject> {
  const roles: Role<KubeObject>[] = [];
  const bindings: Binding<KubeObject>[] = [];
  for (const object of objects) {
    const role = parseRole(object.raw, object);
    if (role !== undefined) {
      roles.push(role);
      continue;
    }
    const binding = parseBinding(object.raw, object);
    if (binding !== undefined) bindings.push(binding);
  }
  return createRbacIndex(roles, bindings, { builtins: false });
}

/** Reads every Role, ClusterRole and binding (cluster-wide: who-can must see them all). */
export async function loadRbacIndex(client: ClusterClient, resources: readonly ApiResource[]): Promise<RbacIndex<KubeObject>> {
  const collection = await collectObjects(client, resources, { only: RBAC_RESOURCES });
  if (collection.gaps.length > 0) {
    throw new BulwarkError('E_INPUT', `cannot read ${collection.gaps.join(', ')}: these credentials may not list RBAC objects, so no answer would be complete`);
  }
  return indexObjects(collection.objects);
}

export interface AccessQuery {
  verb: string;
  /** `pods`, `deployments.apps`, `pods/exec`, `*`, or a non-resource URL starting with `/`. */
  resource: string;
  /** '' for cluster-scoped requests, or across all namespaces. */
  namespace: string;
  name: string;
}

/**
 * The authorizer's request for a query. A resource without a group is looked up in discovery (as
 * kubectl does: plural, singular or kind), so `deployments` means `deployments.apps`.
 */
export function toRequest(query: AccessQuery, resources: readonly Pick<ApiResource, 'group' | 'resource' | 'kind'>[]): Request {
  const verb = query.verb.trim().toLowerCase();
  if (!/^[a-z*]+$/.test(verb)) throw new BulwarkError('E_USAGE', `"${query.verb}" is not a verb (get, list, create, update, patch, delete, watch, …)`);
  if (query.resource.startsWith('/')) return { verb, path: query.resource };
  const [resourcePart = '', subresource = '', extra] = query.resource.split('/');
  if (extra !== undefined || resourcePart === '') throw new BulwarkError('E_USAGE', `"${query.resource}" is not RESOURCE[.GROUP][/SUBRESOURCE]`);
  const dot = resourcePart.indexOf('.');
  let resource = dot < 0 ? resourcePart : resourcePart.slice(0, dot);
  let apiGroup = dot < 0 ? undefined : resourcePart.slice(dot + 1);
  resource = resource.toLowerCase();
  if (apiGroup === undefined && resource !== '*') {
    const match =
      resources.find((r) => r.resource === resource && r.group === '') ??
      resources.find((r) => r.resource === resource) ??
      resources.find((r) => r.kind.toLowerCase() === resource || `${r.kind.toLowerCase()}s` === resource);
    if (match === undefined) throw new BulwarkError('E_USAGE', `the server does not serve a resource "${resource}"; name it as RESOURCE.GROUP if it is not served yet`);
    resource = match.resource;
    apiGroup = match.group;
  }
  return { verb, apiGroup: apiGroup ?? '*', resource, subresource, namespace: query.namespace, name: query.name };
}

/**
 * The identity `--as` names: `system:serviceaccount:NS:NAME` (with the groups its token carries),
 * or a user, who is in `system:authenticated` plus the `--as-group`s.
 */
export function parseIdentity(as: string, groups: readonly string[] = []): UserInfo {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(as);
  if (sa !== null) {
    const user = serviceAccountUser(sa[1]!, sa[2]!);
    return { name: user.name, groups: [...new Set([...user.groups, ...groups])] };
  }
  if (as.trim() === '') throw new BulwarkError('E_USAGE', '--as needs a user name or system:serviceaccount:NAMESPACE:NAME');
  return { name: as, groups: [...new Set(['system:authenticated', ...groups])] };
}

export interface WhoCanEntry {
  subject: string;
  binding: string;
  role: string;
  scope: string;
}

/** One line per (subject, binding): who holds the permission, through what, and where. */
export function whoCanEntries(grants: readonly GrantedRule<KubeObject>[]): WhoCanEntry[] {
  const seen = new Set<string>();
  const out: WhoCanEntry[] = [];
  for (const grant of grants) {
    const { binding, subject, via } = grant.holder;
    const entry: WhoCanEntry = {
      subject: describeSubject(subject, binding.namespace, binding.kind === 'ClusterRoleBinding'),
      binding: `${binding.kind} ${binding.namespace === null ? '' : `${binding.namespace}/`}${binding.name}`,
      role: `${via.kind} ${via.namespace === null ? '' : `${via.namespace}/`}${via.name}`,
      scope: describeScope(grant.holder.scope),
    };
    const key = JSON.stringify(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.binding < b.binding ? -1 : a.binding > b.binding ? 1 : 0));
}

export function canI(index: RbacIndex<KubeObject>, user: UserInfo, request: Request): Decision<KubeObject> {
  return index.authorize(user, request);
}

export interface WhoCanResult {
  context: string;
  request: Request;
  entries: WhoCanEntry[];
}

export interface CanIResult {
  context: string;
  user: UserInfo;
  request: Request;
  allowed: boolean;
  /** Why: the bindings that allow it (empty when denied). */
  entries: WhoCanEntry[];
}

async function prepare(client: ClusterClient, query: AccessQuery): Promise<{ index: RbacIndex<KubeObject>; request: Request }> {
  const { discoverResources } = await import('./discover.ts');
  const { resources } = await discoverResources(client, `cluster://${client.context}`);
  const request = toRequest(query, resources);
  return { index: await loadRbacIndex(client, resources), request };
}

/** `cluster who-can`: every subject the live RBAC objects allow to make the request. */
export async function runWhoCan(client: ClusterClient, query: AccessQuery): Promise<WhoCanResult> {
  const { index, request } = await prepare(client, query);
  return { context: client.context, request, entries: whoCanEntries(index.whoCan(request)) };
}

/** `cluster can-i --as`: the RBAC authorizer's answer for one identity, with the grants behind it. */
export async function runCanI(client: ClusterClient, user: UserInfo, query: AccessQuery): Promise<CanIResult> {
  const { index, request } = await prepare(client, query);
  const decision = canI(index, user, request);
  return { context: client.context, user, request, allowed: decision.allowed, entries: whoCanEntries(decision.grants) };
}
