import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageScanResult } from '../scan.ts';
import { cycloneDxValidator, errorsOf, spdxMissing, spdxValidator } from '../testing/schemas.ts';
import { formatCycloneDx } from './cyclonedx.ts';
import { classifyLicense, normaliseExpression } from './license.ts';
import { formatSpdx } from './spdx.ts';

const layer = `sha256:${'1'.repeat(64)}`;
const sample: ImageScanResult = {
  image: { name: 'registry.example/app:1', manifestDigest: `sha256:${'2'.repeat(64)}`, configDigest: `sha256:${'3'.repeat(64)}`, platform: 'linux/amd64', os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' }, layers: [{ digest: layer, size: 10 }] },
  packages: [
    { name: 'libc6', version: '2.36-9+deb12u4', purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12', ecosystem: 'Debian', sourceName: 'glibc', distro: { id: 'debian', versionId: '12' }, licenses: ['GPL-2+', 'LGPL-2.1+'], layer, path: '/var/lib/dpkg/status' },
    { name: '@types/node', version: '22.10.2', purl: 'pkg:npm/%40types/node@22.10.2', ecosystem: 'npm', licenses: ['MIT'], layer, path: '/app/node_modules/@types/node/package.json' },
    { name: 'dual', version: '1.0.0', purl: 'pkg:npm/dual@1.0.0', ecosystem: 'npm', licenses: ['(MIT OR Apache-2.0)'], layer, path: '/app/node_modules/dual/package.json' },
    { name: 'dual', version: '1.0.0', purl: 'pkg:npm/dual@1.0.0', ecosystem: 'npm', licenses: ['Some Custom License'], layer, path: '/app/node_modules/dual/package.json' },
    { name: 'github.com/google/uuid', version: 'v1.6.0', purl: 'pkg:golang/github.com/google/uuid@v1.6.0', ecosystem: 'Go', layer, path: '/usr/local/bin/hello' },
  ],
  findings: [],
  problems: [],
  stats: { files: 1, uncompressedBytes: 1 },
};
const options = { toolVersion: '0.1.0', timestamp: '2026-11-27T00:00:00.000Z' };

describe('SBOM documents', () => {
  it('CycloneDX 1.6 validates against the official schema, with unique bom-refs', () => {
    const bom = JSON.parse(formatCycloneDx(sample, options)) as Record<string, any>;
    const validate = cycloneDxValidator();
    assert.ok(validate(bom), errorsOf(validate));
    const refs = bom.components.map((c: { 'bom-ref': string }) => c['bom-ref']);
    assert.equal(new Set(refs).size, refs.length);
    assert.deepEqual(bom.components[2].licenses, [{ license: { id: 'MIT' } }]);
    assert.deepEqual(bom.components[3].licenses, [{ expression: 'MIT OR Apache-2.0' }]);
    assert.equal(formatCycloneDx(sample, options), formatCycloneDx(sample, options), 'deterministic');
  });

  it('SPDX 2.3 validates against the official schema', { skip: spdxMissing() }, () => {
    const bom = JSON.parse(formatSpdx(sample, options)) as Record<string, any>;
    const validate = spdxValidator();
    assert.ok(validate(bom), errorsOf(validate));
    const declared = bom.packages.map((p: { licenseDeclared: string }) => p.licenseDeclared);
    assert.ok(declared.includes('MIT OR Apache-2.0'));
    assert.ok(declared.includes('LicenseRef-Some-Custom-License'));
    assert.deepEqual(bom.hasExtractedLicensingInfos[0].licenseId.startsWith('LicenseRef-'), true);
  });

  it('classifies licences: SPDX ids, expressions, free text', () => {
    assert.deepEqual(classifyLicense('mit'), { kind: 'id', id: 'MIT' });
    assert.deepEqual(classifyLicense('Apache-2.0 OR MIT'), { kind: 'expression', expression: 'Apache-2.0 OR MIT' });
    assert.deepEqual(classifyLicense('GPL-2.0-only WITH Classpath-exception-2.0'), { kind: 'expression', expression: 'GPL-2.0-only WITH Classpath-exception-2.0' });
    assert.equal(classifyLicense('BSD-like').kind, 'name');
    assert.equal(normaliseExpression('MIT OR'), null);
    assert.equal(normaliseExpression('(MIT'), null);
  });
});
