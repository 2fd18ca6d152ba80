// Kubernetes audit events (audit.k8s.io/v1 and v1beta1) as untrusted input. An event is checked
// field by field — every field a detection or the ledger reads must have its documented type — and a
// bad one is reported with where it was and what is wrong, never thrown past the caller or crashed on.
// The two versions share every field Bulwark reads; v1beta1 adds `timestamp` and `metadata`, which
// are kept in the raw event and otherwise ignored.
import { AuditError } from './errors.ts';

export const AUDIT_API_VERSIONS: readonly string[] = ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'];
export const STAGES: readonly string[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
/** An audit ID is a UUID in practice; anything this long is not one. */
const MAX_ID_LENGTH = 256;
/** Events per EventList: the API server's webhook batches are at most a few hundred. */
export const MAX_LIST_ITEMS = 100_000;

export interface AuditUser {
  username: string;
  uid: string;
  groups: readonly string[];
}

export interface ObjectRef {
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  apiGroup: string;
  apiVersion: string;
}

/** One audit event, the fields Bulwark reads checked and defaulted; `raw` is the event as received. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  level: string;
  verb: string;
  requestURI: string;
  user: AuditUser;
  /** Present when the request impersonated someone. */
  impersonatedUser: AuditUser | undefined;
  sourceIPs: readonly string[];
  userAgent: string;
  objectRef: ObjectRef | undefined;
  /** The HTTP status code of the response; 0 when the event has none (RequestReceived). */
  code: number;
  annotations: Readonly<Record<string, string>>;
  requestObject: Readonly<Record<string, unknown>> | undefined;
  responseObject: Readonly<Record<string, unknown>> | undefined;
  /** Milliseconds since the epoch of `stageTimestamp` (else `requestReceivedTimestamp`, else 0). */
  time: number;
  raw: Readonly<Record<string, unknown>>;
}

export interface ParseProblem {
  /** Where: `file:line`, `item 3`, … */
  where: string;
  message: string;
}

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class FieldError extends Error {}

function fail(message: string): never {
  throw new FieldError(message);
}

function optionalString(object: Fields, key: string, path: string, max = 1 << 20): string {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(`${path}${key} must be a string, not ${describe(value)}`);
  if (value.length > max) fail(`${path}${key} is longer than ${max} characters`);
  return value;
}

function optionalFields(object: Fields, key: string, path: string): Fields | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (value === undefined || value === null) return undefined;
  if (!isFields(value)) fail(`${path}${key} must be an object, not ${describe(value)}`);
  return value;
}

function stringList(object: Fields, key: string, path: string): readonly string[] {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${path}${key} must be a list of strings, not ${describe(value)}`);
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') fail(`${path}${key}[${i}] must be a string, not ${describe(value[i])}`);
  return value as string[];
}

/** What a wrong value is, without its content (an event may carry credentials anywhere). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function userInfo(object: Fields | undefined, path: string): AuditUser {
  if (object === undefined) return { username: '', uid: '', groups: [] };
  return { username: optionalString(object, 'username', path, 4096), uid: optionalString(object, 'uid', path, 4096), groups: stringList(object, 'groups', path) };
}

function timestamp(value: string): number {
  if (value === '') return 0;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Checks one parsed value as an audit Event. Throws AuditError('parse') naming the first wrong field;
 * `where` prefixes the message.
 */
export function toAuditEvent(value: unknown, where: string): AuditEvent {
  try {
    return checkEvent(value);
  } catch (error) {
    if (error instanceof FieldError) throw new AuditError('parse', `${where}: ${error.message}`);
    throw error;
  }
}

function checkEvent(value: unknown): AuditEvent {
  if (!isFields(value)) fail(`an audit event must be a JSON object, not ${describe(value)}`);
  const kind = optionalString(value, 'kind', '');
  if (kind !== '' && kind !== 'Event') fail(`kind must be Event, not ${JSON.stringify(kind.slice(0, 60))}`);
  const apiVersion = optionalString(value, 'apiVersion', '');
  if (apiVersion !== '' && !AUDIT_API_VERSIONS.includes(apiVersion)) fail(`apiVersion ${JSON.stringify(apiVersion.slice(0, 60))} is not one of ${AUDIT_API_VERSIONS.join(', ')}`);
  const auditID = optionalString(value, 'auditID', '', MAX_ID_LENGTH);
  if (auditID === '') fail('auditID is missing');
  const stage = optionalString(value, 'stage', '');
  if (!STAGES.includes(stage)) fail(stage === '' ? 'stage is missing' : `stage ${JSON.stringify(stage.slice(0, 60))} is not one of ${STAGES.join(', ')}`);
  const ref = optionalFields(value, 'objectRef', '');
  const status = optionalFields(value, 'responseStatus', '');
  let code = 0;
  if (status !== undefined && Object.hasOwn(status, 'code') && status.code !== null && status.code !== undefined) {
    const raw = status.code;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 999) fail(`responseStatus.code must be an HTTP status code, not ${describe(raw)}`);
    code = raw;
  }
  const annotations = optionalFields(value, 'annotations', '');
  if (annotations !== undefined) for (const key of Object.keys(annotations)) if (typeof annotations[key] !== 'string') fail(`annotations[${JSON.stringify(key.slice(0, 60))}] must be a string`);
  const impersonated = optionalFields(value, 'impersonatedUser', '');
  return {
    auditID,
    stage,
    level: optionalString(value, 'level', ''),
    verb: optionalString(value, 'verb', ''),
    requestURI: optionalString(value, 'requestURI', ''),
    user: userInfo(optionalFields(value, 'user', ''), 'user.'),
    impersonatedUser: impersonated === undefined ? undefined : userInfo(impersonated, 'impersonatedUser.'),
    sourceIPs: stringList(value, 'sourceIPs', ''),
    userAgent: optionalString(value, 'userAgent', ''),
    objectRef:
      ref === undefined
        ? undefined
        : {
            resource: optionalString(ref, 'resource', 'objectRef.', 1024),
            subresource: optionalString(ref, 'subresource', 'objectRef.', 1024),
            namespace: optionalString(ref, 'namespace', 'objectRef.', 1024),
            name: optionalString(ref, 'name', 'objectRef.', 1024),
            apiGroup: optionalString(ref, 'apiGroup', 'objectRef.', 1024),
            apiVersion: optionalString(ref, 'apiVersion', 'objectRef.', 1024),
          },
    code,
    annotations: (annotations ?? {}) as Readonly<Record<string, string>>,
    requestObject: optionalFields(value, 'requestObject', ''),
    responseObject: optionalFields(value, 'responseObject', ''),
    time: timestamp(optionalString(value, 'stageTimestamp', '')) || timestamp(optionalString(value, 'requestReceivedTimestamp', '')) || timestamp(optionalString(value, 'timestamp', '')),
    raw: value,
  };
}

/**
 * The events of one parsed JSON document: an Event, an EventList (what the webhook backend posts)
 * or a JSON array of events. A bad item is a problem; the others are still returned.
 */
export function eventsOfDocument(value: unknown, where: string): { events: AuditEvent[]; problems: ParseProblem[] } {
  const events: AuditEvent[] = [];
  const problems: ParseProblem[] = [];
  let items: readonly unknown[];
  let itemWhere: (i: number) => string;
  if (Array.isArray(value)) {
    items = value;
    itemWhere = (i) => `${where} [${i}]`;
  } else if (isFields(value) && value.kind === 'EventList') {
    const apiVersion = value.apiVersion;
    if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !AUDIT_API_VERSIONS.includes(apiVersion))) {
      problems.push({ where, message: `EventList apiVersion ${JSON.stringify(apiVersion)?.slice(0, 60)} is not one of ${AUDIT_API_VERSIONS.join(', ')}` });
      return { events, problems };
    }
    if (value.items === undefined || value.items === null) return { events, problems };
    if (!Array.isArray(value.items)) {
      problems.push({ where, message: 'EventList items must be a list' });
      return { events, problems };
    }
    items = value.items;
    itemWhere = (i) => `${where} items[${i}]`;
  } else {
    items = [value];
    itemWhere = () => where;
  }
  if (items.length > MAX_LIST_ITEMS) {
    problems.push({ where, message: `${items.length} events in one document, more than the ${MAX_LIST_ITEMS} accepted` });
    return { events, problems };
  }
  for (let i = 0; i < items.length; i++) {
    try {
      events.push(toAuditEvent(items[i], itemWhere(i)));
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      problems.push({ where: itemWhere(i), message: error.message.slice(itemWhere(i).length + 2) });
    }
  }
  return { events, problems };
}

/** Parses JSON text, turning a syntax error into a problem that says where. */
export function parseJson(text: string, where: string): { ok: true; value: unknown } | { ok: false; problem: ParseProblem } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: { where, message: `not valid JSON: ${(error as Error).message}` } };
  }
}
