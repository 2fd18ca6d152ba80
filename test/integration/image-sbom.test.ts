// The inventory of a real image (see test/support/test-images.ts): a Debian root filesystem made by
// mmdebstrap, an npm application, a Go binary, a jar, planted secrets. The SBOM must list exactly the
// packages each package manager says it installed, through every source (registry, OCI layout,
// docker-archive), and the CycloneDX and SPDX documents must validate against the official schemas.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { parseImageReference } from '../../src/image/reference.ts';
import { renderImageReport } from '../../src/image/report.ts';
import { scanImage, type ImageScanResult } from '../../src/image/scan.ts';
import { cycloneDxValidator, errorsOf, spdxMissing, spdxValidator } from '../../src/image/testing/schemas.ts';
import { pushImage, writeDockerArchive } from '../support/oci.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { repoRoot } from '../support/shared.ts';
import { realTestImage, testImageToolsMissing, type TestImage } from '../support/test-images.ts';

const missing = testImageToolsMissing() || registryMissing();
const work = mkdtempSync(join(tmpdir(), 'bulwark-image-sbom-'));
after(() => rmSync(work, { recursive: true, force: true }));

const names = (result: ImageScanResult, ecosystem: string): [string, string][] =>
  result.packages.filter((p) => p.ecosystem === ecosystem).map((p) => [p.name, p.version] as [string, string]).sort();

describe('SBOM of a real image', { skip: missing, timeout: 30 * 60_000 }, () => {
  let built: TestImage;
  let registry: TestRegistry;
  let fromRegistry: ImageScanResult;
  before(async () => {
    built = await realTestImage();
    registry = await startRegistry();
    await pushImage(registry, 'bulwark/real', built.tag, built.image);
    fromRegistry = await scanImage({ location: { kind: 'registry', reference: parseImageReference(`${registry.host}/bulwark/real:${built.tag}`) }, access: { insecureHosts: [registry.host], env: { HOME: work } } });
  });
  after(async () => registry?.stop());

  it('lists exactly the packages dpkg-query reports for the root filesystem, with source packages', () => {
    assert.deepEqual(names(fromRegistry, 'Debian'), built.expected.dpkg);
    assert.ok(built.expected.dpkg.length >= 100);
    const libc = fromRegistry.packages.find((p) => p.name === 'libc6')!;
    assert.equal(libc.sourceName, 'glibc');
    assert.match(libc.purl, /^pkg:deb\/debian\/libc6@2\.36-9%2Bdeb12u\d+\?arch=amd64&distro=debian-12$/);
    assert.deepEqual(libc.distro, { id: 'debian', versionId: '12' });
    assert.equal(libc.layer, built.image.layerDigests[0]);
    assert.equal(libc.path, '/var/lib/dpkg/status');
    assert.ok(fromRegistry.packages.filter((p) => p.ecosystem === 'Debian' && p.licenses !== undefined).length > 50, 'licences from DEP-5 copyright files');
  });

  it('lists the npm packages npm installed (node_modules), scoped names encoded in purls', () => {
    assert.deepEqual(names(fromRegistry, 'npm'), built.expected.npm);
    const types = fromRegistry.packages.find((p) => p.name === '@types/node')!;
    assert.equal(types.purl, `pkg:npm/%40types/node@${types.version}`);
    assert.equal(types.path, '/app/node_modules/@types/node/package.json');
    assert.equal(types.layer, built.image.layerDigests[1]);
  });

  it('reads the Go binary as go version -m does, the jar and the Python metadata', () => {
    const go = fromRegistry.packages.filter((p) => p.ecosystem === 'Go');
    assert.deepEqual(go.filter((p) => p.name !== 'stdlib' && p.name !== built.expected.go.main).map((p) => [p.name, p.version]), built.expected.go.deps);
    assert.ok(go.some((p) => p.name === built.expected.go.main));
    assert.equal(go.find((p) => p.name === 'stdlib')!.version, `v${built.expected.go.goVersion.replace(/^go/, '')}`);
    assert.equal(go[0]!.path, '/usr/local/bin/hello');
    assert.deepEqual(names(fromRegistry, 'Maven'), built.expected.maven);
    assert.equal(fromRegistry.packages.find((p) => p.ecosystem === 'Maven')!.purl, 'pkg:maven/com.example/hello@1.2.3');
    assert.deepEqual(names(fromRegistry, 'PyPI'), built.expected.python);
  });

  it('finds the planted secrets with layer and path, never printing them; ignores published examples', () => {
    const secrets = fromRegistry.findings.filter((f) => f.control === 'image-secret-in-layer');
    const github = secrets.find((f) => f.location.file === '/app/.env')!;
    assert.ok(github, JSON.stringify(secrets, null, 1));
    assert.equal(github.location.path, 'layers[1]');
    assert.match(github.message, /later layer removed/);
    assert.ok(secrets.some((f) => f.location.file === built.expected.secrets.privateKeyPath && /Private key/.test(f.message)));
    assert.ok(!secrets.some((f) => f.location.file === '/app/docs/aws.md'), 'AWS documentation example keys are not secrets');
    const everything = renderImageReport(fromRegistry, 'json', { toolVersion: 't', timestamp: 'x' }) + renderImageReport(fromRegistry, 'table', { toolVersion: 't', timestamp: 'x' });
    assert.ok(!everything.includes(built.expected.secrets.githubToken));
    assert.ok(!everything.includes('MII'), 'no key material');
  });

  it('checks the image config: root user, secret in ENV and history, SSH port, no healthcheck', () => {
    const controls = new Set(fromRegistry.findings.map((f) => f.control));
    for (const id of ['image-runs-as-root', 'image-secret-in-env', 'image-secret-in-history', 'image-exposes-remote-access-port', 'image-no-healthcheck']) assert.ok(controls.has(id), id);
  });

  it('gives the same inventory from the OCI layout and from a docker save archive', async () => {
    const fromLayout = await scanImage({ location: { kind: 'oci', path: built.layout, tag: built.tag } });
    assert.deepEqual(fromLayout.packages, fromRegistry.packages);
    const layers = built.image.layerDigests.map((digest) => {
      const blob = readFileSync(join(built.layout, 'blobs', 'sha256', digest.slice(7)));
      return blob[0] === 0x1f ? gunzipSync(blob) : blob[0] === 0x28 ? zstdDecompressSync(blob) : blob;
    });
    const archive = join(work, 'image.tar');
    await writeDockerArchive(archive, built.image, layers, 'bulwark/real:v1');
    const fromArchive = await scanImage({ location: { kind: 'docker-archive', path: archive } });
    assert.deepEqual(
      fromArchive.packages.map((p) => [p.purl, p.path]),
      fromRegistry.packages.map((p) => [p.purl, p.path]),
    );
  });

  it('writes CycloneDX 1.6 and SPDX 2.3 documents valid against their official schemas', { skip: spdxMissing() }, () => {
    const options = { toolVersion: '0.1.0', timestamp: new Date().toISOString() };
    const cdx = JSON.parse(renderImageReport(fromRegistry, 'cyclonedx', options)) as Record<string, any>;
    const validateCdx = cycloneDxValidator();
    assert.ok(validateCdx(cdx), errorsOf(validateCdx));
    assert.equal(cdx.components.filter((c: { type: string }) => c.type === 'library').length, fromRegistry.packages.length);
    const spdx = JSON.parse(renderImageReport(fromRegistry, 'spdx', options)) as Record<string, any>;
    const validateSpdx = spdxValidator();
    assert.ok(validateSpdx(spdx), errorsOf(validateSpdx));
    assert.equal(spdx.packages.length, fromRegistry.packages.length + 2);
  });

  it('the CLI: image scan --format json (exit 1 with --fail-on high) and image sbom', () => {
    const bin = join(repoRoot, 'bin', 'bulwark.js');
    const scan = spawnSync(process.execPath, [bin, 'image', 'scan', `oci:${built.layout}:${built.tag}`, '--format', 'json', '--fail-on', 'high'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(scan.status, 1, scan.stderr);
    const document = JSON.parse(scan.stdout) as { schemaVersion: string; packages: unknown[]; findings: unknown[]; summary: { packages: number } };
    assert.equal(document.schemaVersion, '1');
    assert.equal(document.packages.length, fromRegistry.packages.length);
    assert.equal(document.summary.packages, fromRegistry.packages.length);
    const sbom = spawnSync(process.execPath, [bin, 'image', 'sbom', `oci:${built.layout}:${built.tag}`, '--format', 'spdx'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(sbom.status, 0, sbom.stderr);
    assert.equal((JSON.parse(sbom.stdout) as { spdxVersion: string }).spdxVersion, 'SPDX-2.3');
    const bad = spawnSync(process.execPath, [bin, 'image', 'scan', 'oci:/nonexistent-layout'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no oci-layout file/);
  });
});
