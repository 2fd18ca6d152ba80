// Realistic AdmissionReviews for tests and the benchmark: what the API server sends for a Pod or a
// Deployment, in any namespace, with any user.
export interface ReviewOptions {
  uid?: string;
  namespace?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subResource?: string;
  dryRun?: boolean;
  username?: string;
  groups?: readonly string[];
  oldObject?: Record<string, unknown> | null;
}

export function compliantContainer(name = 'app', image = 'registry.example.com/shop/web:1.4.2'): Record<string, unknown> {
  return {
    name,
    image,
    ports: [{ containerPort: 8080 }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

export function pod(name: string, containers: Record<string, unknown>[], namespace = 'shop'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers } };
}

export function deployment(name: string, containers: Record<string, unknown>[], namespace = 'shop'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { serviceAccountName: name, automountServiceAccountToken: false, containers } },
    },
  };
}

export function privilegedContainer(name = 'app'): Record<string, unknown> {
  return { name, image: 'busybox:1.36', securityContext: { privileged: true } };
}

export function review(object: Record<string, unknown> | null, options: ReviewOptions = {}): Record<string, unknown> {
  // On DELETE the object is null and the old one says what is deleted.
  const named = object ?? options.oldObject ?? null;
  const kind = (named?.['kind'] as string | undefined) ?? 'Pod';
  const apiVersion = (named?.['apiVersion'] as string | undefined) ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const resource = `${kind.toLowerCase()}s`;
  const metadata = (named?.['metadata'] ?? {}) as Record<string, unknown>;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      ...(options.subResource === undefined ? {} : { subResource: options.subResource }),
      name: metadata['name'] ?? '',
      namespace: options.namespace ?? metadata['namespace'] ?? 'shop',
      operation: options.operation ?? 'CREATE',
      userInfo: { username: options.username ?? 'alice', uid: 'u-1', groups: options.groups ?? ['system:authenticated'] },
      object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}
