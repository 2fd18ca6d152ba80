// Matches installed packages against the database: one indexed lookup per package (ecosystem and
// name), then each candidate advisory's ranges and version list are evaluated in the ecosystem's
// own ordering.
import type { InventoryPackage } from '../../image/inventory/package.ts';
import type { StatementSync } from 'node:sqlite';
import type { VulnDb } from '../db/store.ts';
import { evaluateRange, inVersionList, Orderings, type UnevaluableReason } from '../osv/evaluate.ts';
import type { OsvEventKind, OsvRange, OsvSeverity } from '../osv/record.ts';
import { resolveSeverity, type ResolvedSeverity } from './severity.ts';
import { lookupsFor } from './lookup.ts';

export interface VulnMatch {
  id: string;
  aliases: string[];
  summary: string;
  /** The installed package as the inventory reports it. */
  package: InventoryPackage;
  /** OSV ecosystem of the advisory, with its release: `Debian:12`, `npm`. */
  ecosystem: string;
  /** The name the advisory is about (the source package for distributions). */
  advisoryPackage: string;
  /** The version compared (the source version for distributions). */
  comparedVersion: string;
  /** The first fixed version above the installed one; null when no fix is known. */
  fixed: string | null;
  lastAffected: string | null;
  severity: ResolvedSeverity;
  modified: string;
  published: string | null;
}

export interface MatchProblem {
  package: string;
  /** The advisory that could not be evaluated for the package. */
  id: string;
  reason: UnevaluableReason;
  message: string;
}

export interface MatchResult {
  matches: VulnMatch[];
  /** Advisories that could not be evaluated for a package (unparsable versions, GIT-only ranges). */
  problems: MatchProblem[];
  /** Packages of ecosystems Bulwark cannot look up. */
  unsupported: number;
}

const KIND: Readonly<Record<string, OsvEventKind>> = { i: 'introduced', f: 'fixed', l: 'last_affected', m: 'limit' };

export function decodeRanges(text: string): OsvRange[] {
  return (JSON.parse(text) as [string, [string, string][]][]).map(([type, events]) => ({
    type,
    events: events.map(([kind, version]) => ({ kind: KIND[kind]!, version })),
  }));
}

interface AffectedRow {
  row: number | bigint;
  vuln_id: string;
  release: string;
  ranges: string;
  has_versions: number | bigint;
}

interface AffectedDetail {
  versions: string | null;
  severity: string | null;
  eco_severity: string | null;
}

interface VulnRow {
  summary: string;
  aliases: string;
  severity: string;
  modified: string;
  published: string | null;
}

const MAX_PROBLEMS = 200;

export function matchPackages(db: VulnDb, packages: readonly InventoryPackage[]): MatchResult {
  // Version lists and severities are read only for the rows that need them: most candidate rows
  // are decided by their ranges alone, and the lists are the bulk of the data.
  const byPackage = db.statement(
    'SELECT rowid AS row, vuln_id, release, ranges, versions IS NOT NULL AS has_versions FROM affected WHERE ecosystem = ? AND name = ?',
  );
  const detail = db.statement('SELECT versions, severity, eco_severity FROM affected WHERE rowid = ?');
  const byId = db.statement('SELECT summary, aliases, severity, modified, published FROM vulns WHERE id = ?');
  const vulns = new Map<string, VulnRow | undefined>();
  const orderings = new Orderings();
  const result: MatchResult = { matches: [], problems: [], unsupported: 0 };

  // One read transaction for all lookups: outside one, SQLite takes and releases its file lock
  // around every statement, which cost four times the lookup itself (measured: 20 vs 5 µs).
  db.db.exec('BEGIN');
  try {
    matchAll(packages, byPackage, detail, byId, vulns, orderings, result);
  } finally {
    db.db.exec('COMMIT');
  }
  result.matches.sort(compareMatches);
  return result;
}

function matchAll(
  packages: readonly InventoryPackage[],
  byPackage: StatementSync,
  detail: StatementSync,
  byId: StatementSync,
  vulns: Map<string, VulnRow | undefined>,
  orderings: Orderings,
  result: MatchResult,
): void {
  for (const pkg of packages) {
    const lookups = lookupsFor(pkg);
    if (lookups.length === 0) {
      result.unsupported++;
      continue;
    }
    // One finding per advisory and package, even when several lookups or entries match it.
    const found = new Map<string, VulnMatch>();
    for (const lookup of lookups) {
      const rows = byPackage.all(lookup.ecosystem, lookup.name) as unknown as AffectedRow[];
      for (const row of rows) {
        if (!lookup.release(row.release)) continue;
        const ranges = decodeRanges(row.ranges);
        let affected = false;
        let evaluated = false;
        let gitRanges = 0;
        let fixed: string | null = null;
        let lastAffected: string | null = null;
        for (const range of ranges) {
          const verdict = evaluateRange(range, lookup.ecosystem, lookup.version, orderings);
          if ('unevaluable' in verdict) {
            // GIT ranges are reported below, only when nothing else in the entry decides it.
            if (verdict.reason === 'git-range') gitRanges++;
            else problem(result, pkg, row.vuln_id, verdict.reason, verdict.unevaluable);
            continue;
          }
          evaluated = true;
          if (!verdict.affected) continue;
          affected = true;
          if (verdict.fixed !== undefined && (fixed === null || lower(orderings, lookup.ecosystem, verdict.fixed, fixed))) fixed = verdict.fixed;
          if (verdict.lastAffected !== undefined) lastAffected ??= verdict.lastAffected;
        }
        let extra: AffectedDetail | undefined;
        if (!affected) {
          if (Number(row.has_versions) === 0) {
            if (!evaluated && gitRanges > 0) {
              problem(result, pkg, row.vuln_id, 'git-range', 'the advisory gives only GIT ranges (commits) and no version list; a package installed by version cannot be placed on them, so it was skipped');
            }
            continue;
          }
          extra = detail.get(row.row) as unknown as AffectedDetail;
          const versions = extra.versions === null ? [] : (JSON.parse(extra.versions) as string[]);
          if (!inVersionList(versions, lookup.ecosystem, lookup.version, orderings)) continue;
        }

        let vuln = vulns.get(row.vuln_id);
        if (!vulns.has(row.vuln_id)) {
          vuln = byId.get(row.vuln_id) as unknown as VulnRow | undefined;
          vulns.set(row.vuln_id, vuln);
        }
        if (vuln === undefined) continue;
        const previous = found.get(row.vuln_id);
        if (previous !== undefined) {
          if (fixed !== null && (previous.fixed === null || lower(orderings, lookup.ecosystem, fixed, previous.fixed))) previous.fixed = fixed;
          continue;
        }
        extra ??= detail.get(row.row) as unknown as AffectedDetail;
        const affectedSeverity = extra.severity === null ? [] : (JSON.parse(extra.severity) as OsvSeverity[]);
        found.set(row.vuln_id, {
          id: row.vuln_id,
          aliases: JSON.parse(vuln.aliases) as string[],
          summary: vuln.summary,
          package: pkg,
          ecosystem: lookup.label(row.release),
          advisoryPackage: lookup.name,
          comparedVersion: lookup.version,
          fixed,
          lastAffected: fixed === null ? lastAffected : null,
          severity: resolveSeverity(lookup.ecosystem, affectedSeverity, JSON.parse(vuln.severity) as OsvSeverity[], extra.eco_severity ?? undefined),
          modified: vuln.modified,
          published: vuln.published,
        });
      }
    }
    result.matches.push(...found.values());
  }
}

function problem(result: MatchResult, pkg: InventoryPackage, id: string, reason: UnevaluableReason, message: string): void {
  if (result.problems.length < MAX_PROBLEMS) result.problems.push({ package: `${pkg.name}@${pkg.version}`, id, reason, message: `${id}: ${message}` });
}

function lower(orderings: Orderings, ecosystem: string, a: string, b: string): boolean {
  const order = orderings.get(ecosystem, 'ECOSYSTEM') ?? orderings.get(ecosystem, 'SEMVER');
  if (order === undefined) return a < b;
  const x = order.get(a);
  const y = order.get(b);
  if (x instanceof Error || y instanceof Error) return a < b;
  return order.scheme.compare(x, y) < 0;
}

/** Deterministic: by package path, name, version, then advisory id. */
export function compareMatches(a: VulnMatch, b: VulnMatch): number {
  return (
    cmp(a.package.path, b.package.path) ||
    cmp(a.package.name, b.package.name) ||
    cmp(a.package.version, b.package.version) ||
    cmp(a.package.layer, b.package.layer) ||
    cmp(a.id, b.id)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
