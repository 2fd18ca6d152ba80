import { getAt, type Diagnostic, type ErrorLocation, type FieldPath, type KubeObject } from '../core/index.ts';
import type { ConfigLocation } from './config.ts';
import { describeValue } from './describe.ts';
import { suggest } from './suggest.ts';

export const IGNORE_ANNOTATION = 'bulwark.dev/ignore';

/** A problem that does not stop the scan; printed as `file:line:column: level: message`. */
export interface ConfigDiagnostic extends Diagnostic {
  level: 'warning' | 'note';
}

/** One `bulwark.dev/ignore` annotation that names at least one control. */
export interface IgnoreAnnotation {
  controls: '*' | ReadonlySet<string>;
  /** null when the annotation gives none (it is honoured, with a note). */
  reason: string | null;
  location: ConfigLocation;
}

/**
 * Where the annotation may be written: the object's own metadata, or the metadata of the pod
 * template it runs (Helm charts often expose only pod annotations). Either exempts the whole object.
 */
const METADATA_PATHS: readonly FieldPath[] = [
  ['metadata'],
  ['spec', 'template', 'metadata'],
  ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
  ['template', 'metadata'],
];

/** Between the control list and the reason; the first one written wins. */
const SEPARATORS = ['\u2014', '\u2013', '--', ' - '] as const;

/** Annotation values are small; a longer one is not read, so matching stays cheap. */
const MAX_VALUE_LENGTH = 4096;

export interface ParsedIgnore {
  /** null when nothing usable is named. */
  controls: '*' | ReadonlySet<string> | null;
  reason: string | null;
  /** How many entries the control list has, understood or not. */
  named: number;
  /** Why parts of the value were not understood, each a full sentence. */
  problems: string[];
}

/**
 * `pss-privileged, pss-host-namespaces — reason`: control ids separated by commas (`*` for all),
 * then an em dash, `--` or ` - `, then the reason. Unknown ids are reported and skipped; the ones
 * that are known still apply. Without `knownControls` every id is taken as written.
 */
export function parseIgnoreValue(value: string, knownControls?: ReadonlySet<string>): ParsedIgnore {
  const problems: string[] = [];
  if (value.length > MAX_VALUE_LENGTH) {
    return { controls: null, reason: null, named: 0, problems: [`is longer than ${MAX_VALUE_LENGTH} characters; it is not read`] };
  }
  let cut = -1;
  let separator = '';
  for (const candidate of SEPARATORS) {
    const at = value.indexOf(candidate);
    if (at !== -1 && (cut === -1 || at < cut)) {
      cut = at;
      separator = candidate;
    }
  }
  const list = cut === -1 ? value : value.slice(0, cut);
  const reasonText = cut === -1 ? '' : value.slice(cut + separator.length).trim();
  const ids = list
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  let all = false;
  const controls = new Set<string>();
  for (const id of ids) {
    if (id === '*') all = true;
    else if (/\s/.test(id)) {
      problems.push(
        `${describeValue(id)} is not a control id; write the ids separated by commas, then " — " (or " -- ", " - ") and the reason`,
      );
    } else if (knownControls !== undefined && !knownControls.has(id)) {
      const close = suggest(id, knownControls);
      problems.push(`names unknown control ${describeValue(id)}${close ? `; did you mean "${close}"?` : ''}`);
    } else controls.add(id);
  }
  if (ids.length === 0) problems.push('names no control; write e.g. "pss-privileged — reason", or "* — reason" for all');
  return {
    controls: all ? '*' : controls.size > 0 ? controls : null,
    reason: reasonText === '' ? null : reasonText,
    named: ids.length,
    problems,
  };
}

export interface ObjectIgnores {
  annotations: IgnoreAnnotation[];
  diagnostics: ConfigDiagnostic[];
}

// Built once: this runs for every object of every scan.
/** Where `bulwark.dev/ignore` is read: the object's metadata and its pod template's. */
export const ANNOTATION_PATHS: readonly FieldPath[] = METADATA_PATHS.map((metadata) => [...metadata, 'annotations', IGNORE_ANNOTATION]);

/**
 * Whether `object` or its pod template carries a `bulwark.dev/ignore` annotation at all: the paths of
 * METADATA_PATHS read as plain properties, as this runs for every object and finding of a scan.
 */
export function hasIgnoreAnnotation(object: KubeObject): boolean {
  const raw = object.raw as Fields;
  const spec = field(raw, 'spec');
  return (
    annotated(field(raw, 'metadata')) ||
    annotated(field(field(spec, 'template'), 'metadata')) ||
    annotated(field(field(field(field(spec, 'jobTemplate'), 'spec'), 'template'), 'metadata')) ||
    annotated(field(field(raw, 'template'), 'metadata'))
  );
}

type Fields = Record<string, unknown>;

/** `value[key]` as getAt reads it (inherited properties included), or undefined for a non-object. */
function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Fields)[key] : undefined;
}

function annotated(metadata: unknown): boolean {
  return field(field(metadata, 'annotations'), IGNORE_ANNOTATION) !== undefined;
}

/** Every `bulwark.dev/ignore` on `object` and its pod template, with what was wrong in them. */
export function readIgnoreAnnotations(object: KubeObject, knownControls?: ReadonlySet<string>): ObjectIgnores {
  const annotations: IgnoreAnnotation[] = [];
  const diagnostics: ConfigDiagnostic[] = [];
  for (const path of ANNOTATION_PATHS) {
    const value = getAt(object.raw, path);
    if (value === undefined) continue;
    const position = object.positions.locate(path);
    const location = { file: object.source.file, line: position.line, column: position.column };
    const subject = `annotation ${IGNORE_ANNOTATION} on ${object.kind} ${object.name}`;
    if (typeof value !== 'string') {
      diagnostics.push({ level: 'warning', location, message: `${subject} is ${describeValue(value)}, not a string; it is ignored` });
      continue;
    }
    const parsed = parseIgnoreValue(value, knownControls);
    for (const problem of parsed.problems) diagnostics.push({ level: 'warning', location, message: `${subject} ${problem}` });
    if (parsed.controls === null) {
      if (parsed.named > 0) {
        diagnostics.push({ level: 'warning', location, message: `${subject} names no known control; it exempts nothing` });
      }
      continue;
    }
    if (parsed.reason === null) {
      diagnostics.push({
        level: 'note',
        location,
        message: `${subject} gives no reason; it is honoured, but write one after " — " so reviewers know why`,
      });
    }
    annotations.push({ controls: parsed.controls, reason: parsed.reason, location });
  }
  return { annotations, diagnostics };
}
