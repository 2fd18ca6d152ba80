import type { VulnerabilityFinding } from '../../vuln/match/findings.ts';
import type { ImageScanResult } from '../scan.ts';
import { scanSeed, stableUuid } from './ids.ts';
import { classifyLicense } from './license.ts';
import { advisoryUrl, aliasSource, ecosystemBase, isDateTime, packageKey, vulnerabilitiesOf } from './vulnerabilities.ts';

export interface SbomOptions {
  toolVersion: string;
  /** Document creation time (ISO 8601). */
  timestamp: string;
}

type Json = Record<string, unknown>;

function cdxLicenses(licenses: readonly string[] | undefined): Json[] | undefined {
  if (licenses === undefined || licenses.length === 0) return undefined;
  const choices = licenses.map(classifyLicense);
  // CycloneDX takes either licences (ids or names) or exactly one expression.
  const expressions = choices.filter((c) => c.kind === 'expression');
  if (expressions.length > 0 && choices.length === 1) return [{ expression: expressions[0]!.expression }];
  return choices.map((choice) =>
    choice.kind === 'id' ? { license: { id: choice.id } } : { license: { name: choice.kind === 'expression' ? choice.expression : choice.name } },
  );
}

/** CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): the image as the described component, one component per package. */
export function formatCycloneDx(result: ImageScanResult, options: SbomOptions): string {
  const imageRef = 'image';
  const used = new Set<string>([imageRef]);
  const components: Json[] = [];
  if (result.image.os !== null) {
    const ref = `os:${result.image.os.id}@${result.image.os.versionId}`;
    used.add(ref);
    components.push({ type: 'operating-system', 'bom-ref': ref, name: result.image.os.id, version: result.image.os.versionId, description: result.image.os.prettyName });
  }
  const refsByPackage = new Map<string, string[]>();
  for (const pkg of result.packages) {
    let ref = `${pkg.purl}#${pkg.path}`;
    for (let n = 2; used.has(ref); n++) ref = `${pkg.purl}#${pkg.path}#${n}`;
    used.add(ref);
    const key = packageKey(pkg.purl, pkg.path);
    refsByPackage.set(key, [...(refsByPackage.get(key) ?? []), ref]);
    const properties: Json[] = [
      { name: 'bulwark:ecosystem', value: pkg.ecosystem },
      { name: 'bulwark:layer', value: pkg.layer },
      { name: 'bulwark:path', value: pkg.path },
    ];
    if (pkg.sourceName !== undefined) properties.push({ name: 'bulwark:sourceName', value: pkg.sourceName });
    if (pkg.sourceVersion !== undefined) properties.push({ name: 'bulwark:sourceVersion', value: pkg.sourceVersion });
    const component: Json = { type: 'library', 'bom-ref': ref, name: pkg.name, version: pkg.version, purl: pkg.purl };
    const licenses = cdxLicenses(pkg.licenses);
    if (licenses !== undefined) component.licenses = licenses;
    component.properties = properties;
    components.push(component);
  }
  const imageComponent: Json = { type: 'container', 'bom-ref': imageRef, name: result.image.name };
  if (result.image.manifestDigest !== undefined) {
    imageComponent.version = result.image.manifestDigest;
    imageComponent.hashes = [{ alg: result.image.manifestDigest.startsWith('sha512:') ? 'SHA-512' : 'SHA-256', content: result.image.manifestDigest.split(':')[1] }];
  }
  imageComponent.properties = [
    { name: 'bulwark:platform', value: result.image.platform },
    ...(result.image.configDigest === '' ? [] : [{ name: 'bulwark:configDigest', value: result.image.configDigest }]),
    ...result.image.layers.map((layer, i) => ({ name: `bulwark:layer:${i}`, value: layer.digest })),
  ];
  const vulnerabilities = cdxVulnerabilities(vulnerabilitiesOf(result.findings), refsByPackage);
  const document: Json = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${stableUuid(scanSeed(result.image.name, result.image.manifestDigest, result.packages.map((p) => `${p.purl}#${p.path}`)))}`,
    version: 1,
    metadata: {
      timestamp: options.timestamp,
      tools: { components: [{ type: 'application', name: 'bulwark', version: options.toolVersion }] },
      component: imageComponent,
    },
    components,
    dependencies: [{ ref: imageRef, dependsOn: components.map((c) => c['bom-ref'] as string) }],
  };
  if (vulnerabilities.length > 0) document.vulnerabilities = vulnerabilities;
  return `${JSON.stringify(document, null, 2)}\n`;
}

const CVSS_METHOD: Readonly<Record<string, string>> = { '2.0': 'CVSSv2', '3.0': 'CVSSv3', '3.1': 'CVSSv31', '4.0': 'CVSSv4' };

/** The rating the finding's severity came from: a CVSS score with its vector, the ecosystem's word, or none. */
function cdxRating(finding: VulnerabilityFinding): Json {
  const { severity } = finding.advisory;
  if (severity.source === 'cvss' && severity.cvss !== undefined) {
    return { source: { name: 'OSV', url: advisoryUrl(finding.vulnerability.id) }, score: severity.cvss.score, severity: severity.cvss.severity, method: CVSS_METHOD[severity.cvss.version], vector: severity.cvss.vector };
  }
  if (severity.source === 'ecosystem') {
    return { source: { name: ecosystemBase(finding) }, severity: severity.severity, method: 'other', justification: `${ecosystemBase(finding)} rates it ${severity.label ?? severity.severity}` };
  }
  return { severity: 'unknown', method: 'other', justification: 'the advisory gives no rating; Bulwark reports it as medium' };
}

/**
 * CycloneDX 1.6 `vulnerabilities`: one entry per advisory, affecting every component it was matched
 * on, with the installed version as affected and the fixed version (when known) as unaffected.
 */
function cdxVulnerabilities(findings: readonly VulnerabilityFinding[], refsByPackage: ReadonlyMap<string, string[]>): Json[] {
  const byId = new Map<string, VulnerabilityFinding[]>();
  for (const finding of findings) byId.set(finding.vulnerability.id, [...(byId.get(finding.vulnerability.id) ?? []), finding]);
  const out: Json[] = [];
  for (const [id, group] of byId) {
    const first = group[0]!;
    const affects: Json[] = [];
    const recommendations = new Set<string>();
    const ratings = new Map<string, Json>();
    for (const finding of group) {
      const rating = cdxRating(finding);
      ratings.set(JSON.stringify(rating), rating);
      const { fixed, installed, package: name } = finding.vulnerability;
      if (fixed !== null) recommendations.add(`Upgrade ${name} to ${fixed} or later.`);
      const versions: Json[] = [{ version: installed, status: 'affected' }];
      if (fixed !== null) versions.push({ version: fixed, status: 'unaffected' });
      for (const ref of refsByPackage.get(packageKey(finding.advisory.purl, finding.advisory.path)) ?? []) affects.push({ ref, versions });
    }
    if (affects.length === 0) continue;
    const entry: Json = { 'bom-ref': `vulnerability:${id}`, id, source: { name: 'OSV', url: advisoryUrl(id) } };
    if (first.vulnerability.aliases.length > 0) entry.references = first.vulnerability.aliases.map((alias) => ({ id: alias, source: aliasSource(alias) }));
    entry.ratings = [...ratings.values()];
    if (first.advisory.summary !== '') entry.description = first.advisory.summary;
    entry.recommendation = recommendations.size > 0 ? [...recommendations].join(' ') : 'No fixed version is known: remove or replace the package, mitigate, or record the assessment in a VEX statement.';
    if (isDateTime(first.advisory.published)) entry.published = first.advisory.published;
    if (isDateTime(first.advisory.modified)) entry.updated = first.advisory.modified;
    entry.affects = affects;
    out.push(entry);
  }
  return out;
}
