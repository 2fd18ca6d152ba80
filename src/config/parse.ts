import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath, type FieldPath } from '../core/index.ts';
import type { ParsedDocument } from '../load/yaml.ts';
import { MAX_CONFIG_BYTES, type Config } from './config.ts';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { readConfig, toConfig } from './read.ts';
import { configFileSchema, keysAt, suggestKey } from './schema.ts';

export { MAX_CONFIG_BYTES };

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
  const read = readConfig(text, file, knownControls, baseDir);
  return 'config' in read ? read.config : validateWithSchema(read.refused, file, knownControls, baseDir);
}

/**
 * A document read.ts did not vouch for, validated by the schema: a ConfigError listing every
 * problem, or (should the schema accept what the plain walk did not) its configuration.
 */
export function validateWithSchema(root: ParsedDocument, file: string, knownControls: ReadonlySet<string>, baseDir: string): Config {
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
