// Reading `.bulwark.yaml` without the schema library. Loading the schema library costs a scan more
// than everything else the configuration does, and nearly every file a scan reads is valid, so a
// valid file is read here by a plain walk that accepts exactly what the schema (schema.ts) accepts.
// Whatever this walk does not vouch for goes to the schema, which says what is wrong and where.
import { parseQuantity } from '../checks/compute/quantity.ts';
import { parseRegistryPattern } from '../checks/distribute/registry-pattern.ts';
import { SEVERITIES, type Severity } from '../core/index.ts';
import { parseYamlStream, type ParsedDocument } from '../load/yaml.ts';
import { isPssVersion, type PssVersion } from '../pss/version.ts';
import { defaultConfig, MAX_CONFIG_BYTES, type Config, type ConfigException } from './config.ts';
import { ConfigError } from './errors.ts';
import { NAMESPACE_GLOB } from './glob.ts';

/**
 * YAML aliases can make a small file expand to a huge value; validation walks the expanded value,
 * so it is bounded here first.
 */
const MAX_VALUES = 100_000;

/** Bumped only when a file written for this Bulwark would be read differently. */
export const CONFIG_FORMAT_VERSION = 1;

/** What the schema's output holds for a valid file: the keys the file sets, values normalised. */
export interface ConfigFile {
  version: typeof CONFIG_FORMAT_VERSION;
  pss?: { level?: 'baseline' | 'restricted'; version?: PssVersion };
  failOn?: Severity;
  exclude?: string[];
  controls?: { disable?: string[]; enable?: string[]; severity?: Record<string, Severity> };
  checks?: {
    images?: { allowedRegistries?: string[]; privateRegistries?: string[]; floatingTags?: string[] };
    resources?: { cpu?: QuantityBounds; memory?: QuantityBounds };
  };
  exceptions?: {
    controls: string[];
    namespaces?: string[];
    kinds?: string[];
    names?: string[];
    reason: string;
    expires?: string;
  }[];
  cluster?: { excludeNamespaces?: string[] };
}

interface QuantityBounds {
  requestMin?: string;
  requestMax?: string;
  limitMin?: string;
  limitMax?: string;
}

/** A file read: its configuration, or the document to hand to the schema for the reasons it is refused. */
export type ReadConfig = { config: Config } | { refused: ParsedDocument };

/**
 * Reads the text of a configuration file. `file` is the name shown in messages; `baseDir` is where
 * `exclude` globs start (the file's directory). Throws a ConfigError for what is wrong before
 * validation (size, YAML syntax, more than one document, alias bombs).
 */
export function readConfig(text: string, file: string, knownControls: ReadonlySet<string>, baseDir: string): ReadConfig {
  const root = readConfigDocument(text, file);
  if (root === null) return { config: { ...defaultConfig(baseDir), file } };
  const data = validConfigFile(root.value, knownControls);
  return data === undefined ? { refused: root } : { config: toConfig(data, root, file, baseDir) };
}

/** The file's one document, or null for an empty file (or one of comments only): every default applies. */
function readConfigDocument(text: string, file: string): ParsedDocument | null {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    const message = `larger than ${MAX_CONFIG_BYTES / 1024} KiB; a configuration file is refused at that size`;
    throw new ConfigError([{ location: { file }, message }]);
  }
  const outcome = parseYamlStream(text, file);
  if (outcome.errors.length > 0) {
    throw new ConfigError(outcome.errors.map((error) => ({ location: error.location ?? { file }, message: error.message })));
  }
  const documents = outcome.documents.filter((document, index) => index === 0 || document.value !== null);
  const [root, second] = documents;
  if (root === undefined || (root.value === null && second === undefined)) return null;
  if (second !== undefined) {
    const message = 'a configuration file holds one YAML document; remove the "---" and what follows, or merge it into the first';
    throw new ConfigError([{ location: { file, line: second.line, column: second.column }, message }]);
  }
  if (countValues(root.value, MAX_VALUES) > MAX_VALUES) {
    const message = `expands to more than ${MAX_VALUES} values (through YAML aliases); refused`;
    throw new ConfigError([{ location: { file, line: root.line, column: root.column }, message }]);
  }
  return root;
}

/** How many values `value` holds once aliases are expanded, counting no further than `limit + 1`. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const current = stack.pop();
    count++;
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (current !== null && typeof current === 'object' && !(current instanceof Date)) {
      for (const item of Object.values(current)) stack.push(item);
    }
    // Bounds the stack too: a list of many aliases to a big list grows it before the count does.
    if (stack.length > limit) return limit + 1;
  }
  return count;
}

/** The configuration a validated file describes, every default filled in. */
export function toConfig(data: ConfigFile, root: ParsedDocument, file: string, baseDir: string): Config {
  const defaults = defaultConfig(baseDir);
  const exceptions: ConfigException[] = (data.exceptions ?? []).map((entry, index) => {
    const position = root.positions.locate(['exceptions', index]);
    return {
      index,
      controls: entry.controls.includes('*') ? '*' : new Set(entry.controls),
      namespaces: entry.namespaces ?? null,
      kinds: entry.kinds ?? null,
      names: entry.names ?? null,
      reason: entry.reason.trim(),
      expires: entry.expires ?? null,
      location: { file, line: position.line, column: position.column },
    };
  });
  return {
    file,
    baseDir,
    pss: {
      level: data.pss?.level ?? defaults.pss.level,
      version: data.pss?.version ?? defaults.pss.version,
    },
    failOn: data.failOn,
    exclude: data.exclude ?? [],
    controls: {
      disable: new Set(data.controls?.disable ?? []),
      severity: new Map(Object.entries(data.controls?.severity ?? {})),
    },
    exceptions,
    checks: {
      images: {
        allowedRegistries: data.checks?.images?.allowedRegistries ?? defaults.checks.images.allowedRegistries,
        privateRegistries: data.checks?.images?.privateRegistries ?? defaults.checks.images.privateRegistries,
        floatingTags: data.checks?.images?.floatingTags ?? defaults.checks.images.floatingTags,
      },
      resources: {
        cpu: data.checks?.resources?.cpu ?? defaults.checks.resources.cpu,
        memory: data.checks?.resources?.memory ?? defaults.checks.resources.memory,
      },
      enabled: data.controls?.enable ?? defaults.checks.enabled,
    },
    ...(data.cluster?.excludeNamespaces === undefined ? {} : { cluster: { excludeNamespaces: data.cluster.excludeNamespaces } }),
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD`, as text or as the timestamp a YAML 1.1 parser may make of an unquoted date (midnight
 * UTC). A date with a time of day is refused: expiry is a whole day.
 */
export function toIsoDate(value: unknown): string | undefined {
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time) || time % 86_400_000 !== 0) return undefined;
    const iso = value.toISOString();
    return DATE.test(iso.slice(0, 10)) ? iso.slice(0, 10) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return value;
}

/** The rules of the schema's fields that more than one place shares (schema.ts states each with its message). */
export const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why a path glob is refused, or undefined. */
export function pathGlobProblem(glob: string): string | undefined {
  if (glob.startsWith('/')) return 'is absolute; write it relative to the directory of the configuration file';
  if (glob.split('/').includes('..')) return 'leaves the directory of the configuration file; only files below it can be excluded';
  if (glob.includes('\\')) return 'uses "\\"; separate directories with "/"';
  return undefined;
}

/** Whether a `min` bound is above its `max` (both valid quantities). */
export function boundsInverted(min: string, max: string): boolean {
  const low = parseQuantity(min);
  const high = parseQuantity(max);
  return low.ok && high.ok && low.quantity.numerator * high.quantity.denominator > high.quantity.numerator * low.quantity.denominator;
}

// ---- The walk: each reader returns the schema's output for a valid value, or REFUSED. ----

const REFUSED = Symbol('refused');
type Read<T> = T | typeof REFUSED;

/** The file's settings when the schema would accept them, equal to its output; undefined otherwise. */
export function validConfigFile(value: unknown, knownControls: ReadonlySet<string>): ConfigFile | undefined {
  const out = readFile(value, knownControls);
  return out === REFUSED ? undefined : out;
}

/** A plain mapping (what YAML makes of one) whose keys are all among `allowed`. */
function mapping(value: unknown, allowed: readonly string[] | ReadonlySet<string>): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  const allows = Array.isArray(allowed) ? (key: string) => allowed.includes(key) : (key: string) => (allowed as ReadonlySet<string>).has(key);
  for (const key of Reflect.ownKeys(value)) if (typeof key !== 'string' || !allows(key)) return false;
  return true;
}

/** Reads the keys of `source` that are present into a fresh object, in the schema's key order. */
function fields<T extends object>(source: Record<string, unknown>, readers: { [K in keyof T]-?: (value: unknown) => Read<T[K]> }): Read<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(readers) as (keyof T & string)[]) {
    if (!Object.hasOwn(source, key)) continue;
    const read = readers[key](source[key]);
    if (read === REFUSED) return REFUSED;
    out[key] = read;
  }
  return out as T;
}

function list<T>(value: unknown, item: (value: unknown) => Read<T>, nonEmpty = false): Read<T[]> {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) return REFUSED;
  const out: T[] = [];
  for (const entry of value as unknown[]) {
    const read = item(entry);
    if (read === REFUSED) return REFUSED;
    out.push(read);
  }
  return out;
}

const string = (test: (value: string) => boolean) => (value: unknown): Read<string> => (typeof value === 'string' && test(value) ? value : REFUSED);
const text = string((value) => value.trim() !== '');
const severity = string((value) => (SEVERITIES as readonly string[]).includes(value)) as (value: unknown) => Read<Severity>;
const controlId = (known: ReadonlySet<string>, allowAll: boolean) => string((id) => known.has(id) || (allowAll && id === '*'));
const pathGlob = string((glob) => glob.trim() !== '' && pathGlobProblem(glob) === undefined);
const registry = string((pattern) => parseRegistryPattern(pattern).ok);
const imageTag = string((tag) => IMAGE_TAG.test(tag));
const kind = string((name) => KIND.test(name));
const namespaceGlob = string((glob) => NAMESPACE_GLOB.test(glob));

function quantity(value: unknown): Read<string> {
  if (!parseQuantity(value).ok) return REFUSED;
  return typeof value === 'number' ? String(value) : (value as string);
}

function bounds(value: unknown): Read<QuantityBounds> {
  if (!mapping(value, ['requestMin', 'requestMax', 'limitMin', 'limitMax'])) return REFUSED;
  const out = fields<QuantityBounds>(value, { requestMin: quantity, requestMax: quantity, limitMin: quantity, limitMax: quantity });
  if (out === REFUSED) return REFUSED;
  if (out.requestMin !== undefined && out.requestMax !== undefined && boundsInverted(out.requestMin, out.requestMax)) return REFUSED;
  if (out.limitMin !== undefined && out.limitMax !== undefined && boundsInverted(out.limitMin, out.limitMax)) return REFUSED;
  return out;
}

function readFile(value: unknown, known: ReadonlySet<string>): Read<ConfigFile> {
  const keys = ['version', 'pss', 'failOn', 'exclude', 'controls', 'checks', 'exceptions', 'cluster'];
  if (!mapping(value, keys) || value['version'] !== CONFIG_FORMAT_VERSION) return REFUSED;
  type Exception = NonNullable<ConfigFile['exceptions']>[number];
  const exception = (entry: unknown): Read<Exception> => {
    if (!mapping(entry, ['controls', 'namespaces', 'kinds', 'names', 'reason', 'expires']) || !Object.hasOwn(entry, 'controls') || !Object.hasOwn(entry, 'reason')) {
      return REFUSED;
    }
    return fields<Exception>(entry, {
      controls: (v) => list(v, controlId(known, true), true),
      namespaces: (v) => list(v, text, true),
      kinds: (v) => list(v, kind, true),
      names: (v) => list(v, text, true),
      reason: text,
      expires: (v) => toIsoDate(v) ?? REFUSED,
    });
  };
  const knownControl = controlId(known, false);
  return fields<ConfigFile>(value, {
    version: () => CONFIG_FORMAT_VERSION,
    pss: (v) =>
      mapping(v, ['level', 'version'])
        ? fields<NonNullable<ConfigFile['pss']>>(v, {
            level: string((level) => level === 'baseline' || level === 'restricted') as (value: unknown) => Read<'baseline' | 'restricted'>,
            version: (version) => (isPssVersion(version) ? version : REFUSED),
          })
        : REFUSED,
    failOn: severity,
    exclude: (v) => list(v, pathGlob),
    controls: (v) =>
      mapping(v, ['disable', 'enable', 'severity'])
        ? fields<NonNullable<ConfigFile['controls']>>(v, {
            disable: (ids) => list(ids, knownControl),
            enable: (ids) => list(ids, knownControl),
            severity: (map) => {
              if (!mapping(map, known)) return REFUSED;
              const out: Record<string, Severity> = {};
              for (const [id, level] of Object.entries(map)) {
                const read = severity(level);
                if (read === REFUSED) return REFUSED;
                out[id] = read;
              }
              return out;
            },
          })
        : REFUSED,
    checks: (v) =>
      mapping(v, ['images', 'resources'])
        ? fields<NonNullable<ConfigFile['checks']>>(v, {
            images: (images) =>
              mapping(images, ['allowedRegistries', 'privateRegistries', 'floatingTags'])
                ? fields<NonNullable<NonNullable<ConfigFile['checks']>['images']>>(images, {
                    allowedRegistries: (items) => list(items, registry),
                    privateRegistries: (items) => list(items, registry),
                    floatingTags: (items) => list(items, imageTag),
                  })
                : REFUSED,
            resources: (resources) =>
              mapping(resources, ['cpu', 'memory'])
                ? fields<NonNullable<NonNullable<ConfigFile['checks']>['resources']>>(resources, { cpu: bounds, memory: bounds })
                : REFUSED,
          })
        : REFUSED,
    exceptions: (v) => list(v, exception),
    cluster: (v) =>
      mapping(v, ['excludeNamespaces'])
        ? fields<NonNullable<ConfigFile['cluster']>>(v, { excludeNamespaces: (items) => list(items, namespaceGlob) })
        : REFUSED,
  });
}
