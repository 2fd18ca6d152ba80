// Runs the rules over events. Compiling checks every condition, exception, macro and message part
// against the declared variables (a typo is an error naming the file, rule and column, not a rule
// that silently never fires) and works out, per rule, which event views it reads. Detecting an event
// tries only the rules whose `match` fits its stage, verb and resource, builds only the views those
// read, and evaluates each macro at most once.
import { celError, type CelValue } from '@bufbuild/cel';
import { Budget, CelCompileError, compileExpression, evaluate, lazyMap, prepareActivation, toJs, type CelProgram, type PreparedActivation, type VariableDeclaration } from '../policy/cel/index.ts';
import { AuditError } from './errors.ts';
import { foldBoolean } from './fold.ts';
import type { AuditEvent } from './event.ts';
import { BUILTIN_RULES } from './rules/builtin.ts';
import { applyRulesDocument, emptyRuleSet, readRulesFile } from './rules/load.ts';
import { priorityRank, type Priority, type RuleSet, type RuleSpec, type RulesDocument } from './rules/model.ts';
import { EVENT_VARIABLES, EventViews, toCel, type EventVariable } from './views.ts';

export interface Alert {
  rule: string;
  title: string;
  falco: string | null;
  priority: Priority;
  auditID: string;
  stage: string;
  /** Milliseconds since the epoch (the event's stage time). */
  time: number;
  user: string;
  message: string;
  tags: readonly string[];
}

export interface DetectorOptions {
  /** Rules below this priority are not run (default: all). */
  minPriority?: Priority;
  /** Cost units one condition may use (default 100,000: far above any sane rule). */
  costLimit?: number;
  /** Wall-clock bound of one condition in ms (default 50). */
  timeLimitMs?: number;
}

/** Where the rules come from: the built-in set (unless left out) and then these documents or files, in order. */
export interface RuleSources {
  builtin?: boolean;
  files?: readonly string[];
  documents?: readonly { document: RulesDocument; source: string }[];
}

export function buildRuleSet(sources: RuleSources = {}): RuleSet {
  const set = emptyRuleSet();
  if (sources.builtin ?? true) applyRulesDocument(set, BUILTIN_RULES, 'built-in rules');
  for (const { document, source } of sources.documents ?? []) applyRulesDocument(set, document, source);
  for (const file of sources.files ?? []) applyRulesDocument(set, readRulesFile(file), file);
  return set;
}

type OutputPart = string | { program: CelProgram; source: string };

interface CompiledRule {
  spec: RuleSpec;
  condition: CelProgram;
  exceptions: CelProgram[];
  output: OutputPart[];
  /** The event views this rule (its macros included) may read. */
  needs: EventVariable[];
  stages: ReadonlySet<string> | undefined;
  verbs: ReadonlySet<string> | undefined;
  resources: ReadonlySet<string> | undefined;
  subresources: ReadonlySet<string> | undefined;
}

const MACRO_REFERENCE = /\bmacros\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_MESSAGE = 2_000;
const EVENT_VARIABLE_SET: ReadonlySet<string> = new Set(EVENT_VARIABLES);

function macroNames(source: string): string[] {
  return [...source.matchAll(MACRO_REFERENCE)].map((m) => m[1]!);
}

/** `text {expr} text`; `{{` and `}}` are literal braces. */
function splitTemplate(template: string, where: string, file: string): (string | { source: string })[] {
  const parts: (string | { source: string })[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && template[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) throw new AuditError('rules', `${where}: "{" at column ${i + 1} is not closed (write {{ for a literal brace)`, { location: { file } });
      if (text !== '') parts.push(text);
      text = '';
      parts.push({ source: template.slice(i + 1, end).trim() });
      i = end;
    } else if (c === '}') throw new AuditError('rules', `${where}: "}" at column ${i + 1} closes nothing (write }} for a literal brace)`, { location: { file } });
    else text += c;
  }
  if (text !== '') parts.push(text);
  return parts;
}

function render(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(',');
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '';
  } catch {
    return '';
  }
}

export class Detector {
  readonly rules: readonly RuleSpec[];
  /** Enabled rules whose condition cannot be true given the macros (e.g. consider_all_events: false). */
  readonly inactive: readonly string[];
  /** Evaluation errors per rule id (a condition that failed on an event counts as not matching). */
  readonly errors = new Map<string, { count: number; last: string }>();
  readonly #compiled: CompiledRule[];
  readonly #byResource = new Map<string, CompiledRule[]>();
  /** The lists as one CEL map, built once. */
  readonly #lists: unknown;
  readonly #macroNames: string[];
  readonly #macros: Map<string, CelProgram>;
  readonly #budget: Budget;
  readonly #limits: { budget: Budget; costLimit: number; timeLimitMs: number };

  constructor(set: RuleSet, options: DetectorOptions = {}) {
    const listNames = [...set.lists.keys()];
    this.#macroNames = [...set.macros.keys()];
    const declarations: Record<string, VariableDeclaration> = { lists: { fields: listNames }, macros: { fields: this.#macroNames } };
    for (const name of EVENT_VARIABLES) declarations[name] = 'dyn';
    const compile = (source: string, where: string, file: string): CelProgram => {
      try {
        return compileExpression(source, declarations);
      } catch (error) {
        if (error instanceof CelCompileError) throw new AuditError('rules', `${where}: ${error.message}`, { location: { file }, cause: error });
        throw error;
      }
    };
    // Macros, and which event views each reads (through the macros it uses, too).
    this.#macros = new Map();
    const direct = new Map<string, { views: Set<EventVariable>; macros: string[] }>();
    for (const [name, macro] of set.macros) {
      const program = compile(macro.condition, `macros.${name}`, macro.source);
      this.#macros.set(name, program);
      direct.set(name, { views: viewsOf(program), macros: macroNames(macro.condition) });
    }
    const closure = new Map<string, Set<EventVariable>>();
    const resolve = (name: string, path: string[]): Set<EventVariable> => {
      const done = closure.get(name);
      if (done !== undefined) return done;
      if (path.includes(name)) throw new AuditError('rules', `macros.${name}: macros use each other in a cycle (${[...path, name].join(' → ')})`, { location: { file: set.macros.get(name)!.source } });
      const entry = direct.get(name);
      const views = new Set(entry?.views ?? []);
      for (const used of entry?.macros ?? []) for (const view of resolve(used, [...path, name])) views.add(view);
      closure.set(name, views);
      return views;
    };
    for (const name of this.#macroNames) resolve(name, []);
    // Macros settled before any event (fixpoint: a macro may be settled by others that are).
    const constants = new Map<string, boolean>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, macro] of set.macros) {
        if (constants.has(name)) continue;
        const value = foldBoolean(macro.condition, constants);
        if (value !== undefined) {
          constants.set(name, value);
          changed = true;
        }
      }
    }

    const minimum = options.minPriority === undefined ? 0 : priorityRank(options.minPriority);
    this.rules = [...set.rules.values()].filter((rule) => rule.enabled && priorityRank(rule.priority) >= minimum);
    const compiled = this.rules.map((rule) => {
      const source = (set.rules.get(rule.id) as RuleSpec & { source: string }).source;
      const condition = compile(rule.condition, `rule ${rule.id}: condition`, source);
      const exceptions = rule.exceptions.map((exception, i) => compile(exception, `rule ${rule.id}: exceptions[${i}]`, source));
      const output: OutputPart[] = splitTemplate(rule.output, `rule ${rule.id}: output`, source).map((part) =>
        typeof part === 'string' ? part : { program: compile(part.source, `rule ${rule.id}: output {${part.source}}`, source), source: part.source },
      );
      const needs = new Set<EventVariable>();
      const sources = [rule.condition, ...rule.exceptions, ...output.flatMap((p) => (typeof p === 'string' ? [] : [p.source]))];
      for (const program of [condition, ...exceptions, ...output.flatMap((p) => (typeof p === 'string' ? [] : [p.program]))]) for (const view of viewsOf(program)) needs.add(view);
      for (const text of sources) for (const macro of macroNames(text)) for (const view of closure.get(macro) ?? []) needs.add(view);
      const set_ = (values: readonly string[] | undefined): ReadonlySet<string> | undefined => (values === undefined ? undefined : new Set(values));
      return {
        spec: rule,
        condition,
        exceptions,
        output,
        needs: [...needs],
        stages: set_(rule.match.stages),
        verbs: set_(rule.match.verbs),
        resources: set_(rule.match.resources),
        subresources: set_(rule.match.subresources),
      };
    });
    // Every rule is compiled (a mistake in one that is switched off is still a mistake); those whose
    // condition is settled false are not tried on events.
    this.#compiled = compiled.filter((rule) => foldBoolean(rule.spec.condition, constants) !== false);
    this.inactive = compiled.filter((rule) => !this.#compiled.includes(rule)).map((rule) => rule.spec.id);
    const lists: Record<string, readonly string[]> = {};
    for (const [name, items] of set.lists) lists[name] = items;
    this.#lists = toCel(lists);
    this.#budget = new Budget(1, 1);
    this.#limits = { budget: this.#budget, costLimit: options.costLimit ?? 100_000, timeLimitMs: options.timeLimitMs ?? 50 };
  }

  /** The alerts `event` raises, in rule order. Never throws for anything in the event. */
  /** The rules that may apply to a resource, in rule order (most events name few resources). */
  #forResource(resource: string): CompiledRule[] {
    let rules = this.#byResource.get(resource);
    if (rules === undefined) {
      rules = this.#compiled.filter((rule) => rule.resources === undefined || rule.resources.has(resource));
      // Resource names come from events: keep the index bounded.
      if (this.#byResource.size >= 1024) this.#byResource.clear();
      this.#byResource.set(resource, rules);
    }
    return rules;
  }

  detect(event: AuditEvent): Alert[] {
    const ref = event.objectRef;
    const subresource = ref?.subresource ?? '';
    let candidates: CompiledRule[] | undefined;
    for (const rule of this.#forResource(ref?.resource ?? '')) {
      if (rule.stages !== undefined && !rule.stages.has(event.stage)) continue;
      if (rule.verbs !== undefined && !rule.verbs.has(event.verb)) continue;
      if (rule.subresources !== undefined && !rule.subresources.has(subresource)) continue;
      (candidates ??= []).push(rule);
    }
    if (candidates === undefined) return [];

    const views = new EventViews(event);
    const values: Record<string, unknown> = { lists: this.#lists };
    for (const rule of candidates) for (const name of rule.needs) if (!(name in values)) values[name] = views.get(name);
    // Every expression of this event shares one budget: a pathological event cannot buy more time
    // by matching more rules.
    this.#budget.reset(this.#limits.costLimit * (candidates.length + this.#macroNames.length + 1), this.#limits.timeLimitMs * 4);
    let activation!: PreparedActivation;
    const evaluating = new Set<string>();
    values.macros = lazyMap(this.#macroNames, (name): CelValue => {
      if (evaluating.has(name)) return celError(`macro ${name} uses itself`) as unknown as CelValue;
      evaluating.add(name);
      try {
        const result = evaluate(this.#macros.get(name)!, activation, this.#limits);
        return result.ok ? result.value : (celError(`macro ${name}: ${result.error.message}`) as unknown as CelValue);
      } finally {
        evaluating.delete(name);
      }
    });
    activation = prepareActivation(values);

    const alerts: Alert[] = [];
    for (const rule of candidates) {
      if (!this.#truth(rule, rule.condition, activation)) continue;
      if (rule.exceptions.some((exception) => this.#truth(rule, exception, activation))) continue;
      alerts.push({
        rule: rule.spec.id,
        title: rule.spec.title,
        falco: rule.spec.falco,
        priority: rule.spec.priority,
        auditID: event.auditID,
        stage: event.stage,
        time: event.time,
        user: event.user.username,
        message: this.#message(rule, activation),
        tags: rule.spec.tags,
      });
    }
    return alerts;
  }

  #truth(rule: CompiledRule, program: CelProgram, activation: PreparedActivation): boolean {
    const result = evaluate(program, activation, this.#limits);
    if (result.ok && result.value === true) return true;
    if (!result.ok || result.value !== false) {
      const message = result.ok ? `evaluated to ${render(toJs(result.value))}, not a bool` : result.error.message;
      const seen = this.errors.get(rule.spec.id);
      if (seen === undefined) this.errors.set(rule.spec.id, { count: 1, last: message });
      else {
        seen.count++;
        seen.last = message;
      }
    }
    return false;
  }

  #message(rule: CompiledRule, activation: PreparedActivation): string {
    let message = '';
    for (const part of rule.output) {
      if (typeof part === 'string') message += part;
      else {
        const result = evaluate(part.program, activation, this.#limits);
        // A part that does not apply to this event (a missing key) renders empty.
        if (result.ok) message += render(toJs(result.value));
      }
      if (message.length > MAX_MESSAGE) return `${message.slice(0, MAX_MESSAGE)}…`;
    }
    return message;
  }
}

function viewsOf(program: CelProgram): Set<EventVariable> {
  const views = new Set<EventVariable>();
  for (const name of program.references) if (EVENT_VARIABLE_SET.has(name)) views.add(name as EventVariable);
  return views;
}

/** The detector for these sources, with typed errors naming the rules file on any mistake. */
export function createDetector(sources: RuleSources = {}, options: DetectorOptions = {}): Detector {
  return new Detector(buildRuleSet(sources), options);
}
