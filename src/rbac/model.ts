// The RBAC objects as the authorizer sees them. Generic over `S`, the thing each role or binding came
// from (a manifest's KubeObject, a live cluster's object), so every caller keeps its own provenance.
import type { Labels, Selector } from '../labels/selector.ts';

/** One `rules[]` entry; absent lists are empty, as the API server decodes them. */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/**
 * Where a role or binding lives. `null` is a manifest without `metadata.namespace` (the namespace is
 * chosen at apply time, `kubectl apply -n`): it is one namespace of its own, never "every namespace".
 */
export type Namespace = string | null;

export interface Role<S = unknown> {
  readonly kind: 'Role' | 'ClusterRole';
  /** null for ClusterRoles, and for Roles written without a namespace. */
  readonly namespace: Namespace;
  readonly name: string;
  readonly labels: Labels;
  /** The rules as written; for an aggregated ClusterRole the controller replaces them (see aggregate.ts). */
  readonly rules: readonly PolicyRule[];
  /** `aggregationRule.clusterRoleSelectors`, compiled; undefined when the role aggregates nothing. */
  readonly aggregation: readonly Selector[] | undefined;
  /** True for the defaults every cluster has (cluster-admin, admin, edit, view, …), not from the input. */
  readonly builtin: boolean;
  readonly source: S | undefined;
}

export interface Subject {
  /** `User`, `Group` or `ServiceAccount`; anything else matches nobody, as in the authorizer. */
  readonly kind: string;
  readonly name: string;
  /** For ServiceAccounts; empty means the binding's namespace. */
  readonly namespace: string;
}

export interface RoleRef {
  readonly kind: string;
  readonly name: string;
}

export interface Binding<S = unknown> {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** null for ClusterRoleBindings and for RoleBindings written without a namespace. */
  readonly namespace: Namespace;
  readonly name: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  readonly source: S | undefined;
}

/** An authenticated identity, as the authenticator hands it to the authorizer. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** A request for an API resource (`kubectl auth can-i create pods/exec -n shop`). */
export interface ResourceRequest {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  /** '' when none. */
  readonly subresource: string;
  /** '' for cluster-scoped requests and requests across all namespaces; null: the manifest's own namespace. */
  readonly namespace: Namespace;
  /** '' when the request names no object (list, create, …). */
  readonly name: string;
}

/** A request for a non-resource URL (`/healthz`, `/metrics`). */
export interface NonResourceRequest {
  readonly verb: string;
  readonly path: string;
}

export type Request = ResourceRequest | NonResourceRequest;

export function isResourceRequest(request: Request): request is ResourceRequest {
  return 'resource' in request;
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
