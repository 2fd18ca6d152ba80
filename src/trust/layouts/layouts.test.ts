import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { MEDIA, parseIndex, referrersTag, sha256Digest } from '../../image/registry/referrers.ts';
import { attestationTag, buildClassicManifest, parseClassicManifest, signatureTag, SIMPLE_SIGNING_MEDIA_TYPE } from './cosign-classic.ts';
import { addToReferrersIndex, buildReferrerManifest, EMPTY_CONFIG } from './referrer.ts';

const DIGEST = `sha256:${'0a'.repeat(32)}`;

describe('registry layouts', () => {
  it('names the tags cosign and the referrers tag scheme use', () => {
    assert.equal(signatureTag(DIGEST), `sha256-${'0a'.repeat(32)}.sig`);
    assert.equal(attestationTag(DIGEST), `sha256-${'0a'.repeat(32)}.att`);
    assert.equal(referrersTag(DIGEST), `sha256-${'0a'.repeat(32)}`);
    assert.equal(sha256Digest(EMPTY_CONFIG), 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', 'the OCI empty descriptor');
  });

  it('round-trips a signature manifest with its layer annotations', () => {
    const layer = { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, digest: DIGEST, size: 10, annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' } };
    const { manifest, config } = buildClassicManifest([{ descriptor: layer }]);
    assert.deepEqual(parseClassicManifest(manifest, 'm'), [layer]);
    assert.deepEqual((JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids, [DIGEST]);
  });

  it('builds referrer manifests and keeps the referrers index free of duplicates', () => {
    const subject = { mediaType: MEDIA.ociManifest, digest: DIGEST, size: 400 };
    const manifest = JSON.parse(buildReferrerManifest(subject, { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: DIGEST, size: 5 }, { a: 'b' }).toString()) as { subject: unknown; artifactType: string };
    assert.deepEqual(manifest.subject, subject);
    assert.equal(manifest.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const entry = { mediaType: MEDIA.ociManifest, digest: DIGEST, size: 1, artifactType: 'x' };
    const once = addToReferrersIndex(undefined, entry, 'i');
    const twice = addToReferrersIndex(once, entry, 'i');
    assert.equal(parseIndex(twice, 'i').length, 1);
  });

  it('says what is wrong with a malformed manifest or index', () => {
    assert.throws(() => parseClassicManifest(Buffer.from('{"layers":{}}'), 'sig manifest'), /sig manifest: "layers" must be an array/);
    assert.throws(() => parseClassicManifest(Buffer.from('{"layers":[{"mediaType":"x","digest":"md5:1","size":1}]}'), 'sig manifest'), /layers\[0\]: "digest" must be sha256/);
    assert.throws(() => parseIndex(Buffer.from('{"manifests":[{"mediaType":"x","digest":"' + DIGEST + '","size":-1}]}'), 'index'), /"size" must be a non-negative integer/);
  });

  it('never crashes on hostile manifests and indexes (fuzz)', () => {
    const descriptor = fc.record({ mediaType: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), digest: fc.oneof(fc.constant(DIGEST), fc.string({ maxLength: 10 })), size: fc.oneof(fc.integer(), fc.double(), fc.string()), annotations: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.anything())), artifactType: fc.option(fc.anything()) });
    const document = fc.oneof(fc.record({ layers: fc.oneof(fc.array(descriptor, { maxLength: 5 }), fc.anything()), manifests: fc.oneof(fc.array(descriptor, { maxLength: 5 }), fc.anything()) }), fc.anything());
    fc.assert(
      fc.property(document, (value) => {
        const bytes = Buffer.from(JSON.stringify(value) ?? 'null');
        for (const parse of [parseClassicManifest, parseIndex]) {
          try {
            parse(bytes, 'fuzz');
          } catch (error) {
            assert.ok(error instanceof BulwarkError, String(error));
          }
        }
      }),
    );
  });
});
