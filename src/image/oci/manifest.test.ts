import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { assertNeverCrashes, mutatedBytes } from '../testing/fuzz.ts';
import { hostPlatform, parseImageConfig, parseManifest, parsePlatform, selectPlatform } from './manifest.ts';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('a'), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D('b'), size: 20 }] };
const index = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('c'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('d'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('e'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
  ],
};
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('manifests and indexes', () => {
  it('parses an image manifest and an index', () => {
    const m = parseManifest(bytes(manifest), 'm');
    assert.equal(m.kind, 'manifest');
    assert.equal(m.kind === 'manifest' && m.layers[0]!.digest, D('b'));
    const i = parseManifest(bytes(index), 'i');
    assert.equal(i.kind, 'index');
  });

  it('picks the platform; arm64 matches with or without v8; names the choices when none fits', () => {
    const i = parseManifest(bytes(index), 'i');
    assert.ok(i.kind === 'index');
    assert.equal(selectPlatform(i, { os: 'linux', architecture: 'amd64' }, 'x').digest, D('c'));
    assert.equal(selectPlatform(i, { os: 'linux', architecture: 'arm64' }, 'x').digest, D('d'));
    assert.throws(() => selectPlatform(i, { os: 'linux', architecture: 's390x' }, 'x'), /linux\/amd64, linux\/arm64\/v8/);
    assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.throws(() => parsePlatform('amd64'), BulwarkError);
    assert.deepEqual(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
  });

  it('refuses schema 1 and malformed descriptors with typed errors', () => {
    assert.throws(() => parseManifest(bytes({ schemaVersion: 1, fsLayers: [] }), 'old'), /schema 1/);
    assert.throws(() => parseManifest(bytes({ ...manifest, layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }), 'm'), /layers\[0\]/);
    assert.throws(() => parseManifest(bytes({ ...manifest, config: { mediaType: 'x', digest: D('a'), size: -1 } }), 'm'), /size/);
  });

  it('reads the config fields the checks use', () => {
    const config = parseImageConfig(bytes({ architecture: 'amd64', os: 'linux', config: { User: 'app', Env: ['A=1'], ExposedPorts: { '22/tcp': {} }, Healthcheck: { Test: ['NONE'] } }, rootfs: { diff_ids: [D('f')] }, history: [{ created_by: 'x', empty_layer: true }] }), 'c');
    assert.equal(config.user, 'app');
    assert.deepEqual(config.exposedPorts, ['22/tcp']);
    assert.deepEqual(config.healthcheck, { test: ['NONE'] });
    assert.deepEqual(config.history, [{ createdBy: 'x', emptyLayer: true }]);
  });

  it('never crashes on hostile manifests and configs (fuzz)', () => {
    assertNeverCrashes(fc.oneof(mutatedBytes(bytes(manifest)), mutatedBytes(bytes(index)), fc.json().map((j) => Buffer.from(j))), (b) => parseManifest(b, 'fuzz'), 500);
    assertNeverCrashes(fc.oneof(fc.jsonValue().map((v) => bytes({ schemaVersion: 2, manifests: v })), fc.jsonValue().map((v) => bytes({ schemaVersion: 2, config: v, layers: [v] }))), (b) => parseManifest(b, 'fuzz'), 300);
    assertNeverCrashes(fc.jsonValue().map((v) => bytes({ config: v, rootfs: v, history: v })), (b) => parseImageConfig(b, 'fuzz'), 300);
  });
});
