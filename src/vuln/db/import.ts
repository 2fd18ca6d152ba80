// Loads OSV records from a source into the database, in one transaction: a source that fails to
// load leaves the database as it was. Loading a source again replaces what it loaded before.
import { BulwarkError } from '../../core/index.ts';
import { normalizePackageName, splitEcosystem } from '../osv/ecosystem.ts';
import { readOsvRecord, parseOsvRecord, type OsvRecord } from '../osv/record.ts';
import { DEFAULT_SOURCE_LIMITS, detectSourceKind, readSource, type RawRecord, type SourceKind, type SourceLimits } from '../source/read.ts';
import type { VulnDb } from './store.ts';

export interface ImportOptions {
  origin: 'import' | 'update';
  now: Date;
  /** How the source is recorded and shown (a URL for downloads); defaults to the path. */
  location?: string;
  kind?: SourceKind;
  limits?: SourceLimits;
  /** HTTP validators and digest of a downloaded source, kept for the next update. */
  fetched?: { etag?: string | undefined; lastModified?: string | undefined; sha256?: string | undefined };
  onProgress?: (records: number) => void;
}

export interface ImportSummary {
  location: string;
  kind: SourceKind;
  /** Records stored. */
  records: number;
  /** Withdrawn records: not stored, and removed if an earlier import stored them. */
  withdrawn: number;
  /** Records refused as malformed (see `problems`). */
  invalid: number;
  /** The first problems, each naming the record; `invalid` counts them all. */
  problems: string[];
  affectedRows: number;
  newestModified: string | undefined;
  durationMs: number;
}

const MAX_PROBLEMS = 20;
const EVENT_CODE = { introduced: 'i', fixed: 'f', last_affected: 'l', limit: 'm' } as const;

/** The compact form stored in `affected.ranges`. */
export function encodeRanges(ranges: OsvRecord['affected'][number]['ranges']): string {
  return JSON.stringify(ranges.map((r) => [r.type, r.events.map((e) => [EVENT_CODE[e.kind], e.version])]));
}

export async function importOsv(db: VulnDb, path: string, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const kind = options.kind ?? (await detectSourceKind(path));
  const location = options.location ?? path;
  const summary: ImportSummary = {
    location,
    kind,
    records: 0,
    withdrawn: 0,
    invalid: 0,
    problems: [],
    affectedRows: 0,
    newestModified: undefined,
    durationMs: 0,
  };
  const s = {
    existingSource: db.statement('SELECT id FROM sources WHERE location = ?'),
    insertSource: db.statement(
      "INSERT INTO sources (location, kind, origin, refreshed_at, records, withdrawn, invalid) VALUES (?, ?, ?, '', 0, 0, 0)",
    ),
    dropAffectedOfSource: db.statement('DELETE FROM affected WHERE vuln_id IN (SELECT id FROM vulns WHERE source_id = ?)'),
    dropVulnsOfSource: db.statement('DELETE FROM vulns WHERE source_id = ?'),
    dropAffected: db.statement('DELETE FROM affected WHERE vuln_id = ?'),
    dropVuln: db.statement('DELETE FROM vulns WHERE id = ?'),
    insertVuln: db.statement(
      'INSERT OR REPLACE INTO vulns (id, source_id, modified, published, summary, aliases, severity) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertAffected: db.statement(
      'INSERT INTO affected (vuln_id, ecosystem, release, name, ranges, versions, severity, eco_severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateSource: db.statement(
      `UPDATE sources SET kind = ?, origin = ?, refreshed_at = ?, records = ?, withdrawn = ?, invalid = ?, newest_modified = ?,
       etag = ?, last_modified = ?, sha256 = ? WHERE id = ?`,
    ),
  };

  db.db.exec('PRAGMA synchronous = NORMAL');
  // A larger page cache keeps the indexes' hot pages in memory during a bulk load.
  db.db.exec('PRAGMA cache_size = -131072');
  db.db.exec('BEGIN IMMEDIATE');
  try {
    const existing = s.existingSource.get(location) as { id: number | bigint } | undefined;
    const sourceId = existing !== undefined ? Number(existing.id) : Number(s.insertSource.run(location, kind, options.origin).lastInsertRowid);
    s.dropAffectedOfSource.run(sourceId);
    s.dropVulnsOfSource.run(sourceId);
    // Records that other sources loaded: only those need their old rows removed (one lookup in memory
    // instead of a DELETE per record).
    const elsewhere = new Set((db.statement('SELECT id FROM vulns').all() as { id: string }[]).map((row) => row.id));

    const seen = new Set<string>();
    for await (const raw of readSource(path, kind, options.limits ?? DEFAULT_SOURCE_LIMITS)) {
      let record: OsvRecord;
      try {
        record = toRecord(raw);
      } catch (error) {
        if (!(error instanceof BulwarkError)) throw error;
        summary.invalid++;
        if (summary.problems.length < MAX_PROBLEMS) summary.problems.push(error.message);
        continue;
      }
      if (elsewhere.has(record.id) || seen.has(record.id)) s.dropAffected.run(record.id);
      if (record.withdrawn !== undefined) {
        if (elsewhere.has(record.id) || seen.has(record.id)) s.dropVuln.run(record.id);
        summary.withdrawn++;
        continue;
      }
      if (seen.has(record.id)) summary.records--;
      seen.add(record.id);
      s.insertVuln.run(
        record.id,
        sourceId,
        record.modified,
        record.published ?? null,
        record.summary,
        JSON.stringify(record.aliases),
        JSON.stringify(record.severity),
      );
      for (const affected of record.affected) {
        const { base, release } = splitEcosystem(affected.ecosystem);
        s.insertAffected.run(
          record.id,
          base,
          release,
          normalizePackageName(base, affected.name),
          encodeRanges(affected.ranges),
          affected.versions.length > 0 ? JSON.stringify(affected.versions) : null,
          affected.severity.length > 0 ? JSON.stringify(affected.severity) : null,
          affected.ecosystemSeverity ?? null,
        );
        summary.affectedRows++;
      }
      summary.records++;
      if (summary.newestModified === undefined || record.modified > summary.newestModified) summary.newestModified = record.modified;
      if (options.onProgress !== undefined && summary.records % 5000 === 0) options.onProgress(summary.records);
    }

    s.updateSource.run(
      kind,
      options.origin,
      options.now.toISOString(),
      summary.records,
      summary.withdrawn,
      summary.invalid,
      summary.newestModified ?? null,
      options.fetched?.etag ?? null,
      options.fetched?.lastModified ?? null,
      options.fetched?.sha256 ?? null,
      sourceId,
    );
    db.db.exec('COMMIT');
  } catch (error) {
    db.db.exec('ROLLBACK');
    throw error;
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

function toRecord(raw: RawRecord): OsvRecord {
  return raw.text !== undefined ? parseOsvRecord(raw.text, raw.where) : readOsvRecord(raw.value, raw.where);
}

/** Marks a downloaded source as current without reloading it (the server answered "not modified"). */
export function touchSource(db: VulnDb, location: string, now: Date): boolean {
  const result = db.statement('UPDATE sources SET refreshed_at = ? WHERE location = ?').run(now.toISOString(), location);
  return Number(result.changes) > 0;
}
