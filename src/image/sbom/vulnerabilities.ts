import type { Finding } from '../../core/index.ts';
import { isVulnerabilityFinding, type VulnerabilityFinding } from '../../vuln/match/findings.ts';

/** The key that ties a vulnerability finding to the SBOM entry of its package. */
export function packageKey(purl: string, path: string): string {
  return `${purl}\u0000${path}`;
}

/** The image's vulnerability findings (after VEX and filters), in a deterministic order. */
export function vulnerabilitiesOf(findings: readonly Finding[]): VulnerabilityFinding[] {
  return findings.filter(isVulnerabilityFinding).sort((a, b) => cmp(a.vulnerability.id, b.vulnerability.id) || cmp(a.advisory.purl, b.advisory.purl) || cmp(a.advisory.path, b.advisory.path));
}

/** The advisory's page on osv.dev: every id in the database is an OSV id. */
export function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** Where an alias is published, for references: CVE → NVD, GHSA → GitHub, anything else → OSV. */
export function aliasSource(alias: string): { name: string; url: string } {
  if (/^CVE-\d{4}-\d+$/.test(alias)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${alias}` };
  if (/^GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}$/.test(alias)) return { name: 'GitHub', url: `https://github.com/advisories/${alias}` };
  return { name: 'OSV', url: advisoryUrl(alias) };
}

/** How the severity was decided, in words: `CVSS 3.1 9.8`, `rated high by Debian`, `not rated`. */
export function ratingText(finding: VulnerabilityFinding): string {
  const { severity } = finding.advisory;
  if (severity.source === 'cvss' && severity.cvss !== undefined) return `CVSS ${severity.cvss.version} ${severity.cvss.score.toFixed(1)}`;
  if (severity.source === 'ecosystem') return `rated ${severity.label ?? severity.severity} by ${ecosystemBase(finding)}`;
  return 'not rated by the advisory';
}

export function ecosystemBase(finding: VulnerabilityFinding): string {
  return finding.vulnerability.ecosystem.split(':')[0]!;
}

/** `fixed in 1.2.3`, `no fixed version (last affected 1.2.2)`, `no fixed version yet`. */
export function fixText(finding: VulnerabilityFinding): string {
  if (finding.vulnerability.fixed !== null) return `fixed in ${finding.vulnerability.fixed}`;
  if (finding.advisory.lastAffected !== null) return `no fixed version (last affected ${finding.advisory.lastAffected})`;
  return 'no fixed version yet';
}

/** RFC 3339 date-times as OSV writes them; anything else is left out of documents that require the format. */
export function isDateTime(value: string | null): value is string {
  return value !== null && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(value);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
