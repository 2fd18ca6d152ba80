// AdmissionReview admission.k8s.io/v1: the request the API server sends and the response it expects.
// The body is untrusted (anything that can reach the port can post), so every field is checked for
// its type before use and every failure is a typed error naming the field.
import { BulwarkError } from '../core/index.ts';

export const REVIEW_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface RequestUser {
  username: string;
  uid: string;
  groups: readonly string[];
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  /** '' when the request is for the resource itself. */
  subResource: string;
  name: string;
  /** '' for cluster-scoped resources. */
  namespace: string;
  operation: Operation;
  userInfo: RequestUser;
  /** The new object (CREATE, UPDATE, CONNECT options); null for DELETE. */
  object: Record<string, unknown> | null;
  /** The object before the change (UPDATE, DELETE); null otherwise. */
  oldObject: Record<string, unknown> | null;
  dryRun: boolean;
  /** The `request` object as received, for ValidatingAdmissionPolicies (their `request` variable). */
  raw: Record<string, unknown>;
}

export interface StatusDetails {
  code: number;
  reason: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: StatusDetails;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  /** Base64 of a JSON array of RFC 6902 operations. */
  patch?: string;
  patchType?: 'JSONPatch';
}

/** Kubernetes UIDs are UUIDs; anything much longer is not one and would be echoed back needlessly. */
const MAX_UID_LENGTH = 128;

function invalid(what: string, message: string): BulwarkError {
  return new BulwarkError('E_INPUT', `AdmissionReview ${what}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(`${where}.${key}`, `must be a string, not ${typeName(value)}`);
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function gvk(value: unknown, where: string): GroupVersionKind {
  if (!isRecord(value)) throw invalid(where, `must be an object with group, version and kind, not ${typeName(value)}`);
  const kind = optionalString(value, 'kind', where);
  if (kind === '') throw invalid(`${where}.kind`, 'is required');
  return { group: optionalString(value, 'group', where), version: optionalString(value, 'version', where), kind };
}

function gvr(value: unknown, where: string): GroupVersionResource {
  if (!isRecord(value)) throw invalid(where, `must be an object with group, version and resource, not ${typeName(value)}`);
  const resource = optionalString(value, 'resource', where);
  if (resource === '') throw invalid(`${where}.resource`, 'is required');
  return { group: optionalString(value, 'group', where), version: optionalString(value, 'version', where), resource };
}

function userInfo(value: unknown): RequestUser {
  if (value === undefined || value === null) return { username: '', uid: '', groups: [] };
  if (!isRecord(value)) throw invalid('request.userInfo', `must be an object, not ${typeName(value)}`);
  const groups = value['groups'];
  if (groups !== undefined && groups !== null && !(Array.isArray(groups) && groups.every((group) => typeof group === 'string'))) {
    throw invalid('request.userInfo.groups', 'must be a list of strings');
  }
  return {
    username: optionalString(value, 'username', 'request.userInfo'),
    uid: optionalString(value, 'uid', 'request.userInfo'),
    groups: (groups as string[] | undefined | null) ?? [],
  };
}

function embedded(value: unknown, where: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw invalid(where, `must be an object, not ${typeName(value)}`);
  return value;
}

/**
 * Parses a request body. Throws `BulwarkError` E_PARSE for text that is not JSON and E_INPUT for
 * JSON that is not an AdmissionReview v1 request; the caller bounds the body size before this.
 */
export function parseAdmissionReview(body: string): AdmissionRequest {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new BulwarkError('E_PARSE', `AdmissionReview body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(document)) throw invalid('body', `must be a JSON object, not ${typeName(document)}`);
  if (document['kind'] !== 'AdmissionReview') throw invalid('kind', `must be "AdmissionReview", not ${JSON.stringify(document['kind']) ?? 'missing'}`);
  if (document['apiVersion'] !== REVIEW_API_VERSION) {
    throw invalid('apiVersion', `must be "${REVIEW_API_VERSION}" (set admissionReviewVersions: ["v1"] in the webhook configuration), not ${JSON.stringify(document['apiVersion']) ?? 'missing'}`);
  }
  const request = document['request'];
  if (!isRecord(request)) throw invalid('request', 'is required and must be an object');
  const uid = optionalString(request, 'uid', 'request');
  if (uid === '') throw invalid('request.uid', 'is required');
  if (uid.length > MAX_UID_LENGTH) throw invalid('request.uid', `is longer than ${MAX_UID_LENGTH} characters`);
  const operation = optionalString(request, 'operation', 'request');
  if (!OPERATIONS.has(operation)) throw invalid('request.operation', `must be one of CREATE, UPDATE, DELETE, CONNECT, not ${JSON.stringify(operation)}`);
  const dryRun = request['dryRun'];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') throw invalid('request.dryRun', `must be a boolean, not ${typeName(dryRun)}`);
  return {
    uid,
    kind: gvk(request['kind'], 'request.kind'),
    resource: gvr(request['resource'], 'request.resource'),
    subResource: optionalString(request, 'subResource', 'request'),
    name: optionalString(request, 'name', 'request'),
    namespace: optionalString(request, 'namespace', 'request'),
    operation: operation as Operation,
    userInfo: userInfo(request['userInfo']),
    object: embedded(request['object'], 'request.object'),
    oldObject: embedded(request['oldObject'], 'request.oldObject'),
    dryRun: dryRun === true,
    raw: request,
  };
}

/** The whole response document; `uid` must be the request's. */
export function reviewResponse(response: AdmissionResponse): string {
  return JSON.stringify({ apiVersion: REVIEW_API_VERSION, kind: 'AdmissionReview', response });
}
