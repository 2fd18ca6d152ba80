import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath, type FieldPath } from '../core/index.ts';
import { parseYamlStream, type ParsedDocument } from '../load/yaml.ts';
import { defaultConfig, MAX_CONFIG_BYTES, type Config, type ConfigException } from './config.ts';

export { MAX_CONFIG_BYTES };
import { ConfigError, type ConfigProblem } from './errors.ts';
import { configFileSchema, keysAt, suggestKey, type ConfigFile } from './schema.ts';

/** A configuration file is a page of settings; anything this large is not one. */

/**
 * YAML aliases can make a small file expand to a huge value; validation walks the expanded value,
 * so it is bounded here first.
 */
const MAX_VALUES = 100_000;

/**
 * Reads the text of a configuration file. `file` is the name shown in messages; `baseDir` is where
 * `exclude` globs start (the file's directory). Throws a ConfigError listing every problem found.
 */
export function parseConfig(
  text: string,
  file: string,
  knownControls: ReadonlySet<string>,
  baseDir: string = dirname(resolve(file)),
): Config {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    const message = `larger than ${MAX_CONFIG_BYTES / 1024} KiB; a configuration file is refused at that size`;
    throw new ConfigError([{ location: { file }, message }]);
  }
  const outcome = parseYamlStream(text, file);
  if (outcome.errors.length > 0) {
    throw new ConfigError(
      outcome.errors.map((error) => ({ location: error.location ?? { file }, message: error.message })),
    );
  }
  const documents = outcome.documents.filter((document, index) => index === 0 || document.value !== null);
  const [root, second] = documents;
  // An empty file (or one holding only comments) configures nothing: every default applies.
  if (root === undefined || (root.value === null && second === undefined)) return { ...defaultConfig(baseDir), file };
  if (second !== undefined) {
    const message = 'a configuration file holds one YAML document; remove the "---" and what follows, or merge it into the first';
    throw new ConfigError([{ location: { file, line: second.line, column: second.column }, message }]);
  }
  if (countValues(root.value, MAX_VALUES) > MAX_VALUES) {
    const message = `expands to more than ${MAX_VALUES} values (through YAML aliases); refused`;
    throw new ConfigError([{ location: { file, line: root.line, column: root.column }, message }]);
  }
  const schema = configFileSchema(knownControls);
  const result = schema.safeParse(root.value);
  if (!result.success) throw new ConfigError(result.error.issues.flatMap((issue) => problemsOf(issue, schema, root, file)));
  return toConfig(result.data, root, file, baseDir);
}

function problemsOf(issue: z.core.$ZodIssue, schema: z.ZodType, root: ParsedDocument, file: string): ConfigProblem[] {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
  const at = (fieldPath: FieldPath) => {
    const position = root.positions.locate(fieldPath);
    return { file, line: position.line, column: position.column };
  };
  const where = (fieldPath: FieldPath) => formatPath(fieldPath) || 'the top level';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const close = suggestKey(key, schema, path);
      const keyPath = [...path, key];
      return {
        location: at(keyPath),
        message: `${where(keyPath)}: unknown key; ${close ? `did you mean "${close}"?` : `expected one of: ${keysAt(schema, path).join(', ')}`}`,
      };
    });
  }
  // A record key's own check failed (an unknown control named as a key): its first issue says why.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [{ location: at(path), message: `${where(path)}: ${message}` }];
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

function toConfig(data: ConfigFile, root: ParsedDocument, file: string, baseDir: string): Config {
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
  };
}
