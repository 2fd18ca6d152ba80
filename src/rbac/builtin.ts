// The default ClusterRoles every cluster creates at start-up (the API server's bootstrap policy), for
// the roles manifests bind without defining: cluster-admin, admin, edit, view and the aggregation
// sources behind the last three. Other `system:` roles exist too; their rules are not modelled, so a
// binding to one resolves to "exists, rules unknown" rather than to a missing role.
import { EMPTY_LABELS, type Selector } from '../labels/selector.ts';
import type { PolicyRule, Role } from './model.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function rule(apiGroups: string[], resources: string[], verbs: string[], resourceNames: string[] = []): PolicyRule {
  return { apiGroups, resources, verbs, resourceNames, nonResourceURLs: [] };
}

function urls(nonResourceURLs: string[], verbs: string[]): PolicyRule {
  return { apiGroups: [], resources: [], verbs, resourceNames: [], nonResourceURLs };
}

function aggregatesLabel(label: string): Selector {
  return { kind: 'selector', requirements: [{ key: label, operator: 'In', values: new Set(['true']) }], everything: false, nothing: false };
}

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregation?: Selector[]): Role<never> {
  return {
    kind: 'ClusterRole',
    namespace: null,
    name,
    labels: Object.keys(labels).length === 0 ? EMPTY_LABELS : labels,
    rules,
    aggregation,
    builtin: true,
    source: undefined,
  };
}

const TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

/** Bootstrap ClusterRoles, as of Kubernetes 1.30–1.34 (the user-facing ones and their sources). */
export const BUILTIN_CLUSTER_ROLES: readonly Role<never>[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('admin', [], {}, [aggregatesLabel(TO_ADMIN)]),
  clusterRole('edit', [], { [TO_ADMIN]: 'true' }, [aggregatesLabel(TO_EDIT)]),
  clusterRole('view', [], { [TO_EDIT]: 'true' }, [aggregatesLabel(TO_VIEW)]),
  clusterRole(
    'system:aggregate-to-admin',
    [
      rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
      rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], READ_WRITE),
    ],
    { [TO_ADMIN]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-edit',
    [
      rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
      rule([''], ['serviceaccounts'], ['impersonate']),
      rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
      rule([''], ['pods/eviction'], ['create']),
      rule(
        [''],
        ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'],
        WRITE,
      ),
      rule([''], ['serviceaccounts/token'], ['create']),
      rule(
        ['apps'],
        ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'],
        WRITE,
      ),
      rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
      rule(['batch'], ['cronjobs', 'jobs'], WRITE),
      rule(
        ['extensions'],
        ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'],
        WRITE,
      ),
      rule(['policy'], ['poddisruptionbudgets'], WRITE),
      rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
      rule(['coordination.k8s.io'], ['leases'], READ_WRITE),
    ],
    { [TO_EDIT]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-view',
    [
      rule(
        [''],
        ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'],
        READ,
      ),
      rule(
        [''],
        ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'],
        READ,
      ),
      rule([''], ['namespaces'], READ),
      rule(['discovery.k8s.io'], ['endpointslices'], READ),
      rule(
        ['apps'],
        ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'],
        READ,
      ),
      rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
      rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
      rule(
        ['extensions'],
        ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'],
        READ,
      ),
      rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
      rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
    ],
    { [TO_VIEW]: 'true' },
  ),
  clusterRole('system:public-info-viewer', [urls(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])]),
  clusterRole('system:discovery', [
    urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get']),
  ]),
  clusterRole('system:basic-user', [
    rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
    rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
  ]),
];

/**
 * Whether a ClusterRole of this name exists in every cluster without being written down: the modelled
 * defaults above, and every `system:` role (controllers, nodes, kubeadm's own, …).
 */
export function isBuiltinClusterRoleName(name: string): boolean {
  return name.startsWith('system:') || BUILTIN_CLUSTER_ROLES.some((role) => role.name === name);
}

/**
 * Roles (namespaced) that clusters create by default; kube-system and kube-public hold a few
 * (`extension-apiserver-authentication-reader`, `system:controller:bootstrap-signer`, kubeadm's).
 */
export function isBuiltinRoleName(namespace: string | null, name: string): boolean {
  if (namespace !== 'kube-system' && namespace !== 'kube-public') return false;
  return name.startsWith('system:') || name.startsWith('kubeadm:') || name === 'extension-apiserver-authentication-reader';
}

/**
 * Whether an RBAC object is one the API server's bootstrap policy creates in every cluster (labelled
 * `kubernetes.io/bootstrapping: rbac-defaults`): discovery and self-review grants to every identity, the
 * controllers' own roles. Live audits judge what someone added, not the platform's defaults.
 */
export function isBootstrapPolicy(object: { readonly apiVersion: string; readonly raw: Readonly<Record<string, unknown>> }): boolean {
  if (!object.apiVersion.startsWith('rbac.authorization.k8s.io/')) return false;
  const metadata = object.raw['metadata'];
  const labels = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['labels'] : undefined;
  return typeof labels === 'object' && labels !== null && (labels as Record<string, unknown>)['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}
