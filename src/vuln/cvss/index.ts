import type { Severity } from '../../core/index.ts';
import { parseCvss2 } from './cvss2.ts';
import { parseCvss3 } from './cvss3.ts';
import { parseCvss4 } from './cvss4.ts';
import { cvssError } from './vector.ts';

export { parseCvss2 } from './cvss2.ts';
export { parseCvss3 } from './cvss3.ts';
export { parseCvss4 } from './cvss4.ts';

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  score: number;
  vector: string;
  severity: Severity;
}

/** The qualitative rating of a score (CVSS v3.1/v4.0 §5; v2 has no "critical"). */
export function ratingOf(score: number, version: CvssScore['version']): Severity {
  if (score === 0) return 'info';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (version === '2.0' || score < 9) return 'high';
  return 'critical';
}

/** Scores a vector of any supported version; a typed error for anything else. */
export function scoreVector(vector: string): CvssScore {
  const text = vector.trim();
  let version: CvssScore['version'];
  let score: number;
  if (text.startsWith('CVSS:4.')) {
    const v4 = parseCvss4(text);
    version = v4.version;
    score = v4.score;
  } else if (text.startsWith('CVSS:3.')) {
    const v3 = parseCvss3(text);
    version = v3.version;
    score = v3.baseScore;
  } else if (text.startsWith('AV:') || text.startsWith('(AV:') || text.startsWith('CVSS:2.0/')) {
    const v2 = parseCvss2(text);
    version = v2.version;
    score = v2.baseScore;
  } else {
    throw cvssError(vector, 'unknown CVSS version');
  }
  return { version, score, vector: text, severity: ratingOf(score, version) };
}
