import type { ImageScanResult } from '../scan.ts';
import { scanSeed, stableUuid } from './ids.ts';
import { classifyLicense } from './license.ts';

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
  for (const pkg of result.packages) {
    let ref = `${pkg.purl}#${pkg.path}`;
    for (let n = 2; used.has(ref); n++) ref = `${pkg.purl}#${pkg.path}#${n}`;
    used.add(ref);
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
  const document = {
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
  return `${JSON.stringify(document, null, 2)}\n`;
}
