// The shape of `.bulwark.yaml`. Every field's error says what is expected and what was written, so
// that a message read without the file open is enough to fix it; positions are added by parse.ts.
// read.ts accepts exactly what this schema accepts, without loading the schema library; the rules
// both need are shared from there.
import { z } from 'zod';
import { parseQuantity } from '../checks/compute/quantity.ts';
import { parseRegistryPattern } from '../checks/distribute/registry-pattern.ts';
import { SEVERITIES } from '../core/index.ts';
import { isPssVersion, PSS_VERSIONS } from '../pss/version.ts';
import { describeValue } from './describe.ts';
import { NAMESPACE_GLOB } from './glob.ts';
import { boundsInverted, CONFIG_FORMAT_VERSION, IMAGE_TAG, KIND, pathGlobProblem, toIsoDate } from './read.ts';
import { suggest } from './suggest.ts';

export { CONFIG_FORMAT_VERSION, describeValue, toIsoDate };

/** Error text for a field: `missing` when absent, otherwise what was expected and what was found. */
function expected(what: string, hint?: (input: unknown) => string | undefined) {
  return (issue: { input?: unknown }): string => {
    if (issue.input === undefined) return `missing; expected ${what}`;
    const extra = hint?.(issue.input);
    return `expected ${what}; got ${describeValue(issue.input)}${extra ? ` (${extra})` : ''}`;
  };
}

/** Hint for a misspelt word among a fixed set. */
const closeTo = (choices: readonly string[]) => (input: unknown) => {
  const close = typeof input === 'string' ? suggest(input, choices) : undefined;
  return close ? `did you mean "${close}"?` : undefined;
};

const severity = z.enum(SEVERITIES, { error: expected(`a severity: ${SEVERITIES.join(', ')}`, closeTo(SEVERITIES)) });

function controlId(knownControls: ReadonlySet<string>, allowAll: boolean) {
  return z.string({ error: expected('a control id such as pss-privileged') }).check((context) => {
    const id = context.value;
    if (knownControls.has(id) || (allowAll && id === '*')) return;
    const close = suggest(id, knownControls);
    context.issues.push({
      code: 'custom',
      input: id,
      message:
        `unknown control ${describeValue(id)}` +
        (close ? `; did you mean "${close}"?` : '; `bulwark controls` lists them') +
        (allowAll && !close ? ' (or "*" for all)' : ''),
    });
  });
}

function list<T extends z.ZodType>(item: T, what: string) {
  const hint = (input: unknown) => (typeof input === 'string' ? `write [${input}]` : undefined);
  return z.array(item, { error: expected(`a list of ${what}`, hint) });
}

/** A list that must name something: an empty list in a scope would silently match nothing. */
function nonEmptyList<T extends z.ZodType>(item: T, what: string, emptyHint: string) {
  return list(item, what).min(1, { error: emptyHint });
}

const text = (what: string) =>
  z.string({ error: expected(what) }).refine((value) => value.trim() !== '', { error: `expected ${what}; got an empty string` });

const nameGlob = text('a name or a glob with * and ?');

/** A namespace name (RFC 1123 label) or a glob of one; the same rule as `--exclude-namespaces`. */
const namespaceGlob = z
  .string({ error: expected('a namespace name or a glob with * and ?') })
  .regex(NAMESPACE_GLOB, {
    error: (issue) => `expected a namespace name or glob (lowercase letters, digits and "-", at most 63 characters; "*" and "?" as wildcards); got ${describeValue(issue.input)}`,
  });

const kind = z
  .string({ error: expected('a kind such as Deployment') })
  .regex(KIND, { error: (issue) => `expected a kind such as Deployment; got ${describeValue(issue.input)}` });

const pathGlob = text('a path glob').check((context) => {
  const glob = context.value;
  const problem = pathGlobProblem(glob);
  if (problem) context.issues.push({ code: 'custom', input: glob, message: `path glob ${describeValue(glob)} ${problem}` });
});

const expiryDate = z.unknown().transform((value, context) => {
  const date = toIsoDate(value);
  if (date !== undefined) return date;
  context.addIssue({
    code: 'custom',
    input: value,
    message: `expected a date written YYYY-MM-DD (e.g. 2027-03-31); got ${describeValue(value)}`,
  });
  return z.NEVER;
});

function exception(knownControls: ReadonlySet<string>) {
  const scope = (item: z.ZodType<string>, what: string, key: string) =>
    nonEmptyList(item, what, `an empty list matches nothing; leave out "${key}" to match every ${key.replace(/s$/, '')}`).optional();
  return z.strictObject({
    controls: nonEmptyList(
      controlId(knownControls, true),
      'control ids (or "*")',
      'an empty list exempts nothing; name the controls, or write ["*"] for all',
    ),
    namespaces: scope(nameGlob, 'namespaces (globs with * and ?)', 'namespaces'),
    kinds: scope(kind, 'kinds', 'kinds'),
    names: scope(nameGlob, 'object names (globs with * and ?)', 'names'),
    reason: text('a reason: why this exception is acceptable (a ticket, an owner)'),
    expires: expiryDate.optional(),
  }, { error: expected('a mapping with controls, reason and optionally namespaces, kinds, names, expires') });
}

const registry = z.string({ error: expected('a registry such as registry.example.com, *.corp.example or docker.io/bitnami') }).check((context) => {
  const result = parseRegistryPattern(context.value);
  if (!result.ok) context.issues.push({ code: 'custom', input: context.value, message: result.message });
});

const imageTag = z
  .string({ error: expected('an image tag such as stable') })
  .regex(IMAGE_TAG, { error: (issue) => `expected an image tag (letters, digits, "_", "." and "-"); got ${describeValue(issue.input)}` });

/** A Kubernetes quantity (`500m`, `1Gi`, or a number), kept as text for the checks to read. */
const quantity = z.unknown().transform((value, context) => {
  const result = parseQuantity(value);
  if (result.ok) return typeof value === 'number' ? String(value) : (value as string);
  context.addIssue({ code: 'custom', input: value, message: result.message });
  return z.NEVER;
});

function bounds(resource: string) {
  return z
    .strictObject(
      {
        requestMin: quantity.optional(),
        requestMax: quantity.optional(),
        limitMin: quantity.optional(),
        limitMax: quantity.optional(),
      },
      { error: expected(`a mapping of requestMin, requestMax, limitMin and limitMax for ${resource}`) },
    )
    .check((context) => {
      for (const section of ['request', 'limit'] as const) {
        const min = context.value[`${section}Min`];
        const max = context.value[`${section}Max`];
        if (min === undefined || max === undefined) continue;
        if (boundsInverted(min, max)) {
          context.issues.push({ code: 'custom', input: context.value, message: `${section}Min ${min} is above ${section}Max ${max}` });
        }
      }
    });
}

/** The schema of the file, bound to the controls that exist in this build. */
export function configFileSchema(knownControls: ReadonlySet<string>) {
  const mapping = (what: string) => ({ error: expected(`a mapping of ${what}`) });
  return z.strictObject(
    {
      version: z.literal(CONFIG_FORMAT_VERSION, {
        error: (issue) =>
          issue.input === undefined
            ? `missing; write "version: ${CONFIG_FORMAT_VERSION}" first in the file`
            : `expected ${CONFIG_FORMAT_VERSION} (the configuration format this Bulwark reads); got ${describeValue(issue.input)}`,
      }),
      pss: z
        .strictObject(
          {
            level: z
              .enum(['baseline', 'restricted'], { error: expected('baseline or restricted', closeTo(['baseline', 'restricted'])) })
              .optional(),
            version: z
              .string({
                error: expected('a Kubernetes version such as "v1.30", or "latest"', (input) =>
                  typeof input === 'number' ? 'quote it and prefix a v: "v1.30"' : undefined,
                ),
              })
              .refine(isPssVersion, {
                error: (issue) =>
                  `expected a Kubernetes version from v1.0 to ${PSS_VERSIONS.at(-1)}, or "latest"; got ${describeValue(issue.input)}`,
              })
              .optional(),
          },
          mapping('level and version'),
        )
        .optional(),
      failOn: severity.optional(),
      exclude: list(pathGlob, 'path globs').optional(),
      controls: z
        .strictObject(
          {
            disable: list(controlId(knownControls, false), 'control ids').optional(),
            enable: list(controlId(knownControls, false), 'control ids').optional(),
            severity: z.record(controlId(knownControls, false), severity, mapping('control ids to severities')).optional(),
          },
          mapping('disable, enable and severity'),
        )
        .optional(),
      checks: z
        .strictObject(
          {
            images: z
              .strictObject(
                {
                  allowedRegistries: list(registry, 'registries').optional(),
                  privateRegistries: list(registry, 'registries').optional(),
                  floatingTags: list(imageTag, 'image tags').optional(),
                },
                mapping('allowedRegistries, privateRegistries and floatingTags'),
              )
              .optional(),
            resources: z.strictObject({ cpu: bounds('cpu').optional(), memory: bounds('memory').optional() }, mapping('cpu and memory')).optional(),
          },
          mapping('images and resources'),
        )
        .optional(),
      exceptions: list(exception(knownControls), 'exceptions').optional(),
      cluster: z
        .strictObject({ excludeNamespaces: list(namespaceGlob, 'namespace names or globs').optional() }, mapping('excludeNamespaces'))
        .optional(),
    },
    mapping('settings'),
  );
}

export type ConfigFile = z.output<ReturnType<typeof configFileSchema>>;

/**
 * The keys allowed in the mapping at `path` (for "did you mean"), found by walking the schema the
 * same way the validator did.
 */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of [...path, null]) {
    for (;;) {
      if (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
      else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
      else break;
    }
    if (segment === null) break;
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

export function suggestKey(key: string, schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  return suggest(key, keysAt(schema, path));
}
