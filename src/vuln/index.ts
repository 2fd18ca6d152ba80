// Vulnerability matching: the local OSV database (`bulwark db`) and the matcher that `bulwark
// image scan --db` runs over an image's package inventory.
import { dbFreshness, staleWarnings } from './db/status.ts';
import { VulnDb } from './db/store.ts';

export { defaultDbPath, DEFAULT_MAX_AGE_MS, formatAge, parseDuration } from './db/paths.ts';
export { importOsv, type ImportSummary } from './db/import.ts';
export { dbFreshness, dbStatus, staleWarnings, type DbFreshness, type DbStatus } from './db/status.ts';
export { SCHEMA_VERSION, VulnDb } from './db/store.ts';
export { DEFAULT_MIRROR, downloadedSources, mirrorUrl, updateFromUrl, type UpdateResult } from './db/update.ts';
export { matchPackages, type MatchResult, type VulnMatch } from './match/match.ts';
export { jsonVulnerability, vulnerabilityFindings, type VulnerabilityDetail, type VulnerabilityFinding, type VulnerabilityReport } from './match/findings.ts';
export { parseVex, readVex, type VexDocument } from './match/vex.ts';
export { scoreVector, type CvssScore } from './cvss/index.ts';

/**
 * Opens a database for matching (read-only) and says whether its data is older than `maxAgeMs`;
 * the caller prints the warnings (stale data means missed vulnerabilities, not wrong ones).
 */
export function openForMatching(path: string, now: Date, maxAgeMs: number): { db: VulnDb; warnings: string[] } {
  const db = VulnDb.open(path, { readOnly: true });
  return { db, warnings: staleWarnings(dbFreshness(db, now, maxAgeMs)) };
}
