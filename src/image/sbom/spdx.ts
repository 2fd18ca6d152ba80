import type { ImageScanResult } from '../scan.ts';
import type { SbomOptions } from './cyclonedx.ts';
import { scanSeed, stableUuid } from './ids.ts';
import { classifyLicense } from './license.ts';
import { advisoryUrl, fixText, packageKey, ratingText, vulnerabilitiesOf } from './vulnerabilities.ts';

type Json = Record<string, unknown>;

const NOASSERTION = 'NOASSERTION';

/** SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): the image as a CONTAINER package that CONTAINS every package found. */
export function formatSpdx(result: ImageScanResult, options: SbomOptions): string {
  const extracted = new Map<string, string>();
  const declared = (licenses: readonly string[] | undefined): string => {
    if (licenses === undefined || licenses.length === 0) return NOASSERTION;
    const parts = licenses.map((text) => {
      const choice = classifyLicense(text);
      if (choice.kind === 'id') return choice.id;
      if (choice.kind === 'expression') return `(${choice.expression})`;
      // Free text becomes a LicenseRef whose text is declared once in hasExtractedLicensingInfos.
      const id = `LicenseRef-${choice.name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'unnamed'}`;
      extracted.set(id, choice.name);
      return id;
    });
    const unique = [...new Set(parts)];
    return unique.length === 1 ? unique[0]!.replace(/^\((.*)\)$/, '$1') : unique.join(' AND ');
  };
  const imageId = 'SPDXRef-Image';
  const image: Json = {
    SPDXID: imageId,
    name: result.image.name,
    versionInfo: result.image.manifestDigest ?? result.image.configDigest ?? '',
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: 'CONTAINER',
  };
  if (result.image.manifestDigest?.startsWith('sha256:') === true) {
    image.checksums = [{ algorithm: 'SHA256', checksumValue: result.image.manifestDigest.slice(7) }];
  }
  const packages: Json[] = [image];
  const relationships: Json[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId }];
  if (result.image.os !== null) {
    packages.push({
      SPDXID: 'SPDXRef-OperatingSystem',
      name: result.image.os.id,
      versionInfo: result.image.os.versionId,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      description: result.image.os.prettyName,
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-OperatingSystem' });
  }
  // SPDX 2.3 has no vulnerability element: Annex K.1 links each affected package to its advisory with
  // a SECURITY/advisory external reference; the comment carries what the scan concluded.
  const advisories = new Map<string, object[]>();
  for (const finding of vulnerabilitiesOf(result.findings)) {
    const key = packageKey(finding.advisory.purl, finding.advisory.path);
    const aliases = finding.vulnerability.aliases.length > 0 ? ` (${finding.vulnerability.aliases.join(', ')})` : '';
    const summary = finding.advisory.summary === '' ? '' : `: ${finding.advisory.summary}`;
    advisories.set(key, [
      ...(advisories.get(key) ?? []),
      {
        referenceCategory: 'SECURITY',
        referenceType: 'advisory',
        referenceLocator: advisoryUrl(finding.vulnerability.id),
        comment: `${finding.vulnerability.id}${aliases}${summary}; affects ${finding.vulnerability.installed}; ${fixText(finding)}; severity ${finding.severity} (${ratingText(finding)})`,
      },
    ]);
  }
  for (const [i, pkg] of result.packages.entries()) {
    const id = `SPDXRef-Package-${i + 1}`;
    packages.push({
      SPDXID: id,
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared(pkg.licenses),
      copyrightText: NOASSERTION,
      sourceInfo: `${pkg.ecosystem} package found at ${pkg.path}${pkg.layer === '' ? '' : ` in layer ${pkg.layer}`}${pkg.sourceName !== undefined && pkg.sourceName !== pkg.name ? `; source package ${pkg.sourceName}` : ''}`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }, ...(advisories.get(packageKey(pkg.purl, pkg.path)) ?? [])],
      primaryPackagePurpose: 'LIBRARY',
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  const uuid = stableUuid(scanSeed(result.image.name, result.image.manifestDigest, result.packages.map((p) => `${p.purl}#${p.path}`)));
  const document: Json = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: result.image.name,
    documentNamespace: `https://spdx.org/spdxdocs/bulwark-${uuid}`,
    creationInfo: { created: options.timestamp.replace(/\.\d+Z$/, 'Z'), creators: [`Tool: bulwark-${options.toolVersion}`] },
    packages,
    relationships,
  };
  if (extracted.size > 0) {
    document.hasExtractedLicensingInfos = [...extracted].sort(([a], [b]) => (a < b ? -1 : 1)).map(([licenseId, text]) => ({ licenseId, extractedText: text, name: text }));
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}
