import { createHash } from 'node:crypto';
import type { Control, Finding, Severity } from '../core/index.ts';
import { FINGERPRINT_KEY, SARIF_SCHEMA_URI } from '../report/sarif.ts';
import { isVulnerabilityFinding, type VulnerabilityFinding } from '../vuln/match/findings.ts';
import { imageConfigChecks, secretInLayerControl } from './checks/config.ts';
import type { ImageScanResult } from './scan.ts';
import { advisoryUrl, ecosystemBase } from './sbom/vulnerabilities.ts';

/** Paths inside the image's root filesystem are relative to this base. */
export const IMAGE_ROOT = 'IMAGE_ROOT';

type Json = Record<string, unknown>;

/** As `bulwark scan` maps them: what code-scanning viewers show everyone must read as an error when high. */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub's `security-severity` bands (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0); a CVSS score wins when there is one. */
const BAND_SCORE: Readonly<Record<Severity, number | undefined>> = { critical: 9.5, high: 8.0, medium: 5.5, low: 2.0, info: undefined };

/** `/var/lib/dpkg/status` → `var/lib/dpkg/status`, each segment percent-encoded as RFC 3986 wants. */
function imageUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function controlRule(control: Control): Json {
  const properties: Json = { tags: ['security', 'container-image', control.area], severity: control.severity };
  const score = BAND_SCORE[control.severity];
  if (score !== undefined) properties['security-severity'] = score.toFixed(1);
  return {
    id: control.id,
    name: ruleName(control.id),
    shortDescription: { text: control.title },
    fullDescription: { text: control.description },
    help: { text: `${control.description}\n\nRemediation: ${control.remediation}`, markdown: `${control.description}\n\n**Remediation:** ${control.remediation}` },
    defaultConfiguration: { level: LEVEL[control.severity] },
    properties,
  };
}

/** One rule per advisory; its severity is the highest any of its results has. */
function vulnerabilityRule(findings: readonly VulnerabilityFinding[]): Json {
  const first = findings[0]!;
  const { id, aliases } = first.vulnerability;
  let severity: Severity = first.severity;
  let score: number | undefined;
  const rank: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  for (const finding of findings) {
    if (rank[finding.severity] > rank[severity]) severity = finding.severity;
    const cvss = finding.advisory.severity.cvss;
    if (finding.advisory.severity.source === 'cvss' && cvss !== undefined && (score === undefined || cvss.score > score)) score = cvss.score;
  }
  score ??= BAND_SCORE[severity];
  const title = first.advisory.summary === '' ? id : first.advisory.summary;
  const aliasText = aliases.length > 0 ? ` (${aliases.join(', ')})` : '';
  const ecosystems = [...new Set(findings.map(ecosystemBase))].sort();
  const properties: Json = { tags: ['security', 'vulnerability', ...ecosystems], severity };
  if (score !== undefined && score > 0) properties['security-severity'] = score.toFixed(1);
  return {
    id,
    name: ruleName(id),
    shortDescription: { text: title },
    fullDescription: { text: `${id}${aliasText}: ${title}` },
    helpUri: advisoryUrl(id),
    help: { text: `${id}${aliasText}: ${title}\n\n${first.remediation}\n\nAdvisory: ${advisoryUrl(id)}`, markdown: `**${id}**${aliasText}: ${title}\n\n${first.remediation}\n\n[Advisory](${advisoryUrl(id)})` },
    defaultConfiguration: { level: LEVEL[severity] },
    properties,
  };
}

function vulnerabilityResult(finding: VulnerabilityFinding, ruleIndex: number): Json {
  const { id, installed, fixed, layer, ecosystem, package: name } = finding.vulnerability;
  const logical: Json[] = [{ fullyQualifiedName: finding.advisory.purl, name, kind: 'package' }];
  if (layer !== '') logical.push({ fullyQualifiedName: layer, kind: 'layer' });
  const properties: Json = { severity: finding.severity, purl: finding.advisory.purl, ecosystem, installedVersion: installed, fixedVersion: fixed };
  if (layer !== '') properties.layer = layer;
  return {
    ruleId: id,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: imageUri(finding.advisory.path), uriBaseId: IMAGE_ROOT } }, logicalLocations: logical }],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(id, finding.advisory.purl, finding.advisory.path) },
    properties,
  };
}

function imageFindingResult(finding: Finding, ruleIndex: number, configDigest: string): Json {
  const inConfig = finding.location.line === 0;
  let location: Json;
  if (inConfig) {
    // The config is a blob, not a file of the image: named, and pointed into by its field path.
    location = {
      physicalLocation: { artifactLocation: { uri: 'image-config.json', description: { text: `the image configuration${configDigest === '' ? '' : ` (${configDigest})`}` } } },
      logicalLocations: [{ fullyQualifiedName: finding.location.path, kind: 'object' }],
    };
  } else {
    location = {
      physicalLocation: {
        artifactLocation: { uri: imageUri(finding.location.file), uriBaseId: IMAGE_ROOT },
        region: { startLine: finding.location.line, startColumn: Math.max(1, finding.location.column) },
      },
    };
    if (finding.location.path !== '') location.logicalLocations = [{ fullyQualifiedName: finding.location.path, kind: 'layer' }];
  }
  return {
    ruleId: finding.control,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding.control, finding.location.file, finding.location.path, inConfig ? '' : finding.message) },
    properties: { severity: finding.severity },
  };
}

/**
 * SARIF 2.1.0 for `bulwark image scan`: rules are the image controls that reported something and one
 * rule per advisory; a vulnerability is located at the file its package was read from (relative to
 * the image root) with the package's purl and the layer as logical locations; secrets at their file,
 * line and column; config findings at the config field.
 */
export function formatImageSarif(result: ImageScanResult, options: { toolVersion: string }): string {
  const controls = new Map<string, Control>([...imageConfigChecks, secretInLayerControl].map((control) => [control.id, control]));
  const rules: Json[] = [];
  const ruleIndex = new Map<string, number>();
  const vulnerabilities = new Map<string, VulnerabilityFinding[]>();
  for (const finding of result.findings) {
    if (isVulnerabilityFinding(finding)) vulnerabilities.set(finding.control, [...(vulnerabilities.get(finding.control) ?? []), finding]);
  }
  const indexOf = (finding: Finding): number => {
    let index = ruleIndex.get(finding.control);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(finding.control, index);
      const group = vulnerabilities.get(finding.control);
      rules.push(group !== undefined ? vulnerabilityRule(group) : controlRule(controls.get(finding.control) ?? { ...finding, id: finding.control, description: finding.title }));
    }
    return index;
  };
  const results = result.findings.map((finding) =>
    isVulnerabilityFinding(finding) ? vulnerabilityResult(finding, indexOf(finding)) : imageFindingResult(finding, indexOf(finding), result.image.configDigest),
  );
  const runProperties: Json = { image: result.image.name, platform: result.image.platform };
  if (result.image.manifestDigest !== undefined) runProperties.manifestDigest = result.image.manifestDigest;
  if (result.image.configDigest !== '') runProperties.configDigest = result.image.configDigest;
  const driver: Json = { name: 'bulwark', version: options.toolVersion, rules };
  if (/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(options.toolVersion)) driver.semanticVersion = options.toolVersion;
  const run = {
    tool: { driver },
    invocations: [{ executionSuccessful: !result.problems.some((p) => p.level === 'error') }],
    originalUriBaseIds: { [IMAGE_ROOT]: { uri: 'file:///', description: { text: `The root filesystem of ${result.image.name}` } } },
    columnKind: 'utf16CodeUnits',
    properties: runProperties,
    results,
  };
  // Results one compact line each, as `bulwark scan` writes them: greppable and diffable per finding.
  // `results` is the run's last key: its placeholder is the last string of the indented document.
  const text = JSON.stringify({ $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [{ ...run, results: RESULTS_PLACEHOLDER }] }, null, 2);
  const at = text.lastIndexOf(JSON.stringify(RESULTS_PLACEHOLDER));
  const body = results.length === 0 ? '[]' : `[\n${results.map((r) => `        ${JSON.stringify(r)}`).join(',\n')}\n      ]`;
  return `${text.slice(0, at)}${body}${text.slice(at + JSON.stringify(RESULTS_PLACEHOLDER).length)}\n`;
}

const RESULTS_PLACEHOLDER = '\u0000results';
