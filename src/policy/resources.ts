// Kind → resource: admission rules name resources (`deployments`), manifests name kinds
// (`Deployment`). Built-in kinds come from the table below (as the API server's discovery lists
// them), custom resources from CustomResourceDefinitions found among the inputs (their declared
// plural and scope, as the API server uses), and anything else from the API machinery's own
// guess (lowercase kind, `s`/`es`/`ies` plural) — assumed namespaced, documented as a fallback.
import type { KubeObject } from '../core/index.ts';

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  /** Where the mapping came from. */
  source: 'builtin' | 'crd' | 'guess';
}

type Entry = [group: string, kind: string, resource: string, namespaced: boolean];

const BUILTIN: readonly Entry[] = [
  ['', 'Binding', 'bindings', true],
  ['', 'ComponentStatus', 'componentstatuses', false],
  ['', 'ConfigMap', 'configmaps', true],
  ['', 'Endpoints', 'endpoints', true],
  ['', 'Event', 'events', true],
  ['', 'LimitRange', 'limitranges', true],
  ['', 'Namespace', 'namespaces', false],
  ['', 'Node', 'nodes', false],
  ['', 'PersistentVolume', 'persistentvolumes', false],
  ['', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['', 'Pod', 'pods', true],
  ['', 'PodTemplate', 'podtemplates', true],
  ['', 'ReplicationController', 'replicationcontrollers', true],
  ['', 'ResourceQuota', 'resourcequotas', true],
  ['', 'Secret', 'secrets', true],
  ['', 'Service', 'services', true],
  ['', 'ServiceAccount', 'serviceaccounts', true],
  ['admissionregistration.k8s.io', 'MutatingAdmissionPolicy', 'mutatingadmissionpolicies', false],
  ['admissionregistration.k8s.io', 'MutatingAdmissionPolicyBinding', 'mutatingadmissionpolicybindings', false],
  ['admissionregistration.k8s.io', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false],
  ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false],
  ['admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false],
  ['apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false],
  ['apiregistration.k8s.io', 'APIService', 'apiservices', false],
  ['apps', 'ControllerRevision', 'controllerrevisions', true],
  ['apps', 'DaemonSet', 'daemonsets', true],
  ['apps', 'Deployment', 'deployments', true],
  ['apps', 'ReplicaSet', 'replicasets', true],
  ['apps', 'StatefulSet', 'statefulsets', true],
  ['autoscaling', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['batch', 'CronJob', 'cronjobs', true],
  ['batch', 'Job', 'jobs', true],
  ['certificates.k8s.io', 'CertificateSigningRequest', 'certificatesigningrequests', false],
  ['certificates.k8s.io', 'ClusterTrustBundle', 'clustertrustbundles', false],
  ['coordination.k8s.io', 'Lease', 'leases', true],
  ['discovery.k8s.io', 'EndpointSlice', 'endpointslices', true],
  ['events.k8s.io', 'Event', 'events', true],
  ['extensions', 'DaemonSet', 'daemonsets', true],
  ['extensions', 'Deployment', 'deployments', true],
  ['extensions', 'Ingress', 'ingresses', true],
  ['extensions', 'NetworkPolicy', 'networkpolicies', true],
  ['extensions', 'PodSecurityPolicy', 'podsecuritypolicies', false],
  ['extensions', 'ReplicaSet', 'replicasets', true],
  ['flowcontrol.apiserver.k8s.io', 'FlowSchema', 'flowschemas', false],
  ['flowcontrol.apiserver.k8s.io', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', false],
  ['networking.k8s.io', 'IPAddress', 'ipaddresses', false],
  ['networking.k8s.io', 'Ingress', 'ingresses', true],
  ['networking.k8s.io', 'IngressClass', 'ingressclasses', false],
  ['networking.k8s.io', 'NetworkPolicy', 'networkpolicies', true],
  ['networking.k8s.io', 'ServiceCIDR', 'servicecidrs', false],
  ['node.k8s.io', 'RuntimeClass', 'runtimeclasses', false],
  ['policy', 'PodDisruptionBudget', 'poddisruptionbudgets', true],
  ['policy', 'PodSecurityPolicy', 'podsecuritypolicies', false],
  ['rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['rbac.authorization.k8s.io', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', true],
  ['resource.k8s.io', 'DeviceClass', 'deviceclasses', false],
  ['resource.k8s.io', 'ResourceClaim', 'resourceclaims', true],
  ['resource.k8s.io', 'ResourceClaimTemplate', 'resourceclaimtemplates', true],
  ['resource.k8s.io', 'ResourceSlice', 'resourceslices', false],
  ['scheduling.k8s.io', 'PriorityClass', 'priorityclasses', false],
  ['storage.k8s.io', 'CSIDriver', 'csidrivers', false],
  ['storage.k8s.io', 'CSINode', 'csinodes', false],
  ['storage.k8s.io', 'CSIStorageCapacity', 'csistoragecapacities', true],
  ['storage.k8s.io', 'StorageClass', 'storageclasses', false],
  ['storage.k8s.io', 'VolumeAttachment', 'volumeattachments', false],
  ['storage.k8s.io', 'VolumeAttributesClass', 'volumeattributesclasses', false],
];

/**
 * Groups whose resources moved: with matchPolicy Equivalent, a rule for `deployments` in
 * `extensions` also matches `apps` Deployments, as the API server's equivalence table says.
 */
export const EQUIVALENT_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'apps/deployments': ['extensions'],
  'apps/daemonsets': ['extensions'],
  'apps/replicasets': ['extensions'],
  'extensions/deployments': ['apps'],
  'extensions/daemonsets': ['apps'],
  'extensions/replicasets': ['apps'],
  'networking.k8s.io/networkpolicies': ['extensions'],
  'networking.k8s.io/ingresses': ['extensions'],
  'extensions/networkpolicies': ['networking.k8s.io'],
  'extensions/ingresses': ['networking.k8s.io'],
  'policy/podsecuritypolicies': ['extensions'],
  'extensions/podsecuritypolicies': ['policy'],
};

const builtin = new Map<string, { resource: string; namespaced: boolean }>(BUILTIN.map(([group, kind, resource, namespaced]) => [`${group}/${kind}`, { resource, namespaced }]));

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The API machinery's UnsafeGuessKindToResource. */
export function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular === '') return singular;
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

export class ResourceMapper {
  private readonly custom = new Map<string, { resource: string; namespaced: boolean }>();
  /** Answers by apiVersion, then kind: a scan asks the same few questions for every object. */
  private readonly described = new Map<string, Map<string, ResourceInfo>>();

  /** Learns the custom resources the CustomResourceDefinitions among `objects` declare. */
  constructor(objects: Iterable<KubeObject>) {
    for (const object of objects) {
      if (object.kind !== 'CustomResourceDefinition' || !object.apiVersion.startsWith('apiextensions.k8s.io/')) continue;
      const spec = record(object.raw.spec);
      const names = record(spec?.names);
      const group = spec?.group;
      const kind = names?.kind;
      const plural = names?.plural;
      if (typeof group !== 'string' || typeof kind !== 'string' || typeof plural !== 'string' || plural === '') continue;
      this.custom.set(`${group}/${kind}`, { resource: plural.toLowerCase(), namespaced: spec?.scope !== 'Cluster' });
    }
  }

  /** The resource of a kind; the answer is shared, and must not be changed. */
  describe(apiVersion: string, kind: string): ResourceInfo {
    let byKind = this.described.get(apiVersion);
    if (byKind === undefined) {
      if (this.described.size >= 1024) this.described.clear();
      this.described.set(apiVersion, (byKind = new Map()));
    }
    let info = byKind.get(kind);
    if (info === undefined) {
      // Bounded by the kinds of a policy set's inputs; a long-lived webhook mapper stays small too.
      if (byKind.size >= 1024) byKind.clear();
      byKind.set(kind, (info = this.lookUp(apiVersion, kind)));
    }
    return info;
  }

  private lookUp(apiVersion: string, kind: string): ResourceInfo {
    const { group, version } = splitApiVersion(apiVersion);
    const key = `${group}/${kind}`;
    const crd = this.custom.get(key);
    if (crd !== undefined) return { group, version, kind, ...crd, source: 'crd' };
    const known = builtin.get(key);
    if (known !== undefined) return { group, version, kind, ...known, source: 'builtin' };
    return { group, version, kind, resource: guessResource(kind), namespaced: true, source: 'guess' };
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
