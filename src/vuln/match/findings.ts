// Vulnerability matches as findings (DESIGN.md §3) with the extra `vulnerability` object, after
// the user's filters: --ignore-unfixed, --severity and VEX statements.
import type { Control, Finding, ObjectRef, Severity } from '../../core/index.ts';
import type { VulnMatch } from './match.ts';
import type { ResolvedSeverity } from './severity.ts';
import { decidingStatement, suppresses, type VexContext, type VexDocument } from './vex.ts';

export interface VulnerabilityDetail {
  id: string;
  aliases: string[];
  /** OSV ecosystem with release: `Debian:12`, `npm`. */
  ecosystem: string;
  package: string;
  installed: string;
  /** null when no fixed version is known. */
  fixed: string | null;
  /** Digest of the layer that installed the package. */
  layer: string;
}

/**
 * What the SBOM and SARIF writers need beyond the documented `vulnerability` object: the advisory's
 * text, rating and dates, and the package's purl and file. Not printed by `--format json`.
 */
export interface AdvisoryDetail {
  summary: string;
  severity: ResolvedSeverity;
  lastAffected: string | null;
  published: string | null;
  modified: string;
  /** The affected package's purl and the file it was read from (absolute path inside the image). */
  purl: string;
  path: string;
}

export interface VulnerabilityFinding extends Finding {
  vulnerability: VulnerabilityDetail;
  advisory: AdvisoryDetail;
}

export interface FindingOptions {
  /** What was scanned (the image). */
  object: ObjectRef;
  ignoreUnfixed?: boolean;
  /** Only these severities are reported; all when absent. */
  severities?: readonly Severity[];
  vex?: readonly VexDocument[];
  vexContext?: VexContext;
}

export interface VulnerabilityReport {
  findings: VulnerabilityFinding[];
  /** One control per advisory reported, for SARIF rules and the controls list. */
  controls: Control[];
  /** Hidden by a VEX statement (not_affected or fixed). */
  suppressed: number;
  /** Left out by --ignore-unfixed or --severity. */
  filtered: number;
}

function aliasText(match: VulnMatch): string {
  return match.aliases.length === 0 ? '' : ` (${match.aliases.slice(0, 5).join(', ')}${match.aliases.length > 5 ? ', …' : ''})`;
}

function severityText(match: VulnMatch): string {
  const { severity } = match;
  if (severity.source === 'cvss') return `CVSS ${severity.cvss!.version} ${severity.cvss!.score.toFixed(1)}`;
  if (severity.source === 'ecosystem') return `rated ${severity.label} by ${match.ecosystem.split(':')[0]}`;
  return 'severity not rated; reported as medium';
}

export function vulnerabilityFindings(matches: readonly VulnMatch[], options: FindingOptions): VulnerabilityReport {
  const report: VulnerabilityReport = { findings: [], controls: [], suppressed: 0, filtered: 0 };
  const controls = new Map<string, Control>();
  for (const match of matches) {
    if (options.vex !== undefined && options.vex.length > 0) {
      const statement = decidingStatement(options.vex, match, options.vexContext ?? { imageIds: [] });
      if (suppresses(statement)) {
        report.suppressed++;
        continue;
      }
    }
    if ((options.ignoreUnfixed === true && match.fixed === null) || (options.severities !== undefined && !options.severities.includes(match.severity.severity))) {
      report.filtered++;
      continue;
    }
    const pkg = match.package;
    const source = match.advisoryPackage !== pkg.name ? ` (source package ${match.advisoryPackage} ${match.comparedVersion})` : '';
    const fix =
      match.fixed !== null
        ? `fixed in ${match.fixed}`
        : match.lastAffected !== null
          ? `no fixed version known (last affected ${match.lastAffected})`
          : 'no fixed version yet';
    const title = match.summary !== '' ? match.summary : match.id;
    const remediation =
      match.fixed !== null
        ? `Upgrade ${match.advisoryPackage} to ${match.fixed} or later (rebuild the image on an updated base image or dependency).`
        : `No fix is available yet: remove or replace ${match.advisoryPackage} if it is not needed, mitigate, or record the assessment in a VEX statement.`;
    report.findings.push({
      control: match.id,
      title,
      severity: match.severity.severity,
      area: 'distribute',
      frameworks: {},
      object: options.object,
      location: { file: pkg.path, line: 0, column: 0, path: '' },
      message: `${pkg.name} ${pkg.version}${source} is affected by ${match.id}${aliasText(match)}: ${title}; ${fix}; ${severityText(match)}`,
      remediation,
      vulnerability: {
        id: match.id,
        aliases: match.aliases,
        ecosystem: match.ecosystem,
        package: pkg.name,
        installed: pkg.version,
        fixed: match.fixed,
        layer: pkg.layer,
      },
      advisory: {
        summary: match.summary,
        severity: match.severity,
        lastAffected: match.lastAffected,
        published: match.published,
        modified: match.modified,
        purl: pkg.purl,
        path: pkg.path,
      },
    });
    if (!controls.has(match.id)) {
      controls.set(match.id, {
        id: match.id,
        title,
        area: 'distribute',
        severity: match.severity.severity,
        frameworks: {},
        description: `${match.id}${aliasText(match)}: ${title}`,
        remediation,
      });
    }
  }
  report.controls = [...controls.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return report;
}

/** Whether a finding is a vulnerability (as opposed to a config check or a secret). */
export function isVulnerabilityFinding(finding: Finding): finding is VulnerabilityFinding {
  return 'vulnerability' in finding && 'advisory' in finding;
}

/** The `vulnerability` object in the documented key order, for JSON output. */
export function jsonVulnerability(detail: VulnerabilityDetail): VulnerabilityDetail {
  return {
    id: detail.id,
    aliases: [...detail.aliases],
    ecosystem: detail.ecosystem,
    package: detail.package,
    installed: detail.installed,
    fixed: detail.fixed,
    layer: detail.layer,
  };
}
