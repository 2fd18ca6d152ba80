// Rules files → one RuleSet. Documents apply in order (the built-in rules first, then the user's
// files): a list is replaced or, with `append: true`, extended; a macro is replaced; a rule whose id
// exists changes only the fields given (its exceptions are added to), a new id adds a rule. Every
// mistake names the file and the field, e.g. `my-rules.yaml: rules[2].priority: …`.
import { readFileSync, statSync } from 'node:fs';
import { load } from 'js-yaml';
import { AuditError } from '../errors.ts';
import { isPriority, PRIORITIES, RULES_API_VERSION, RULES_KIND, type RuleMatch, type RuleSet, type RuleSpec, type RulesDocument } from './model.ts';

const MAX_RULES_FILE_BYTES = 4 << 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RULE_ID = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
const MAX_EXPRESSION = 20_000;
const MAX_LIST_ITEMS = 100_000;

export function emptyRuleSet(): RuleSet {
  return { lists: new Map(), macros: new Map(), rules: new Map() };
}

type Raw = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  fail(path: string, message: string): never {
    throw new AuditError('rules', `${path === '' ? '' : `${path}: `}${message}`, { location: { file: this.source } });
  }

  string(value: unknown, path: string, max = 4096): string {
    if (typeof value !== 'string') this.fail(path, `must be a string, not ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
    if (value.length > max) this.fail(path, `is longer than ${max} characters`);
    return value;
  }

  strings(value: unknown, path: string, max = MAX_LIST_ITEMS): string[] {
    if (!Array.isArray(value)) this.fail(path, 'must be a list of strings');
    if (value.length > max) this.fail(path, `has more than ${max} items`);
    return value.map((item, i) => this.string(typeof item === 'number' || typeof item === 'boolean' ? String(item) : item, `${path}[${i}]`));
  }

  keys(value: Raw, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) if (!allowed.includes(key)) this.fail(path === '' ? key : `${path}.${key}`, `unknown field; expected one of ${allowed.join(', ')}`);
  }
}

/** Parses one rules file's text (YAML or JSON). */
export function parseRulesDocument(text: string, source: string): RulesDocument {
  const reader: Reader = new Reader(source);
  if (text.length > MAX_RULES_FILE_BYTES) reader.fail('', `larger than ${MAX_RULES_FILE_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = load(text, { filename: source });
  } catch (error) {
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    // The parser's `reason` is its message without the file and position the location already gives.
    const reason = (error as { reason?: unknown }).reason;
    throw new AuditError('rules', `not valid YAML: ${typeof reason === 'string' && reason !== '' ? reason : (error as Error).message.split('\n')[0]}`, {
      location: { file: source, ...(mark?.line === undefined ? {} : { line: mark.line + 1, column: (mark.column ?? 0) + 1 }) },
      cause: error,
    });
  }
  if (!isRecord(parsed)) reader.fail('', 'a rules file is a mapping with apiVersion, kind, lists, macros and rules');
  reader.keys(parsed, ['apiVersion', 'kind', 'lists', 'macros', 'rules'], '');
  if (parsed.apiVersion !== RULES_API_VERSION) reader.fail('apiVersion', `must be ${RULES_API_VERSION}`);
  if (parsed.kind !== RULES_KIND) reader.fail('kind', `must be ${RULES_KIND}`);
  const document: { apiVersion: typeof RULES_API_VERSION; kind: typeof RULES_KIND; lists?: RulesDocument['lists']; macros?: RulesDocument['macros']; rules?: RulesDocument['rules'] } = {
    apiVersion: RULES_API_VERSION,
    kind: RULES_KIND,
  };
  if (parsed.lists !== undefined && parsed.lists !== null) {
    if (!isRecord(parsed.lists)) reader.fail('lists', 'must be a mapping of list names to lists');
    const lists: Record<string, RulesDocument['lists'] extends Readonly<Record<string, infer L>> | undefined ? L : never> = {};
    for (const [name, value] of Object.entries(parsed.lists)) {
      const path = `lists.${name}`;
      if (!NAME.test(name)) reader.fail(path, 'a list name is a letter or _ followed by letters, digits or _');
      if (Array.isArray(value)) lists[name] = reader.strings(value, path);
      else if (isRecord(value)) {
        reader.keys(value, ['items', 'append'], path);
        if (value.append !== undefined && typeof value.append !== 'boolean') reader.fail(`${path}.append`, 'must be true or false');
        lists[name] = { items: reader.strings(value.items ?? [], `${path}.items`), append: value.append === true };
      } else reader.fail(path, 'must be a list of strings, or {items, append}');
    }
    document.lists = lists;
  }
  if (parsed.macros !== undefined && parsed.macros !== null) {
    if (!isRecord(parsed.macros)) reader.fail('macros', 'must be a mapping of macro names to CEL conditions');
    const macros: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed.macros)) {
      if (!NAME.test(name)) reader.fail(`macros.${name}`, 'a macro name is a letter or _ followed by letters, digits or _');
      macros[name] = reader.string(typeof value === 'boolean' ? String(value) : value, `macros.${name}`, MAX_EXPRESSION);
    }
    document.macros = macros;
  }
  if (parsed.rules !== undefined && parsed.rules !== null) {
    if (!Array.isArray(parsed.rules)) reader.fail('rules', 'must be a list of rules');
    document.rules = parsed.rules.map((value, i) => parseRule(reader, value, `rules[${i}]`));
  }
  return document;
}

const RULE_FIELDS = ['id', 'title', 'falco', 'falcoAliases', 'priority', 'description', 'match', 'condition', 'exceptions', 'output', 'tags', 'enabled'];

function parseRule(reader: Reader, value: unknown, path: string): Partial<RuleSpec> & { id: string } {
  if (!isRecord(value)) reader.fail(path, 'a rule is a mapping with at least an id');
  reader.keys(value, RULE_FIELDS, path);
  const id = reader.string(value.id, `${path}.id`, 128);
  if (!RULE_ID.test(id)) reader.fail(`${path}.id`, 'a rule id is lower-case letters, digits, ".", "_" or "-"');
  const rule: Partial<Record<keyof RuleSpec, unknown>> & { id: string } = { id };
  if (value.title !== undefined) rule.title = reader.string(value.title, `${path}.title`, 256);
  if (value.falco !== undefined) rule.falco = value.falco === null ? null : reader.string(value.falco, `${path}.falco`, 256);
  if (value.falcoAliases !== undefined) rule.falcoAliases = reader.strings(value.falcoAliases, `${path}.falcoAliases`, 16);
  if (value.priority !== undefined) {
    const priority = typeof value.priority === 'string' ? value.priority.toUpperCase() : value.priority;
    if (!isPriority(priority)) reader.fail(`${path}.priority`, `must be one of ${PRIORITIES.join(', ')}`);
    rule.priority = priority;
  }
  if (value.description !== undefined) rule.description = reader.string(value.description, `${path}.description`, 8192);
  if (value.match !== undefined) rule.match = parseMatch(reader, value.match, `${path}.match`);
  if (value.condition !== undefined) rule.condition = reader.string(value.condition, `${path}.condition`, MAX_EXPRESSION);
  if (value.exceptions !== undefined) rule.exceptions = reader.strings(value.exceptions, `${path}.exceptions`, 1000).map((e, i) => reader.string(e, `${path}.exceptions[${i}]`, MAX_EXPRESSION));
  if (value.output !== undefined) rule.output = reader.string(value.output, `${path}.output`, 8192);
  if (value.tags !== undefined) rule.tags = reader.strings(value.tags, `${path}.tags`, 64);
  if (value.enabled !== undefined) {
    if (typeof value.enabled !== 'boolean') reader.fail(`${path}.enabled`, 'must be true or false');
    rule.enabled = value.enabled;
  }
  return rule as Partial<RuleSpec> & { id: string };
}

function parseMatch(reader: Reader, value: unknown, path: string): RuleMatch {
  if (!isRecord(value)) reader.fail(path, 'must be a mapping of stages, verbs, resources, subresources');
  reader.keys(value, ['stages', 'verbs', 'resources', 'subresources'], path);
  const match: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = {};
  for (const key of ['stages', 'verbs', 'resources', 'subresources'] as const) {
    if (value[key] !== undefined && value[key] !== null) match[key] = reader.strings(value[key], `${path}.${key}`, 256);
  }
  return match;
}

/** Applies `document` (from `source`) on top of `set`. */
export function applyRulesDocument(set: RuleSet, document: RulesDocument, source: string): void {
  const reader: Reader = new Reader(source);
  for (const [name, spec] of Object.entries(document.lists ?? {})) {
    if (Array.isArray(spec)) set.lists.set(name, [...spec]);
    else {
      const { items, append } = spec as { items: readonly string[]; append?: boolean };
      set.lists.set(name, append === true ? [...(set.lists.get(name) ?? []), ...items] : [...items]);
    }
  }
  for (const [name, condition] of Object.entries(document.macros ?? {})) set.macros.set(name, { condition, source });
  (document.rules ?? []).forEach((rule, i) => {
    const path = `rules[${i}]`;
    const existing = set.rules.get(rule.id);
    if (existing !== undefined) {
      const merged = { ...existing, ...rule, exceptions: [...existing.exceptions, ...(rule.exceptions ?? [])], source };
      set.rules.set(rule.id, merged);
      return;
    }
    for (const required of ['priority', 'condition', 'output'] as const) {
      if (rule[required] === undefined) reader.fail(`${path}.${required}`, `a new rule ("${rule.id}") needs ${required}`);
    }
    set.rules.set(rule.id, {
      id: rule.id,
      title: rule.title ?? rule.id,
      falco: rule.falco ?? null,
      falcoAliases: rule.falcoAliases ?? [],
      priority: rule.priority!,
      description: rule.description ?? '',
      match: rule.match ?? {},
      condition: rule.condition!,
      exceptions: rule.exceptions ?? [],
      output: rule.output!,
      tags: rule.tags ?? [],
      enabled: rule.enabled ?? true,
      source,
    });
  });
}

/** Reads a rules file from disk (bounded). */
export function readRulesFile(path: string): RulesDocument {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new AuditError('io', `cannot read rules file ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
  }
  if (size > MAX_RULES_FILE_BYTES) throw new AuditError('rules', `rules file is larger than ${MAX_RULES_FILE_BYTES} bytes`, { location: { file: path } });
  return parseRulesDocument(readFileSync(path, 'utf8'), path);
}
