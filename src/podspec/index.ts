// The normalised workload view: every pod template in an object, with its containers listed once in
// the order Kubernetes starts them. Built once per object and shared by every check.
import type { FieldPath } from '../core/index.ts';
import { templateLocation, type TemplateLocation } from './extract.ts';
import { effectiveSecurityContext, type EffectiveSecurityContext } from './security-context.ts';
import { asFields, asList, fieldOf, type Fields } from './values.ts';

export type { TemplateLocation } from './extract.ts';
export { apiGroup, templateLocation, WORKLOAD_KINDS } from './extract.ts';
export type { EffectiveSecurityContext, EffectiveWindowsOptions, SecurityContextLevel, Sourced } from './security-context.ts';
export {
  CONTAINER_ONLY_FIELDS,
  effectiveSecurityContext,
  INHERITED_FIELDS,
  POD_ONLY_FIELDS,
} from './security-context.ts';
export { asFields, asList, fieldOf, showValue, type Fields } from './values.ts';

export type ContainerGroup = 'initContainers' | 'containers' | 'ephemeralContainers';

/** Start order: init containers run first, ephemeral ones are attached later. */
export const CONTAINER_GROUPS: readonly ContainerGroup[] = ['initContainers', 'containers', 'ephemeralContainers'];

export interface ContainerView {
  group: ContainerGroup;
  /** Index inside its group's list. */
  index: number;
  /** The container's name, or '' when it has none (or not a string). */
  name: string;
  /** From the object root, e.g. `['spec','template','spec','containers',1]`. */
  path: FieldPath;
  raw: Readonly<Record<string, unknown>>;
  /** The container's own securityContext when it is an object. */
  securityContext: Fields | undefined;
  /** Pod-level securityContext merged into the container's, per field, the container winning. */
  effective: EffectiveSecurityContext;
}

export interface PodView {
  /** From the object root to the pod spec: `['spec','template','spec']`, or `['spec']` for a Pod. */
  specPath: FieldPath;
  /** From the object root to the pod's metadata. */
  metadataPath: FieldPath;
  /** Labels and annotations with string values (scalars written unquoted are read as their text). */
  metadata: { labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> };
  spec: Readonly<Record<string, unknown>>;
  /** The pod-level securityContext when it is an object. */
  securityContext: Fields | undefined;
  /** Init, regular and ephemeral containers, in that order. */
  containers: readonly ContainerView[];
}

const NO_VIEWS: readonly PodView[] = Object.freeze([]);
const NO_STRINGS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Labels and annotations are strings to the API server; a manifest that writes `replicas: 3` style
 * scalars there is read as their text (what kubectl would have to quote). Maps that are already all
 * strings are used as they are, without a copy.
 */
function stringMap(value: unknown): Readonly<Record<string, string>> {
  const fields = asFields(value);
  if (fields === undefined) return NO_STRINGS;
  const keys = Object.keys(fields);
  let clean = true;
  for (const key of keys) {
    if (typeof fields[key] !== 'string') {
      clean = false;
      break;
    }
  }
  if (clean) return fields as Readonly<Record<string, string>>;
  const copy: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    const item = fields[key];
    if (typeof item === 'string') copy[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') copy[key] = String(item);
  }
  return copy;
}

class Container implements ContainerView {
  readonly group: ContainerGroup;
  readonly index: number;
  readonly name: string;
  readonly path: FieldPath;
  readonly raw: Fields;
  readonly securityContext: Fields | undefined;
  readonly #podSecurityContext: Fields | undefined;
  readonly #specPath: FieldPath;
  #effective: EffectiveSecurityContext | undefined;

  constructor(group: ContainerGroup, index: number, raw: Fields, specPath: FieldPath, podSecurityContext: Fields | undefined) {
    this.group = group;
    this.index = index;
    const name = fieldOf(raw, 'name');
    this.name = typeof name === 'string' ? name : '';
    this.path = [...specPath, group, index];
    this.raw = raw;
    this.securityContext = asFields(fieldOf(raw, 'securityContext'));
    this.#podSecurityContext = podSecurityContext;
    this.#specPath = specPath;
  }

  // Most checks read raw fields; the merge is paid for only by those that ask.
  get effective(): EffectiveSecurityContext {
    this.#effective ??= effectiveSecurityContext(
      this.#podSecurityContext,
      [...this.#specPath, 'securityContext'],
      this.securityContext,
      [...this.path, 'securityContext'],
    );
    return this.#effective;
  }
}

function buildPodView(spec: Fields, location: TemplateLocation, metadata: Fields | undefined): PodView {
  const podSecurityContext = asFields(fieldOf(spec, 'securityContext'));
  const containers: ContainerView[] = [];
  for (const group of CONTAINER_GROUPS) {
    const list = asList(fieldOf(spec, group));
    if (list === undefined) continue;
    for (let index = 0; index < list.length; index++) {
      const raw = asFields(list[index]);
      if (raw !== undefined) containers.push(new Container(group, index, raw, location.spec, podSecurityContext));
    }
  }
  return {
    specPath: location.spec,
    metadataPath: location.metadata,
    metadata: {
      labels: stringMap(fieldOf(metadata, 'labels')),
      annotations: stringMap(fieldOf(metadata, 'annotations')),
    },
    spec,
    securityContext: podSecurityContext,
    containers,
  };
}

function fieldsAt(root: Fields, path: FieldPath): Fields | undefined {
  let current: Fields | undefined = root;
  for (const segment of path) {
    current = asFields(fieldOf(current, String(segment)));
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * The pod templates of an object, keyed on its apiVersion and kind: one for a Pod or any workload
 * controller, none for other kinds or when the template's spec is not an object. Never throws.
 */
export function podViews(raw: Readonly<Record<string, unknown>>): readonly PodView[] {
  const root = asFields(raw);
  if (root === undefined) return NO_VIEWS;
  const location = templateLocation(fieldOf(root, 'apiVersion'), fieldOf(root, 'kind'));
  if (location === undefined) return NO_VIEWS;
  const spec = fieldsAt(root, location.spec);
  if (spec === undefined) return NO_VIEWS;
  return [buildPodView(spec, location, fieldsAt(root, location.metadata))];
}
