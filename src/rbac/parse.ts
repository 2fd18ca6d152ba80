// Roles and bindings from parsed objects (manifests or API responses). Tolerant as every reader of
// untrusted input here is: a wrong type reads as absent, never as a throw.
import { compileLabelSelector, labelsOf, type Selector } from '../labels/selector.ts';
import type { Binding, Namespace, PolicyRule, Role, Subject } from './model.ts';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A list of strings; other items are dropped (the API server would refuse the object). */
function strings(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return NONE;
  let clean = true;
  for (const item of value) {
    if (typeof item !== 'string') {
      clean = false;
      break;
    }
  }
  return clean ? (value as string[]) : value.filter((item): item is string => typeof item === 'string');
}

const NONE: readonly string[] = Object.freeze([]);

function namespaceOf(metadata: Fields | undefined): Namespace {
  const namespace = metadata?.['namespace'];
  return typeof namespace === 'string' && namespace.length > 0 ? namespace : null;
}

export function parseRule(raw: unknown): PolicyRule {
  const rule = fields(raw);
  return {
    verbs: strings(rule?.['verbs']),
    apiGroups: strings(rule?.['apiGroups']),
    resources: strings(rule?.['resources']),
    resourceNames: strings(rule?.['resourceNames']),
    nonResourceURLs: strings(rule?.['nonResourceURLs']),
  };
}

/** A Role or ClusterRole (rbac.authorization.k8s.io, any version), or undefined for other kinds. */
export function parseRole<S>(raw: unknown, source?: S): Role<S> | undefined {
  const object = fields(raw);
  const kind = object?.['kind'];
  if (kind !== 'Role' && kind !== 'ClusterRole') return undefined;
  if (!isRbacApiVersion(object?.['apiVersion'])) return undefined;
  const metadata = fields(object?.['metadata']);
  const rules = Array.isArray(object?.['rules']) ? (object['rules'] as unknown[]).map(parseRule) : [];
  let aggregation: Selector[] | undefined;
  const rule = fields(object?.['aggregationRule']);
  if (kind === 'ClusterRole' && rule !== undefined) {
    aggregation = [];
    const selectors = rule['clusterRoleSelectors'];
    if (Array.isArray(selectors)) {
      selectors.forEach((selector, index) => {
        const compiled = compileLabelSelector(selector, ['aggregationRule', 'clusterRoleSelectors', index]);
        // An invalid selector makes the controller fail for this role: it aggregates nothing from it.
        if (compiled.kind === 'selector') aggregation!.push(compiled);
      });
    }
  }
  return {
    kind,
    namespace: kind === 'Role' ? namespaceOf(metadata) : null,
    name: text(metadata?.['name']),
    labels: labelsOf(metadata?.['labels']),
    rules,
    aggregation,
    builtin: false,
    source,
  };
}

/** A RoleBinding or ClusterRoleBinding, or undefined for other kinds. */
export function parseBinding<S>(raw: unknown, source?: S): Binding<S> | undefined {
  const object = fields(raw);
  const kind = object?.['kind'];
  if (kind !== 'RoleBinding' && kind !== 'ClusterRoleBinding') return undefined;
  if (!isRbacApiVersion(object?.['apiVersion'])) return undefined;
  const metadata = fields(object?.['metadata']);
  const roleRef = fields(object?.['roleRef']);
  const subjects: Subject[] = [];
  if (Array.isArray(object?.['subjects'])) {
    for (const item of object['subjects'] as unknown[]) {
      const subject = fields(item);
      subjects.push({ kind: text(subject?.['kind']), name: text(subject?.['name']), namespace: text(subject?.['namespace']) });
    }
  }
  return {
    kind,
    namespace: kind === 'RoleBinding' ? namespaceOf(metadata) : null,
    name: text(metadata?.['name']),
    roleRef: { kind: text(roleRef?.['kind']), name: text(roleRef?.['name']) },
    subjects,
    source,
  };
}

function isRbacApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && apiVersion.startsWith('rbac.authorization.k8s.io/');
}
