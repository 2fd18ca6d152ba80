// What the database holds and how old it is.
import { formatAge } from './paths.ts';
import type { VulnDb } from './store.ts';

export interface SourceStatus {
  location: string;
  kind: string;
  origin: string;
  refreshedAt: string;
  ageMs: number;
  stale: boolean;
  records: number;
  withdrawn: number;
  invalid: number;
  newestModified: string | null;
}

export interface DbStatus {
  path: string;
  schemaVersion: string;
  vulnerabilities: number;
  affectedPackages: number;
  /** Records per ecosystem (without release), most first. */
  ecosystems: { ecosystem: string; vulnerabilities: number }[];
  sources: SourceStatus[];
  /** Age of the least recently refreshed source; undefined for an empty database. */
  oldestAgeMs: number | undefined;
  stale: boolean;
  maxAgeMs: number;
}

/** How fresh each source is: what matching needs to warn about stale data (no scan of the tables). */
export type DbFreshness = Pick<DbStatus, 'path' | 'sources' | 'maxAgeMs'>;

export function dbFreshness(db: VulnDb, now: Date, maxAgeMs: number): DbFreshness {
  return { path: db.path, sources: sourceStatuses(db, now, maxAgeMs), maxAgeMs };
}

function sourceStatuses(db: VulnDb, now: Date, maxAgeMs: number): SourceStatus[] {
  return (db.statement('SELECT * FROM sources ORDER BY location').all() as Record<string, unknown>[]).map((row): SourceStatus => {
    const refreshedAt = String(row.refreshed_at);
    const ageMs = now.getTime() - Date.parse(refreshedAt);
    return {
      location: String(row.location),
      kind: String(row.kind),
      origin: String(row.origin),
      refreshedAt,
      ageMs,
      stale: !(ageMs <= maxAgeMs),
      records: Number(row.records),
      withdrawn: Number(row.withdrawn),
      invalid: Number(row.invalid),
      newestModified: row.newest_modified === null ? null : String(row.newest_modified),
    };
  });
}

/** Everything `bulwark db status` shows; counting per ecosystem reads the whole table (about a second for 200,000 records). */
export function dbStatus(db: VulnDb, now: Date, maxAgeMs: number): DbStatus {
  const count = (sql: string): number => Number((db.statement(sql).get() as { n: number | bigint }).n);
  const sources = sourceStatuses(db, now, maxAgeMs);
  const ecosystems = (
    db.statement('SELECT ecosystem, COUNT(DISTINCT vuln_id) AS n FROM affected GROUP BY ecosystem ORDER BY n DESC, ecosystem').all() as {
      ecosystem: string;
      n: number | bigint;
    }[]
  ).map((row) => ({ ecosystem: row.ecosystem, vulnerabilities: Number(row.n) }));
  const oldestAgeMs = sources.length === 0 ? undefined : Math.max(...sources.map((s) => s.ageMs));
  return {
    path: db.path,
    schemaVersion: String((db.statement("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value),
    vulnerabilities: count('SELECT COUNT(*) AS n FROM vulns'),
    affectedPackages: count('SELECT COUNT(*) AS n FROM affected'),
    ecosystems,
    sources,
    oldestAgeMs,
    stale: sources.length === 0 || sources.some((s) => s.stale),
    maxAgeMs,
  };
}

/** One warning line per stale source (or for an empty database); empty when fresh. */
export function staleWarnings(status: DbFreshness): string[] {
  if (status.sources.length === 0) return [`vulnerability database ${status.path} has no sources; run "bulwark db import" or "bulwark db update"`];
  return status.sources
    .filter((s) => s.stale)
    .map(
      (s) =>
        `vulnerability data from ${s.location} is ${formatAge(s.ageMs)} old (more than ${formatAge(status.maxAgeMs)}); refresh it with "bulwark db update" or "bulwark db import"`,
    );
}
