// Test helpers: audit events built from a few fields, the way the API server would write them.
import { toAuditEvent, type AuditEvent } from './event.ts';

export interface EventSpec {
  auditID?: string;
  stage?: string;
  verb?: string;
  user?: string;
  groups?: string[];
  impersonate?: { user: string; groups?: string[] };
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  code?: number;
  decision?: string;
  uri?: string;
  requestObject?: Record<string, unknown>;
  responseObject?: Record<string, unknown>;
  apiVersion?: string;
}

let counter = 0;

/** The raw JSON object of an audit event. */
export function rawAuditEvent(spec: EventSpec = {}): Record<string, unknown> {
  const resource = spec.resource ?? 'pods';
  const namespace = spec.namespace ?? (['namespaces', 'clusterroles', 'clusterrolebindings', 'nodes', 'certificatesigningrequests'].includes(resource) ? undefined : 'default');
  const path = `/api/v1${namespace === undefined ? '' : `/namespaces/${namespace}`}/${resource}${spec.name === undefined ? '' : `/${spec.name}`}${spec.subresource === undefined ? '' : `/${spec.subresource}`}`;
  return {
    kind: 'Event',
    apiVersion: spec.apiVersion ?? 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: spec.auditID ?? `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    stage: spec.stage ?? 'ResponseComplete',
    requestURI: spec.uri ?? path,
    verb: spec.verb ?? 'create',
    user: { username: spec.user ?? 'alice', groups: spec.groups ?? ['system:authenticated'] },
    ...(spec.impersonate === undefined ? {} : { impersonatedUser: { username: spec.impersonate.user, groups: spec.impersonate.groups ?? [] } }),
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.35.0',
    objectRef: {
      resource,
      ...(namespace === undefined ? {} : { namespace }),
      ...(spec.name === undefined ? {} : { name: spec.name }),
      ...(spec.subresource === undefined ? {} : { subresource: spec.subresource }),
      ...(spec.apiGroup === undefined ? {} : { apiGroup: spec.apiGroup }),
      apiVersion: 'v1',
    },
    responseStatus: { metadata: {}, code: spec.code ?? 201 },
    ...(spec.requestObject === undefined ? {} : { requestObject: spec.requestObject }),
    ...(spec.responseObject === undefined ? {} : { responseObject: spec.responseObject }),
    requestReceivedTimestamp: '2026-01-02T03:04:05.000000Z',
    stageTimestamp: '2026-01-02T03:04:05.100000Z',
    annotations: { 'authorization.k8s.io/decision': spec.decision ?? 'allow', 'authorization.k8s.io/reason': '' },
  };
}

export function auditEvent(spec: EventSpec = {}): AuditEvent {
  return toAuditEvent(rawAuditEvent(spec), 'test event');
}

/** A Pod object with the given containers and spec fields. */
export function podObject(spec: Record<string, unknown> = {}, containers: Record<string, unknown>[] = [{ name: 'app', image: 'nginx:1.27' }]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers, ...spec } };
}
