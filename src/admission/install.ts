// `bulwark admission install`: the manifests that run the webhook safely in the cluster it protects.
// Safety comes from what is left out of the webhook's reach (the control plane's namespaces and its
// own), from short timeouts, and from a failure policy chosen per webhook (see docs/admission.md).
import { loadAll } from 'js-yaml';
import { webhookCertificates } from './certificates.ts';

export interface InstallOptions {
  namespace: string;
  replicas: number;
  image: string;
  /** Also register the mutating webhook (digest pinning, securityContext defaults). */
  mutate: boolean;
  /** The admission configuration (YAML text) placed in the ConfigMap. */
  configYaml?: string;
  /** ValidatingAdmissionPolicies and bindings (YAML stream) shipped beside it as `policies.yaml`. */
  policiesYaml?: string;
  certificateDays?: number;
}

export const NAME = 'bulwark-admission';
const PORT = 8443;
const CONTROL_PLANE_NAMESPACES = ['kube-system', 'kube-node-lease'];

/** One rule of a webhook registration (admissionregistration.k8s.io/v1 RuleWithOperations). */
export interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope?: string;
}

function strings(value: unknown, allowEmpty = false): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => typeof item === 'string' && (allowEmpty || item !== '')) ? (value as string[]) : undefined;
}

/**
 * What the CEL policies need the API server to send, by the policies' failurePolicy: each
 * policy's matchConstraints resource rules, copied (exclusions and selectors are applied by the
 * webhook itself). Malformed rules are left out here; the webhook refuses to load such policies.
 */
export function policyWebhookRules(objects: readonly unknown[]): { fail: WebhookRule[]; ignore: WebhookRule[] } {
  const out = { fail: [] as WebhookRule[], ignore: [] as WebhookRule[] };
  const seen = new Set<string>();
  for (const object of objects) {
    if (object === null || typeof object !== 'object') continue;
    const raw = object as Record<string, unknown>;
    const apiVersion = raw['apiVersion'];
    if (raw['kind'] !== 'ValidatingAdmissionPolicy' || typeof apiVersion !== 'string' || !apiVersion.startsWith('admissionregistration.k8s.io/')) continue;
    const spec = (raw['spec'] ?? {}) as Record<string, unknown>;
    const constraints = (spec['matchConstraints'] ?? {}) as Record<string, unknown>;
    const failurePolicy = spec['failurePolicy'] === 'Ignore' ? 'ignore' : 'fail';
    for (const rule of Array.isArray(constraints['resourceRules']) ? (constraints['resourceRules'] as unknown[]) : []) {
      if (rule === null || typeof rule !== 'object') continue;
      const r = rule as Record<string, unknown>;
      const apiGroups = strings(r['apiGroups'], true);
      const apiVersions = strings(r['apiVersions']);
      const operations = strings(r['operations']);
      const resources = strings(r['resources']);
      if (apiGroups === undefined || apiVersions === undefined || operations === undefined || resources === undefined) continue;
      const copy: WebhookRule = { apiGroups, apiVersions, operations, resources, ...(typeof r['scope'] === 'string' ? { scope: r['scope'] } : {}) };
      const key = `${failurePolicy}${JSON.stringify(copy)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out[failurePolicy].push(copy);
    }
  }
  return out;
}

/** The kinds whose pod templates the webhook checks, so a bad Deployment is refused at once. */
export const WORKLOAD_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['replicationcontrollers', 'podtemplates'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
];

function labels(): Record<string, string> {
  return { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'bulwark' };
}

function defaultConfigYaml(namespace: string, withPolicies: boolean): string {
  return [
    'apiVersion: bulwark.dev/v1alpha1',
    'kind: AdmissionConfiguration',
    `excludedNamespaces: [kube-system, kube-node-lease, ${namespace}]`,
    'podSecurity: {enforce: baseline, warn: restricted, audit: restricted}',
    ...(withPolicies ? ['policies: {paths: [policies.yaml]}'] : []),
    '',
  ].join('\n');
}

export async function installManifests(options: InstallOptions): Promise<Record<string, unknown>[]> {
  const { namespace, image } = options;
  if (!Number.isInteger(options.replicas) || options.replicas < 2) {
    // One replica makes every rollout or node drain an outage of pod creation (failurePolicy Fail).
    throw new RangeError('--replicas must be at least 2');
  }
  const service = `${NAME}.${namespace}.svc`;
  const pki = await webhookCertificates([service, `${NAME}.${namespace}`, `${service}.cluster.local`], options.certificateDays ?? 365);
  const caBundle = Buffer.from(pki.caCert).toString('base64');
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace } : {}), labels: labels() });
  const excluded = [...new Set([...CONTROL_PLANE_NAMESPACES, namespace])];
  const namespaceSelector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }] };
  // Pod updates that change nothing in the spec (labels, annotations, finalizers) never change a
  // verdict; the API server skips the call instead of the webhook answering "allowed".
  const podUpdateCondition = {
    name: 'skip-pod-metadata-updates',
    expression: "request.operation != 'UPDATE' || request.resource.resource != 'pods' || request.subResource == 'ephemeralcontainers' || object.spec != oldObject.spec",
  };
  // Likewise for controllers: an UPDATE that leaves the pod template alone (scaling, labels) has
  // nothing for the pod rules to judge and nothing for the mutations to change.
  const templateUpdateCondition = {
    name: 'skip-unchanged-pod-templates',
    expression:
      "request.operation != 'UPDATE' || (request.resource.resource == 'cronjobs' ? object.spec.jobTemplate != oldObject.spec.jobTemplate : " +
      "request.resource.resource == 'podtemplates' ? object.template != oldObject.template : object.spec.template != oldObject.spec.template)",
  };
  const policyRules = policyWebhookRules(options.policiesYaml === undefined ? [] : parsePolicies(options.policiesYaml));
  const clientConfig = (path: string) => ({ service: { name: NAME, namespace, path, port: 443 }, caBundle });
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: 3, namespaceSelector, matchPolicy: 'Equivalent' };

  const objects: Record<string, unknown>[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: { ...labels(), 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAME), automountServiceAccountToken: true },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(NAME, false),
      // Namespace labels decide the Pod Security level: read-only, nothing else cluster-wide.
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(NAME, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${NAME}-tls`),
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': pki.cert, 'tls.key': pki.key, 'ca.crt': pki.caCert },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${NAME}-config`),
      // Mounted as files (read by the kubelet), so the webhook itself needs no access to ConfigMaps.
      data: {
        'config.yaml': options.configYaml ?? defaultConfigYaml(namespace, options.policiesYaml !== undefined),
        ...(options.policiesYaml === undefined ? {} : { 'policies.yaml': options.policiesYaml }),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(NAME),
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels() },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } } } },
                ],
              },
            },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } } },
            ],
            containers: [
              {
                name: 'webhook',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['admission', 'serve', '--config', '/etc/bulwark/config/config.yaml', '--tls-cert-file', '/etc/bulwark/tls/tls.crt', '--tls-private-key-file', '/etc/bulwark/tls/tls.key', '--port', String(PORT)],
                ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5, failureThreshold: 2 },
                volumeMounts: [
                  { name: 'tls', mountPath: '/etc/bulwark/tls', readOnly: true },
                  { name: 'config', mountPath: '/etc/bulwark/config', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: `${NAME}-tls` } },
              { name: 'config', configMap: { name: `${NAME}-config` } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(NAME),
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': NAME } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NAME),
      spec: { selector: { 'app.kubernetes.io/name': NAME }, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(NAME),
      // Only the webhook port is reachable (the API server's address is not known here); egress stays
      // open because the registries it resolves and verifies against are the user's choice.
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: PORT, protocol: 'TCP' }] }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(NAME),
      spec: { hard: { pods: String(options.replicas * 2 + 2), 'requests.cpu': '4', 'requests.memory': '4Gi', 'limits.cpu': '8', 'limits.memory': '8Gi' } },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(NAME),
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: NAME, labels: labels() },
      webhooks: [
        {
          // Every pod passes here whoever created it: the last line of defence fails closed.
          name: 'pods.validate.bulwark.dev',
          ...common,
          failurePolicy: 'Fail',
          clientConfig: clientConfig('/validate/pods'),
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'], scope: 'Namespaced' }],
          matchConditions: [podUpdateCondition],
        },
        {
          // Controllers' templates are checked for early, readable refusals; when the webhook is
          // down their pods are still checked above, so this one fails open.
          name: 'workloads.validate.bulwark.dev',
          ...common,
          failurePolicy: 'Ignore',
          clientConfig: clientConfig('/validate/pods'),
          rules: WORKLOAD_RULES.map((rule) => ({ ...rule, operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
          matchConditions: [templateUpdateCondition],
        },
        // The CEL policies see exactly what their match constraints name (any kind, DELETE and
        // CONNECT included), under the failurePolicy the policies themselves declare.
        ...(policyRules.fail.length === 0
          ? []
          : [{ name: 'policies.validate.bulwark.dev', ...common, failurePolicy: 'Fail', clientConfig: clientConfig('/validate/policies'), rules: policyRules.fail }]),
        ...(policyRules.ignore.length === 0
          ? []
          : [{ name: 'policies-ignore.validate.bulwark.dev', ...common, failurePolicy: 'Ignore', clientConfig: clientConfig('/validate/policies'), rules: policyRules.ignore }]),
      ],
    },
  ];
  if (options.mutate) {
    objects.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: NAME, labels: labels() },
      webhooks: [
        {
          // A missed mutation leaves a tag unpinned, which the validating webhook then judges.
          name: 'pods.mutate.bulwark.dev',
          ...common,
          failurePolicy: 'Ignore',
          reinvocationPolicy: 'Never',
          clientConfig: clientConfig('/mutate'),
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'], scope: 'Namespaced' }],
          matchConditions: [{ name: 'skip-pod-metadata-updates', expression: "request.operation != 'UPDATE' || object.spec != oldObject.spec" }],
        },
        {
          name: 'workloads.mutate.bulwark.dev',
          ...common,
          failurePolicy: 'Ignore',
          reinvocationPolicy: 'Never',
          clientConfig: clientConfig('/mutate'),
          rules: WORKLOAD_RULES.map((rule) => ({ ...rule, operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' })),
          matchConditions: [templateUpdateCondition],
        },
      ],
    });
  }
  return objects;
}

/** The documents of the shipped policies file; text that is not YAML contributes no rule. */
function parsePolicies(text: string): unknown[] {
  try {
    return loadAll(text);
  } catch {
    return [];
  }
}
