import { severityRank, type Severity } from '../core/index.ts';
import { countBySeverity, SEVERITIES_DESCENDING } from '../report/model.ts';
import { jsonFinding } from '../report/json.ts';
import { displayWidth, terminalSafe } from '../report/terminal.ts';
import { isVulnerabilityFinding, jsonVulnerability } from '../vuln/match/findings.ts';
import type { InventoryPackage } from './inventory/package.ts';
import type { ImageScanResult } from './scan.ts';
import { formatImageSarif } from './sarif.ts';
import { formatCycloneDx } from './sbom/cyclonedx.ts';
import { formatSpdx } from './sbom/spdx.ts';

export const IMAGE_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'spdx'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface ImageRenderOptions {
  toolVersion: string;
  /** ISO time for SBOM documents. */
  timestamp: string;
  color?: boolean;
  /** The table lists every package, not only the counts. */
  listPackages?: boolean;
}

/** The documented shape of one package in `--format json`; keys in this order, optional ones only when known. */
export function jsonPackage(pkg: InventoryPackage): object {
  const out: Record<string, unknown> = { name: pkg.name, version: pkg.version, purl: pkg.purl, ecosystem: pkg.ecosystem };
  if (pkg.sourceName !== undefined) out.sourceName = pkg.sourceName;
  if (pkg.sourceVersion !== undefined) out.sourceVersion = pkg.sourceVersion;
  if (pkg.distro !== undefined) out.distro = { id: pkg.distro.id, versionId: pkg.distro.versionId };
  if (pkg.licenses !== undefined) out.licenses = [...pkg.licenses];
  out.layer = pkg.layer;
  out.path = pkg.path;
  return out;
}

/**
 * DESIGN.md §3's scan document plus `image`, `packages` and `problems`; findings and packages one
 * compact line each (greppable, diffable), the envelope indented.
 */
export function formatImageJson(result: ImageScanResult, toolVersion: string): string {
  const q = JSON.stringify;
  const lines = (items: readonly object[]): string => (items.length === 0 ? '[]' : `[\n${items.map((item) => `    ${q(item)}`).join(',\n')}\n  ]`);
  const bySeverity: Record<string, number> = {};
  const counts = countBySeverity(result.findings);
  for (const severity of SEVERITIES_DESCENDING) bySeverity[severity] = counts[severity];
  const summary = {
    objects: 1,
    files: result.stats.files,
    findings: result.findings.length,
    bySeverity,
    suppressed: 0,
    errors: result.problems.filter((p) => p.level === 'error').length,
    packages: result.packages.length,
  };
  return (
    `{\n  "schemaVersion": "1",\n  "tool": ${q({ name: 'bulwark', version: toolVersion })},\n` +
    `  "image": ${JSON.stringify(result.image, null, 2).replaceAll('\n', '\n  ')},\n` +
    `  "findings": ${lines(result.findings.map((f) => (isVulnerabilityFinding(f) ? { ...jsonFinding(f), vulnerability: jsonVulnerability(f.vulnerability) } : jsonFinding(f))))},\n` +
    `  "packages": ${lines(result.packages.map(jsonPackage))},\n` +
    `  "problems": ${lines(result.problems)},\n` +
    `  "summary": ${JSON.stringify(summary, null, 2).replaceAll('\n', '\n  ')}\n}\n`
  );
}

const STYLE: Readonly<Record<Severity, string>> = { critical: '1;31', high: '31', medium: '33', low: '34', info: '2' };

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** The table for people: the image, package counts (or the packages), findings, problems, a summary. */
export function formatImageTable(result: ImageScanResult, options: ImageRenderOptions): string {
  const paint = (style: string, text: string): string => (options.color === true ? `\u001b[${style}m${text}\u001b[0m` : text);
  const safe = terminalSafe;
  let out = `${paint('1', safe(result.image.name))}  ${result.image.platform}${result.image.os === null ? '' : `  ${safe(result.image.os.prettyName || `${result.image.os.id} ${result.image.os.versionId}`)}`}\n`;
  if (result.image.manifestDigest !== undefined) out += `  manifest ${result.image.manifestDigest}\n`;
  out += `  ${result.image.layers.length} layer${result.image.layers.length === 1 ? '' : 's'}, ${result.stats.files} files\n\n`;
  const byEcosystem = new Map<string, number>();
  for (const pkg of result.packages) byEcosystem.set(pkg.ecosystem, (byEcosystem.get(pkg.ecosystem) ?? 0) + 1);
  out += `${paint('1', `Packages (${result.packages.length})`)}  ${[...byEcosystem].map(([e, n]) => `${e} ${n}`).join(', ')}\n`;
  if (options.listPackages === true && result.packages.length > 0) {
    const rows = result.packages.map((p) => [p.ecosystem, safe(p.name), safe(p.version), safe(p.path)]);
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => displayWidth(r[c]!))));
    for (const row of rows) out += `  ${pad(row[0]!, widths[0]!)}  ${pad(row[1]!, widths[1]!)}  ${pad(row[2]!, widths[2]!)}  ${paint('2', row[3]!)}\n`;
  }
  out += '\n';
  if (result.findings.length > 0) {
    out += `${paint('1', 'Findings')}\n`;
    const sorted = [...result.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const controlWidth = Math.max(...sorted.map((f) => f.control.length));
    for (const finding of sorted) {
      const where = finding.location.line === 0 ? finding.location.path : `${finding.location.file}:${finding.location.line}:${finding.location.column}`;
      out += `  ${paint(STYLE[finding.severity], pad(finding.severity.toUpperCase(), 8))}  ${pad(finding.control, controlWidth)}  ${safe(where)}  ${safe(finding.message)}\n`;
    }
    out += '\n';
  }
  // Notes (device nodes under /dev, skipped archives) stay in --format json; the table shows what needs a look.
  const problems = result.problems.filter((p) => p.level !== 'note');
  if (problems.length > 0) {
    out += `${paint('1', 'Problems')}\n`;
    for (const problem of problems) out += `  ${problem.level}: ${safe(problem.path ?? '')}${problem.path ? ': ' : ''}${safe(problem.message)} [${problem.code}]\n`;
    out += '\n';
  }
  const counts = countBySeverity(result.findings);
  out +=
    result.findings.length === 0
      ? `${paint('32', 'No findings.')}\n`
      : `${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}: ${SEVERITIES_DESCENDING.map((s) => (counts[s] > 0 ? paint(STYLE[s], `${counts[s]} ${s}`) : `${counts[s]} ${s}`)).join(', ')}\n`;
  return out;
}

export function renderImageReport(result: ImageScanResult, format: ImageFormat, options: ImageRenderOptions): string {
  switch (format) {
    case 'json':
      return formatImageJson(result, options.toolVersion);
    case 'sarif':
      return formatImageSarif(result, options);
    case 'cyclonedx':
      return formatCycloneDx(result, options);
    case 'spdx':
      return formatSpdx(result, options);
    case 'table':
      return formatImageTable(result, options);
  }
}

/** Exit code 1 when a finding is at or above `failOn`. */
export function imageExitCode(result: ImageScanResult, failOn: Severity | undefined): number {
  if (failOn === undefined) return 0;
  return result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}

