// Command-line flags as the control-plane binaries read them. The Kubernetes components parse with
// spf13/pflag (GNU-style `--flag=value`, `--flag value`, booleans without a value, `--` ends flags,
// `_` normalised to `-`); etcd parses with Go's standard `flag` package (one or two dashes, a boolean
// takes its value only after `=`, the first non-flag argument ends flags). Repeated flags: the last
// wins for plain values, list flags (StringSlice/StringArray) accumulate, map flags (`--feature-gates`)
// merge. Only the flags Bulwark's checks read need to be described; any other flag is read the way
// pflag reads a flag that takes a value, so it cannot swallow the next flag by mistake.
import type { FieldPath } from '../../../core/index.ts';

export type FlagDialect = 'pflag' | 'goflag';

export interface FlagTable {
  readonly dialect: FlagDialect;
  /** Boolean flags: `--flag` alone means true; with pflag, `--flag false` leaves `false` as an argument. */
  readonly booleans: ReadonlySet<string>;
  /** Plain flags that take a value: `--flag value` takes the next argument even when it starts with `-`. */
  readonly values: ReadonlySet<string>;
  /** Flags whose repetitions accumulate (StringSlice splits each value on commas, StringArray does not). */
  readonly lists: ReadonlyMap<string, 'slice' | 'array'>;
  /** `key=value,…` flags whose repetitions merge (`--feature-gates`). */
  readonly maps: ReadonlySet<string>;
  /** Single-letter shorthands (`-v`) and the flag each stands for. */
  readonly shorthands: ReadonlyMap<string, string>;
}

/** One `--flag`, as written: which argument held it and, when separate, which held its value. */
export interface FlagOccurrence {
  readonly name: string;
  /** The value as the flag received it (`true` for a bare boolean). */
  readonly value: string;
  /** Path to the argument holding the flag (`spec.containers[0].command[5]`). */
  readonly path: FieldPath;
}

export interface FlagProblem {
  readonly path: FieldPath;
  readonly message: string;
}

export interface ParsedFlags {
  readonly occurrences: readonly FlagOccurrence[];
  /** Arguments that are not flags (after `--`, or between flags with pflag). */
  readonly positional: readonly { value: string; path: FieldPath }[];
  /** What the binary would refuse to start with: a flag without its value, a bad boolean, bad syntax. */
  readonly problems: readonly FlagProblem[];
}

/** One argument and where it was written. */
export interface Argument {
  readonly value: string;
  readonly path: FieldPath;
}

const MAX_ARGUMENTS = 4096;

/** Parses the arguments after the program name. Never throws; every refusal becomes a problem. */
export function parseFlags(args: readonly Argument[], table: FlagTable): ParsedFlags {
  const occurrences: FlagOccurrence[] = [];
  const positional: Argument[] = [];
  const problems: FlagProblem[] = [];
  const limit = Math.min(args.length, MAX_ARGUMENTS);
  if (args.length > MAX_ARGUMENTS) problems.push({ path: args[MAX_ARGUMENTS]!.path, message: `more than ${MAX_ARGUMENTS} arguments; the rest are not read` });
  let i = 0;
  while (i < limit) {
    const arg = args[i]!;
    const s = arg.value;
    i++;
    if (s.length < 2 || s[0] !== '-') {
      positional.push(arg);
      // Go's flag package stops at the first non-flag argument; pflag carries on (interspersed).
      if (table.dialect === 'goflag') {
        while (i < limit) positional.push(args[i++]!);
      }
      continue;
    }
    if (s === '--') {
      while (i < limit) positional.push(args[i++]!);
      break;
    }
    const long = s[1] === '-';
    if (!long && table.dialect === 'pflag') {
      i = shorthand(arg, args, i, limit, table, occurrences, problems);
      continue;
    }
    const body = s.slice(long ? 2 : 1);
    if (body.length === 0 || body[0] === '-' || body[0] === '=') {
      problems.push({ path: arg.path, message: `bad flag syntax: ${s}` });
      continue;
    }
    const equals = body.indexOf('=');
    const written = equals === -1 ? body : body.slice(0, equals);
    const name = table.dialect === 'pflag' ? written.replaceAll('_', '-') : written;
    if (equals !== -1) {
      occurrences.push({ name, value: body.slice(equals + 1), path: arg.path });
      continue;
    }
    if (table.booleans.has(name)) {
      occurrences.push({ name, value: 'true', path: arg.path });
      continue;
    }
    if (i < limit && (knownValued(name, table) || !args[i]!.value.startsWith('-'))) {
      occurrences.push({ name, value: args[i]!.value, path: arg.path });
      i++;
      continue;
    }
    if (knownValued(name, table) || i >= limit) {
      if (knownValued(name, table)) problems.push({ path: arg.path, message: `flag needs an argument: ${s}` });
      else occurrences.push({ name, value: 'true', path: arg.path });
      continue;
    }
    // An undescribed flag followed by another flag: read as a boolean rather than eat that flag.
    occurrences.push({ name, value: 'true', path: arg.path });
  }
  return { occurrences, positional, problems };
}

function knownValued(name: string, table: FlagTable): boolean {
  return table.values.has(name) || table.lists.has(name) || table.maps.has(name);
}

/** `-v 2`, `-v=2`, `-v2`, and runs of boolean shorthands, as pflag's parseShortArg reads them. */
function shorthand(
  arg: Argument,
  args: readonly Argument[],
  next: number,
  limit: number,
  table: FlagTable,
  occurrences: FlagOccurrence[],
  problems: FlagProblem[],
): number {
  let rest = arg.value.slice(1);
  while (rest.length > 0) {
    const letter = rest[0]!;
    const name = table.shorthands.get(letter);
    if (name === undefined) {
      problems.push({ path: arg.path, message: `unknown shorthand flag: '${letter}' in ${arg.value}` });
      return next;
    }
    rest = rest.slice(1);
    if (rest.startsWith('=')) {
      occurrences.push({ name, value: rest.slice(1), path: arg.path });
      return next;
    }
    if (table.booleans.has(name)) {
      occurrences.push({ name, value: 'true', path: arg.path });
      continue;
    }
    if (rest.length > 0) {
      occurrences.push({ name, value: rest, path: arg.path });
      return next;
    }
    if (next < limit) {
      occurrences.push({ name, value: args[next]!.value, path: arg.path });
      return next + 1;
    }
    problems.push({ path: arg.path, message: `flag needs an argument: '${letter}' in -${letter}` });
    return next;
  }
  return next;
}

/** The occurrence that decides a plain flag's value: the last one. */
export function lastFlag(flags: ParsedFlags, name: string): FlagOccurrence | undefined {
  for (let i = flags.occurrences.length - 1; i >= 0; i--) if (flags.occurrences[i]!.name === name) return flags.occurrences[i];
  return undefined;
}

export function allFlags(flags: ParsedFlags, name: string): FlagOccurrence[] {
  return flags.occurrences.filter((occurrence) => occurrence.name === name);
}

/**
 * A list flag's items and where each came from: StringSlice values are CSV, each repetition appends
 * (the first replaces the default). Items are not trimmed: pflag keeps ` B` in `A, B`.
 */
export function listFlag(flags: ParsedFlags, name: string, kind: 'slice' | 'array' = 'slice'): { item: string; occurrence: FlagOccurrence }[] {
  const out: { item: string; occurrence: FlagOccurrence }[] = [];
  for (const occurrence of allFlags(flags, name)) {
    if (kind === 'array') out.push({ item: occurrence.value, occurrence });
    else if (occurrence.value.length > 0) for (const item of splitCsv(occurrence.value)) out.push({ item, occurrence });
  }
  return out;
}

/** encoding/csv for one record, as pflag's StringSlice reads a value: commas split, double quotes group. */
export function splitCsv(value: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let start = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '"') {
        if (value[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && start) {
      quoted = true;
      start = false;
    } else if (c === ',') {
      out.push(field);
      field = '';
      start = true;
    } else {
      field += c;
      start = false;
    }
  }
  out.push(field);
  return out;
}

/** `--feature-gates=A=true,B=false` merged over repetitions; later keys win. */
export function mapFlag(flags: ParsedFlags, name: string): Map<string, { value: string; occurrence: FlagOccurrence }> {
  const out = new Map<string, { value: string; occurrence: FlagOccurrence }>();
  for (const occurrence of allFlags(flags, name)) {
    for (const pair of occurrence.value.split(',')) {
      const trimmed = pair.trim();
      if (trimmed.length === 0) continue;
      const equals = trimmed.indexOf('=');
      if (equals === -1) continue;
      out.set(trimmed.slice(0, equals).trim(), { value: trimmed.slice(equals + 1).trim(), occurrence });
    }
  }
  return out;
}

/** strconv.ParseBool: what `--flag=value` accepts for booleans; undefined for anything else. */
export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

/** strconv.Atoi-like: a whole decimal number with optional sign, or undefined. */
export function parseGoInt(value: string): number | undefined {
  return /^[+-]?\d{1,15}$/.test(value) ? Number(value) : undefined;
}
