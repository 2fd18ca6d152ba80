// An OSV record (ossf.github.io/osv-schema), validated and reduced to what matching and reporting
// need. Input is untrusted: every array and string is bounded, and a malformed record is a typed
// error naming the record and the field.
import { BulwarkError } from '../../core/index.ts';

export type OsvEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface OsvEvent {
  kind: OsvEventKind;
  version: string;
}

export interface OsvRange {
  /** `ECOSYSTEM`, `SEMVER` or `GIT` (other types are kept but never evaluated). */
  type: string;
  events: OsvEvent[];
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvAffected {
  /** As written, with its release suffix: `Debian:12`, `Alpine:v3.20`, `npm`. */
  ecosystem: string;
  name: string;
  purl: string | undefined;
  ranges: OsvRange[];
  versions: string[];
  severity: OsvSeverity[];
  /** The ecosystem's own rating when it gives one (Debian urgency, GitHub severity, …). */
  ecosystemSeverity: string | undefined;
}

export interface OsvRecord {
  id: string;
  modified: string;
  published: string | undefined;
  withdrawn: string | undefined;
  /** `summary`, else the first line of `details`; bounded. */
  summary: string;
  aliases: string[];
  severity: OsvSeverity[];
  affected: OsvAffected[];
}

export const OSV_LIMITS = {
  /** Bytes of one record's JSON text. */
  recordBytes: 16 * 1024 * 1024,
  affected: 10_000,
  ranges: 1_000,
  events: 10_000,
  versions: 500_000,
  aliases: 1_000,
  severities: 100,
  /** Characters of an id, ecosystem, name or version. */
  shortString: 4_096,
  summary: 1_000,
} as const;

class Reader {
  readonly where: string;

  constructor(where: string) {
    this.where = where;
  }

  fail(path: string, reason: string): never {
    throw new BulwarkError('E_PARSE', `${this.where}: ${path}: ${reason}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'expected an object');
    return value as Record<string, unknown>;
  }

  optionalObject(value: unknown, path: string): Record<string, unknown> | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  array(value: unknown, path: string, max: number): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, 'expected an array');
    if (value.length > max) this.fail(path, `more than ${max} entries`);
    return value;
  }

  string(value: unknown, path: string, max: number = OSV_LIMITS.shortString): string {
    if (typeof value !== 'string') this.fail(path, 'expected a string');
    if (value.length > max) this.fail(path, `longer than ${max} characters`);
    return value;
  }

  optionalString(value: unknown, path: string, max: number = OSV_LIMITS.shortString): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path, max);
  }
}

const EVENT_KINDS: readonly OsvEventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];
const ID = /^[A-Za-z0-9][\x21-\x7e]*$/;

function firstLine(text: string, max: number): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A label the ecosystem itself gives: `urgency` (Debian), `severity` (GitHub, Ubuntu), as a string. */
function ecosystemLabel(...objects: (Record<string, unknown> | undefined)[]): string | undefined {
  for (const object of objects) {
    if (object === undefined) continue;
    for (const key of ['severity', 'urgency']) {
      const value = object[key];
      if (typeof value === 'string' && value.length > 0 && value.length <= 64) return value;
    }
  }
  return undefined;
}

/** A CVSS vector kept in `database_specific.cvss` (RustSec) counts as a severity. */
function vectorIn(object: Record<string, unknown> | undefined): OsvSeverity[] {
  const cvss = object?.cvss;
  if (typeof cvss !== 'string' || cvss.length > 512) return [];
  if (cvss.startsWith('CVSS:4')) return [{ type: 'CVSS_V4', score: cvss }];
  if (cvss.startsWith('CVSS:3')) return [{ type: 'CVSS_V3', score: cvss }];
  return [];
}

function readSeverity(r: Reader, value: unknown, path: string): OsvSeverity[] {
  return r.array(value, path, OSV_LIMITS.severities).map((entry, i) => {
    const s = r.object(entry, `${path}[${i}]`);
    return { type: r.string(s.type, `${path}[${i}].type`, 64), score: r.string(s.score, `${path}[${i}].score`, 512) };
  });
}

function readRange(r: Reader, value: unknown, path: string): OsvRange {
  const range = r.object(value, path);
  const type = r.string(range.type, `${path}.type`, 64);
  const events = r.array(range.events, `${path}.events`, OSV_LIMITS.events).map((entry, i): OsvEvent => {
    const event = r.object(entry, `${path}.events[${i}]`);
    const kinds = EVENT_KINDS.filter((k) => event[k] !== undefined);
    if (kinds.length !== 1) r.fail(`${path}.events[${i}]`, 'expected exactly one of introduced, fixed, last_affected, limit');
    const kind = kinds[0]!;
    const version = r.string(event[kind], `${path}.events[${i}].${kind}`);
    if (version === '') r.fail(`${path}.events[${i}].${kind}`, 'empty version');
    return { kind, version };
  });
  return { type, events };
}

/** Validates one parsed OSV record; `where` names it in errors (file, zip entry, line). */
export function readOsvRecord(value: unknown, where: string): OsvRecord {
  const r = new Reader(where);
  const record = r.object(value, '(record)');
  const id = r.string(record.id, 'id', 256);
  if (!ID.test(id)) r.fail('id', `not an identifier: ${JSON.stringify(id.slice(0, 80))}`);
  const named = new Reader(`${where}: ${id}`);
  const modified = named.optionalString(record.modified, 'modified', 64) ?? '';
  const summaryText = named.optionalString(record.summary, 'summary', 1_000_000) ?? '';
  const details = named.optionalString(record.details, 'details', 4_000_000) ?? '';
  const databaseSpecific = typeof record.database_specific === 'object' && record.database_specific !== null && !Array.isArray(record.database_specific)
    ? (record.database_specific as Record<string, unknown>)
    : undefined;
  const recordSeverity = [...readSeverity(named, record.severity, 'severity'), ...vectorIn(databaseSpecific)];
  const recordLabel = ecosystemLabel(databaseSpecific);

  const affected = named.array(record.affected, 'affected', OSV_LIMITS.affected).map((entry, i): OsvAffected => {
    const path = `affected[${i}]`;
    const a = named.object(entry, path);
    const pkg = named.object(a.package, `${path}.package`);
    const ecosystem = named.string(pkg.ecosystem, `${path}.package.ecosystem`, 512);
    const name = named.string(pkg.name, `${path}.package.name`);
    if (ecosystem === '' || name === '') named.fail(`${path}.package`, 'empty ecosystem or name');
    const ecosystemSpecific = named.optionalObject(a.ecosystem_specific, `${path}.ecosystem_specific`);
    const affectedDatabase = named.optionalObject(a.database_specific, `${path}.database_specific`);
    return {
      ecosystem,
      name,
      purl: typeof pkg.purl === 'string' && pkg.purl.length <= OSV_LIMITS.shortString ? pkg.purl : undefined,
      ranges: named.array(a.ranges, `${path}.ranges`, OSV_LIMITS.ranges).map((range, j) => readRange(named, range, `${path}.ranges[${j}]`)),
      versions: named.array(a.versions, `${path}.versions`, OSV_LIMITS.versions).map((v, j) => named.string(v, `${path}.versions[${j}]`)),
      severity: [...readSeverity(named, a.severity, `${path}.severity`), ...vectorIn(affectedDatabase)],
      ecosystemSeverity: ecosystemLabel(ecosystemSpecific, affectedDatabase) ?? recordLabel,
    };
  });

  return {
    id,
    modified,
    published: named.optionalString(record.published, 'published', 64),
    withdrawn: named.optionalString(record.withdrawn, 'withdrawn', 64),
    summary: summaryText !== '' ? firstLine(summaryText, OSV_LIMITS.summary) : firstLine(details, OSV_LIMITS.summary),
    aliases: named.array(record.aliases, 'aliases', OSV_LIMITS.aliases).map((alias, i) => named.string(alias, `aliases[${i}]`, 256)),
    severity: recordSeverity,
    affected,
  };
}

/** Parses and validates one record from its JSON text. */
export function parseOsvRecord(text: string, where: string): OsvRecord {
  if (text.length > OSV_LIMITS.recordBytes) {
    throw new BulwarkError('E_TOO_LARGE', `${where}: record larger than ${OSV_LIMITS.recordBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulwarkError('E_PARSE', `${where}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return readOsvRecord(value, where);
}
