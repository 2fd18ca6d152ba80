// The local vulnerability database: OSV records reduced for matching, in SQLite (node:sqlite).
// Affected packages are indexed by ecosystem and package name, the only lookup matching needs.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { BulwarkError } from '../../core/index.ts';

export const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
  id              INTEGER PRIMARY KEY,
  location        TEXT NOT NULL UNIQUE,   -- path or URL (without credentials) as given
  kind            TEXT NOT NULL,          -- directory | zip | jsonl | json
  origin          TEXT NOT NULL,          -- import | update
  refreshed_at    TEXT NOT NULL,          -- last successful load or "not modified" answer (ISO 8601)
  records         INTEGER NOT NULL,
  withdrawn       INTEGER NOT NULL,
  invalid         INTEGER NOT NULL,
  newest_modified TEXT,
  etag            TEXT,
  last_modified   TEXT,
  sha256          TEXT
);
CREATE TABLE IF NOT EXISTS vulns (
  id        TEXT PRIMARY KEY,
  source_id INTEGER NOT NULL,
  modified  TEXT NOT NULL,
  published TEXT,
  summary   TEXT NOT NULL,
  aliases   TEXT NOT NULL,                -- JSON array of strings
  severity  TEXT NOT NULL                 -- JSON array of {type, score}
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vulns_source ON vulns(source_id);
CREATE TABLE IF NOT EXISTS affected (
  vuln_id      TEXT NOT NULL,
  ecosystem    TEXT NOT NULL,             -- Debian, Alpine, npm … (no release)
  release      TEXT NOT NULL,             -- 12, v3.20, '' when unscoped
  name         TEXT NOT NULL,             -- normalised for lookup (PEP 503 for PyPI)
  ranges       TEXT NOT NULL,             -- JSON [[type, [[kind, version], …]], …]; kind i|f|l|m
  versions     TEXT,                      -- JSON array, NULL when none
  severity     TEXT,                      -- JSON array of {type, score} given on this package
  eco_severity TEXT                       -- the ecosystem's own rating
);
CREATE INDEX IF NOT EXISTS affected_package ON affected(ecosystem, name);
CREATE INDEX IF NOT EXISTS affected_vuln ON affected(vuln_id);
`;

export interface OpenOptions {
  /** Create the file (and its directory) when missing; otherwise a missing database is an error. */
  create?: boolean;
  readOnly?: boolean;
}

export class VulnDb {
  readonly path: string;
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
  }

  static open(path: string, options: OpenOptions = {}): VulnDb {
    if (options.create === true) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { readOnly: options.readOnly === true && options.create !== true, timeout: 10_000 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.create !== true && /unable to open/i.test(message)) {
        throw new BulwarkError(
          'E_INPUT',
          `no vulnerability database at this path yet; create one with "bulwark db import PATH" or "bulwark db update" (or choose one with --db FILE)`,
          { location: { file: path }, cause: error },
        );
      }
      throw new BulwarkError('E_IO', `cannot open the vulnerability database: ${message}`, { location: { file: path }, cause: error });
    }
    const store = new VulnDb(path, db);
    try {
      store.#prepareSchema(options);
    } catch (error) {
      db.close();
      if (error instanceof BulwarkError) throw error;
      throw new BulwarkError('E_INPUT', `not a Bulwark vulnerability database (${error instanceof Error ? error.message : String(error)})`, {
        location: { file: path },
        cause: error,
      });
    }
    return store;
  }

  #prepareSchema(options: OpenOptions): void {
    const hasMeta = this.db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    if (!hasMeta) {
      if (options.readOnly === true && options.create !== true) {
        throw new BulwarkError('E_INPUT', `${this.path}: not a Bulwark vulnerability database (no schema); import records first`);
      }
      this.db.exec(SCHEMA);
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
      return;
    }
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
    if (row?.value !== SCHEMA_VERSION) {
      throw new BulwarkError(
        'E_INPUT',
        `${this.path}: vulnerability database schema ${row?.value ?? 'unknown'}, this Bulwark reads schema ${SCHEMA_VERSION}; delete the file and import again`,
      );
    }
  }

  /** A prepared statement, prepared once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.db.close();
  }
}
