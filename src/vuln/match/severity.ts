// The severity of a vulnerability for one package: a CVSS score computed from the record's vector,
// or the rating the ecosystem gives. Distributions rate how a flaw affects their build of a
// package, so their rating comes first for OS packages; for language packages the CVSS score.
import type { Severity } from '../../core/index.ts';
import { scoreVector, type CvssScore } from '../cvss/index.ts';
import type { OsvSeverity } from '../osv/record.ts';

export interface ResolvedSeverity {
  severity: Severity;
  /** `cvss` (computed from `cvss.vector`), `ecosystem` (the rating in `label`) or `unknown`. */
  source: 'cvss' | 'ecosystem' | 'unknown';
  cvss?: CvssScore;
  label?: string;
}

const LABELS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'info',
  unimportant: 'info',
  none: 'info',
};

/** A rating word (`MODERATE`, `low*`, `Important`) as a severity, when it is one. */
export function severityFromLabel(label: string): Severity | undefined {
  const word = label.trim().toLowerCase().replace(/\*+$/, '');
  return Object.hasOwn(LABELS, word) ? LABELS[word] : undefined;
}

const VERSION_RANK: Readonly<Record<string, number>> = { '4.0': 3, '3.1': 2, '3.0': 2, '2.0': 1 };

// Advisories share a few thousand distinct vectors: each is scored once.
const scored = new Map<string, CvssScore | null>();

function score(vector: string): CvssScore | null {
  let result = scored.get(vector);
  if (result === undefined) {
    try {
      result = scoreVector(vector);
    } catch {
      // A malformed vector in one record must not hide the vulnerability: fall back to the next source.
      result = null;
    }
    if (scored.size > 10_000) scored.clear();
    scored.set(vector, result);
  }
  return result;
}

/** The best-scored vector: CVSS v4.0 before v3.x before v2; unparsable vectors are skipped. */
function bestCvss(severities: readonly OsvSeverity[]): CvssScore | undefined {
  let best: CvssScore | undefined;
  for (const entry of severities) {
    if (!entry.type.startsWith('CVSS_')) continue;
    const result = score(entry.score);
    if (result !== null && (best === undefined || VERSION_RANK[result.version]! > VERSION_RANK[best.version]!)) best = result;
  }
  return best;
}

const DISTRIBUTIONS = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard', 'Red Hat', 'Rocky Linux', 'AlmaLinux', 'openSUSE', 'SUSE']);

export function resolveSeverity(
  ecosystem: string,
  affectedSeverity: readonly OsvSeverity[],
  recordSeverity: readonly OsvSeverity[],
  ecosystemLabel: string | undefined,
): ResolvedSeverity {
  const cvss = bestCvss(affectedSeverity) ?? bestCvss(recordSeverity);
  const labelled = [...affectedSeverity, ...recordSeverity].find((s) => !s.type.startsWith('CVSS_') && severityFromLabel(s.score) !== undefined);
  const label = ecosystemLabel !== undefined && severityFromLabel(ecosystemLabel) !== undefined ? ecosystemLabel : labelled?.score;
  const fromLabel: ResolvedSeverity | undefined = label === undefined ? undefined : { severity: severityFromLabel(label)!, source: 'ecosystem', label };
  const fromCvss: ResolvedSeverity | undefined = cvss === undefined ? undefined : { severity: cvss.severity, source: 'cvss', cvss };
  const chosen = DISTRIBUTIONS.has(ecosystem) ? (fromLabel ?? fromCvss) : (fromCvss ?? fromLabel);
  // Unrated vulnerabilities are reported as medium rather than hidden below a --severity threshold.
  return chosen ?? { severity: 'medium', source: 'unknown' };
}
