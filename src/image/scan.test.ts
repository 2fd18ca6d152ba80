import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import { buildImage, buildIndex, tarOf, writeDockerArchive, writeOciLayout } from '../../test/support/oci.ts';
import { formatImageJson, formatImageTable } from './report.ts';
import { scanImage } from './scan.ts';

const work = mkdtempSync(join(tmpdir(), 'bulwark-image-scan-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const dir = () => join(work, `t${n++}`);

async function layout(layers: Buffer[], config: Record<string, unknown> = {}): Promise<{ path: string; image: ReturnType<typeof buildImage> }> {
  const path = dir();
  const image = buildImage({ layers, config });
  writeOciLayout(path, [{ tag: 'v1', image }]);
  return { path, image };
}

describe('image scan', () => {
  it('refuses a layer whose bytes do not match its digest (tampered blob)', async () => {
    const { path, image } = await layout([await tarOf([{ name: 'a', content: 'x' }])]);
    const blob = join(path, 'blobs', 'sha256', image.layerDigests[0]!.slice(7));
    const bytes = readFileSync(blob);
    bytes[bytes.length - 5]! ^= 0xff;
    writeFileSync(blob, bytes);
    await assert.rejects(scanImage({ location: { kind: 'oci', path } }), (e: unknown) => e instanceof BulwarkError && /digest mismatch|not a readable layer/.test(e.message));
  });

  it('refuses layers that do not uncompress to the config diff_id', async () => {
    const a = await tarOf([{ name: 'a', content: 'x' }]);
    const b = await tarOf([{ name: 'b', content: 'y' }]);
    const path = dir();
    const image = buildImage({ layers: [a] });
    const other = buildImage({ layers: [b] });
    // The manifest of `image` with the config of `other`: every blob is intact, the image is not.
    const manifest = JSON.parse(image.manifest.toString()) as { config: { digest: string; size: number } };
    manifest.config = { ...manifest.config, digest: other.configDigest, size: other.config.length };
    const forged = buildImage({ layers: [a] });
    forged.blobs.set(other.configDigest, other.config);
    const bytes = Buffer.from(JSON.stringify(manifest));
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    forged.blobs.set(digest, bytes);
    writeOciLayout(path, [{ tag: 'v1', image: { ...forged, manifest: bytes, manifestDigest: digest } }]);
    await assert.rejects(scanImage({ location: { kind: 'oci', path } }), (e: unknown) => e instanceof BulwarkError && /diff_ids/.test(e.message));
  });

  it('inventories only the package files the last layers leave, and reports broken ones that remain', async () => {
    // The package files are parsed as their layer is read (collect.ts), before later layers are known.
    const pkg = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });
    const base = await tarOf([
      { name: 'app/node_modules/a/package.json', content: pkg('a', '1.0.0') },
      { name: 'app/node_modules/b/package.json', content: '{"name": "b", "version":' },
      { name: 'app/node_modules/c/package.json', content: pkg('c', '1.0.0') },
      { name: 'app/node_modules/d/package.json', content: '{ not json' },
      { name: 'usr/lib/python3/site-packages/req-1.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: req\nVersion: 1.0\n' },
    ]);
    const top = await tarOf([
      { name: 'app/node_modules/a/package.json', content: pkg('a', '2.0.0') },
      { name: 'app/node_modules/c/.wh.package.json', content: '' },
      { name: 'app/node_modules/.wh.d', content: '' },
      { name: 'usr/lib/python3/site-packages/req-1.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: req\nVersion: 1.1\n' },
    ]);
    const { path } = await layout([base, top]);
    const result = await scanImage({ location: { kind: 'oci', path } });
    assert.deepEqual(result.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version}`).sort(), ['PyPI req@1.1', 'npm a@2.0.0']);
    const broken = result.problems.filter((p) => p.code === 'parse-error');
    assert.deepEqual(broken.map((p) => p.path), ['/app/node_modules/b/package.json']);
    assert.match(broken[0]!.message, /not JSON/);
  });

  it('reads OCI layouts with several tags and multi-platform indexes', async () => {
    const amd = buildImage({ layers: [await tarOf([{ name: 'lib/apk/db/installed', content: 'P:a\nV:1\n' }])] });
    const arm = buildImage({ layers: [await tarOf([{ name: 'lib/apk/db/installed', content: 'P:b\nV:2\n' }])], architecture: 'arm64' });
    const index = buildIndex([{ image: amd, platform: { os: 'linux', architecture: 'amd64' } }, { image: arm, platform: { os: 'linux', architecture: 'arm64' } }]);
    const path = dir();
    writeOciLayout(path, [{ tag: 'multi', image: amd, index }]);
    writeOciLayout(join(path), [{ tag: 'multi', image: arm, index }]);
    const result = await scanImage({ location: { kind: 'oci', path, tag: 'multi' }, platform: { os: 'linux', architecture: 'arm64' } });
    assert.deepEqual(result.packages.map((p) => p.name), ['b']);
    await assert.rejects(scanImage({ location: { kind: 'oci', path, tag: 'nope' } }), /no manifest tagged "nope"/);
  });

  it('reads docker save archives and root filesystems', async () => {
    const tar = await tarOf([{ name: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID=12\n' }, { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }, { name: 'var/lib/dpkg/status', content: 'Package: a\nVersion: 1\nStatus: install ok installed\nArchitecture: all\n' }]);
    const image = buildImage({ layers: [tar] });
    const file = join(work, 'save.tar');
    await writeDockerArchive(file, image, [tar], 'x:1');
    const fromArchive = await scanImage({ location: { kind: 'docker-archive', path: file, tag: '1' } });
    assert.deepEqual(fromArchive.packages.map((p) => p.purl), ['pkg:deb/debian/a@1?arch=all&distro=debian-12']);
    // The classic layout (Docker before 25): <id>/layer.tar named by no digest; the diff_id is the check.
    const classic = join(work, 'classic.tar');
    const configName = `${image.configDigest.slice(7)}.json`;
    writeFileSync(classic, await tarOf([
      { name: 'abc/layer.tar', content: tar },
      { name: configName, content: image.config },
      { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: ['x:1'], Layers: ['abc/layer.tar'] }]) },
    ]));
    const fromClassic = await scanImage({ location: { kind: 'docker-archive', path: classic } });
    assert.deepEqual(fromClassic.packages.map((p) => p.purl), ['pkg:deb/debian/a@1?arch=all&distro=debian-12']);
    writeFileSync(classic, await tarOf([
      { name: 'abc/layer.tar', content: await tarOf([{ name: 'other', content: 'x' }]) },
      { name: configName, content: image.config },
      { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: ['x:1'], Layers: ['abc/layer.tar'] }]) },
    ]));
    await assert.rejects(scanImage({ location: { kind: 'docker-archive', path: classic } }), /diff_ids/);
    const root = dir();
    mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'var', 'lib', 'dpkg'), { recursive: true });
    writeFileSync(join(root, 'usr', 'lib', 'os-release'), 'ID=debian\nVERSION_ID=12\n');
    symlinkSync('../usr/lib/os-release', join(root, 'etc', 'os-release'));
    writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), 'Package: a\nVersion: 1\nStatus: install ok installed\nArchitecture: all\n');
    const fromDir = await scanImage({ location: { kind: 'dir', path: root } });
    assert.deepEqual(fromDir.packages.map((p) => [p.purl, p.layer]), [['pkg:deb/debian/a@1?arch=all&distro=debian-12', '']]);
  });

  it('npm lock files count only when their node_modules is absent; reports are deterministic', async () => {
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/a': { version: '1.0.0' } } });
    const { path } = await layout([
      await tarOf([
        { name: 'app/package-lock.json', content: lock },
        { name: 'app/node_modules/a/package.json', content: '{"name":"a","version":"1.0.0"}' },
        { name: 'other/package-lock.json', content: lock },
      ]),
    ]);
    const result = await scanImage({ location: { kind: 'oci', path } });
    assert.deepEqual(result.packages.map((p) => p.path), ['/app/node_modules/a/package.json', '/other/package-lock.json']);
    const again = await scanImage({ location: { kind: 'oci', path } });
    assert.equal(formatImageJson(again, 'x'), formatImageJson(result, 'x'));
    assert.match(formatImageTable(result, { toolVersion: 'x', timestamp: '' }), /Packages \(2\)  npm 2/);
  });

  it('symlink loops in the image are reported, not followed', async () => {
    const { path } = await layout([await tarOf([{ name: 'etc/os-release', type: 'symlink', linkname: '/etc/os-release' }])]);
    const result = await scanImage({ location: { kind: 'oci', path } });
    assert.equal(result.image.os, null);
    assert.ok(result.problems.some((p) => p.code === 'symlink-loop'));
  });
});
