// `bulwark image scan --db`: the image's packages matched against the vulnerability database,
// added to the scan result as findings (and their problems and staleness warnings as problems).
import { BulwarkError, isSeverity, severityRank, type Severity } from '../core/index.ts';
import type { ImageScanResult } from '../image/scan.ts';
import { DEFAULT_MAX_AGE_MS, parseDuration } from './db/paths.ts';
import { dbFreshness, staleWarnings } from './db/status.ts';
import { VulnDb } from './db/store.ts';
import { vulnerabilityFindings } from './match/findings.ts';
import { matchPackages } from './match/match.ts';
import { readVex } from './match/vex.ts';

export interface ImageVulnerabilityOptions {
  db: string;
  ignoreUnfixed?: boolean;
  /** Comma-separated severities to report (`high,critical`). */
  severity?: string | undefined;
  vex?: readonly string[];
  maxAge?: string | undefined;
  now?: Date;
}

export function parseSeverities(list: string): Severity[] {
  const severities = list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  for (const s of severities) {
    if (!isSeverity(s)) throw new BulwarkError('E_USAGE', `--severity: "${s}" is not one of info, low, medium, high, critical`);
  }
  return severities as Severity[];
}

export async function addVulnerabilities(result: ImageScanResult, options: ImageVulnerabilityOptions): Promise<void> {
  const severities = options.severity === undefined ? undefined : parseSeverities(options.severity);
  const maxAge = options.maxAge ?? process.env.BULWARK_DB_MAX_AGE;
  const maxAgeMs = maxAge === undefined ? DEFAULT_MAX_AGE_MS : parseDuration(maxAge);
  const vex = await Promise.all((options.vex ?? []).map((file) => readVex(file)));
  const db = VulnDb.open(options.db, { readOnly: true });
  try {
    for (const warning of staleWarnings(dbFreshness(db, options.now ?? new Date(), maxAgeMs))) {
      result.problems.push({ level: 'warning', code: 'vuln-db-stale', message: warning });
    }
    const matched = matchPackages(db, result.packages);
    const object = { apiVersion: '', kind: 'Image', namespace: null, name: result.image.name };
    const imageIds = [result.image.name, result.image.manifestDigest, result.image.indexDigest, result.image.configDigest].filter(
      (id): id is string => id !== undefined && id !== '',
    );
    const report = vulnerabilityFindings(matched.matches, { object, ignoreUnfixed: options.ignoreUnfixed, severities, vex, vexContext: { imageIds } });
    for (const problem of matched.problems) {
      const code = problem.reason === 'git-range' ? 'vuln-skipped-git-range' : 'vuln-unevaluable';
      result.problems.push({ level: 'note', code, message: `${problem.package}: ${problem.message}` });
    }
    if (report.suppressed > 0) {
      result.problems.push({ level: 'note', code: 'vuln-vex', message: `${report.suppressed} vulnerabilities hidden by VEX statements` });
    }
    result.findings.push(...report.findings);
    // Vulnerability findings after the image's own, most severe first, then by package and id.
    result.findings.sort((a, b) => {
      const av = 'vulnerability' in a;
      const bv = 'vulnerability' in b;
      if (av !== bv) return av ? 1 : -1;
      if (!av) return 0;
      return severityRank(b.severity) - severityRank(a.severity) || (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : 0) || (a.control < b.control ? -1 : a.control > b.control ? 1 : 0);
    });
  } finally {
    db.close();
  }
}
