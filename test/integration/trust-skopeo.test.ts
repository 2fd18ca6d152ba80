// skopeo (containers/image) as a second, independent implementation of cosign's classic layout, against
// the real registry:
//  - skopeo signs with a key `bulwark key generate` wrote (`--sign-by-sigstore-private-key`, the
//    signature stored as a sigstore attachment, `sha256-<hex>.sig`) → `bulwark verify image --key`;
//  - skopeo verifies Bulwark's signatures with a `sigstoreSigned` policy;
//  - skopeo mirrors a signed image with its signature attachments (its own code rewrites the signature
//    manifest) → Bulwark verifies the mirror;
//  - tampering done with skopeo (a valid signature planted under another image's tag, an unsigned image
//    copied over a signed tag) is refused.
// The signing and policy cases need skopeo's sigstore code: they run with the upstream build of
// scripts/setup-skopeo.sh (or the binary BULWARK_SKOPEO names). Debian's skopeo has that code patched out, so
// on a machine with only Debian's they skip with the message skopeo gives. The mirroring cases need no
// sigstore code in skopeo and always run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/image/registry/client.ts';
import { parseSimpleSigning } from '../../src/trust/formats/simple-signing.ts';
import { ANNOTATION, parseClassicManifest, signatureTag } from '../../src/trust/layouts/cosign-classic.ts';
import { pushImage } from '../../src/trust/testing/images.ts';
import { registryMissing, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/shared.ts';
import { createSkopeoSandbox, sigstoreUnavailable, skopeoMissing, type SkopeoRun, type SkopeoSandbox } from '../support/skopeo.ts';

const PASSPHRASE = 'skopeo-test-pass';
const missing = skopeoMissing() || registryMissing();

function bulwark(args: string[], cwd: string): Promise<SkopeoRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, BULWARK_PASSPHRASE: PASSPHRASE, NO_COLOR: '1' };
  return runProcess(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd, env: env });
}

function ok(result: SkopeoRun, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

describe('skopeo: a second, independent client of the classic signature layout', () => {
  let registry: TestRegistry;
  let skopeo: SkopeoSandbox;
  let client: RegistryClient;
  let dir: string;
  before(async () => {
    if (missing) return;
    registry = await startRegistry();
    skopeo = await createSkopeoSandbox();
    client = new RegistryClient({ host: registry.host, plainHttpLoopback: true });
    dir = mkdtempSync(join(tmpdir(), 'bulwark-skopeo-keys-'));
    ok(await bulwark(['key', 'generate', '-o', 'signer'], dir), 'bulwark key generate');
    ok(await bulwark(['key', 'generate', '-o', 'other'], dir), 'bulwark key generate (other)');
  });
  after(async () => {
    client?.close();
    skopeo?.close();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const noSigstore = (run: SkopeoRun, what: string): string | undefined => {
    const reason = sigstoreUnavailable(run);
    if (reason === undefined) return undefined;
    return `${skopeo.version} (${skopeo.binary}) cannot ${what}: it answers "${reason}". Debian builds skopeo with its sigstore support patched out; run scripts/setup-skopeo.sh (an upstream build) or set BULWARK_SKOPEO to an upstream skopeo ≥ 1.9 to run this case`;
  };

  /** The simple-signing payloads of an image's classic signatures, read back from the registry. */
  const signedPayloads = async (repository: string, digest: string) => {
    const manifest = await client.findManifest(repository, signatureTag(digest));
    assert.ok(manifest, `no ${signatureTag(digest)} in ${repository}`);
    const layers = parseClassicManifest(manifest.bytes, 'signature manifest');
    return Promise.all(layers.map(async (layer) => ({ layer, payload: parseSimpleSigning(await client.readBlob(repository, layer, 1 << 20), 'payload') })));
  };

  it('skopeo signs with a Bulwark key → bulwark verify image --key passes; another key, a tampered signature, or the signature planted under another image, fails', async (t) => {
    if (missing) return t.skip(missing);
    const source = await pushImage(registry.host, 'skopeo/source', 'v1');
    const signed = `${registry.host}/skopeo/signed:v1`;
    const signing = await skopeo.copy(`docker://${source.reference}`, `docker://${signed}`, { signWithKey: join(dir, 'signer.key'), passphrase: PASSPHRASE });
    const unavailable = noSigstore(signing, 'sign with sigstore keys');
    if (unavailable !== undefined) return t.skip(unavailable);
    ok(signing, 'skopeo copy --sign-by-sigstore-private-key');
    // skopeo signs the manifest it wrote, which is not the source's: it gzips the test image's uncompressed
    // layer on the way to a registry (a source without signatures may be rewritten).
    const written = signing.digest;
    assert.match(written ?? '', /^sha256:[0-9a-f]{64}$/, 'skopeo reported the digest it wrote');
    assert.notEqual(written, source.digest, 'skopeo compressed the uncompressed layer');
    assert.equal((await client.getManifest('skopeo/signed', 'v1')).digest, written);
    const [signature] = await signedPayloads('skopeo/signed', written!);
    assert.equal(signature!.payload.manifestDigest, written, 'skopeo signed the digest of the manifest it wrote');
    assert.equal(signature!.payload.dockerReference, signed, 'skopeo names the destination it signed for');
    const verified = await bulwark(['verify', 'image', signed, '--key', 'signer.pub', '--format', 'json'], dir);
    ok(verified, 'bulwark verify image --key');
    const report = JSON.parse(verified.stdout) as { images: Array<{ digest: string; signatures: Array<{ layout: string }> }> };
    assert.equal(report.images[0]!.digest, written);
    assert.deepEqual(report.images[0]!.signatures.map((s) => s.layout), ['cosign-classic']);
    const otherKey = await bulwark(['verify', 'image', signed, '--key', 'other.pub'], dir);
    assert.equal(otherKey.status, 1, otherKey.stdout);
    // The passphrase protects the key: skopeo cannot sign without it.
    const wrongPassphrase = await skopeo.copy(`docker://${source.reference}`, `docker://${registry.host}/skopeo/signed:v2`, { signWithKey: join(dir, 'signer.key'), passphrase: 'not-the-passphrase' });
    assert.notEqual(wrongPassphrase.status, 0, 'skopeo signed with a wrong passphrase');
    // A valid signature, copied by skopeo under another image's signature tag, signs the wrong digest.
    const decoy = await pushImage(registry.host, 'skopeo/signed', 'decoy');
    ok(await skopeo.copy(`docker://${registry.host}/skopeo/signed:${signatureTag(written!)}`, `docker://${registry.host}/skopeo/signed:${signatureTag(decoy.digest)}`), 'plant the signature');
    const planted = await bulwark(['verify', 'image', decoy.reference, '--key', 'signer.pub'], dir);
    assert.equal(planted.status, 1, planted.stdout);
    assert.match(planted.stdout, /digest-mismatch/);
    // skopeo's signature, with one bit of it flipped, no longer matches its payload.
    const attachment = await client.getManifest('skopeo/signed', signatureTag(written!));
    const document = JSON.parse(attachment.bytes.toString('utf8')) as { layers: Array<{ annotations: Record<string, string> }> };
    const bytes = Buffer.from(document.layers[0]!.annotations[ANNOTATION.signature]!, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    document.layers[0]!.annotations[ANNOTATION.signature] = bytes.toString('base64');
    await client.putManifest('skopeo/signed', signatureTag(written!), attachment.mediaType ?? 'application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify(document)));
    const tampered = await bulwark(['verify', 'image', signed, '--key', 'signer.pub'], dir);
    assert.equal(tampered.status, 1, tampered.stdout);
    assert.match(tampered.stdout, /signature-mismatch|malformed/);
  });

  it("skopeo verifies Bulwark's signatures with a sigstoreSigned policy; an unsigned image and another key are refused", async (t) => {
    if (missing) return t.skip(missing);
    const image = await pushImage(registry.host, 'skopeo/verified', 'v1');
    ok(await bulwark(['sign', 'image', image.reference, '--key', 'signer.key', '--layout', 'classic'], dir), 'bulwark sign image');
    // cosign's payloads name the repository, not the tag: such signatures need `matchRepository`.
    const requireKey = (key: string) => ({
      default: [{ type: 'reject' }],
      transports: { docker: { [`${registry.host}/skopeo`]: [{ type: 'sigstoreSigned', keyPath: join(dir, key), signedIdentity: { type: 'matchRepository' } }] }, dir: { '': [{ type: 'insecureAcceptAnything' }] } },
    });
    const policy = skopeo.writePolicy('require-signer.json', requireKey('signer.pub'));
    const accepted = await skopeo.copy(`docker://${image.reference}`, `dir:${join(skopeo.dir, 'pulled-1')}`, { policy });
    const unavailable = noSigstore(accepted, 'verify sigstore signatures');
    if (unavailable !== undefined) return t.skip(unavailable);
    ok(accepted, 'skopeo copy under the sigstoreSigned policy');
    const unsigned = await pushImage(registry.host, 'skopeo/verified', 'unsigned');
    const refused = await skopeo.copy(`docker://${unsigned.reference}`, `dir:${join(skopeo.dir, 'pulled-2')}`, { policy });
    assert.notEqual(refused.status, 0, 'skopeo accepted an unsigned image');
    assert.match(refused.stderr, /Source image rejected: A signature was required, but no signature exists/);
    const otherPolicy = skopeo.writePolicy('require-other.json', requireKey('other.pub'));
    const wrongKey = await skopeo.copy(`docker://${image.reference}`, `dir:${join(skopeo.dir, 'pulled-3')}`, { policy: otherPolicy });
    assert.notEqual(wrongKey.status, 0, "skopeo accepted a signature by a key the policy doesn't name");
    assert.match(wrongKey.stderr, /Source image rejected: cryptographic signature verification failed/);
  });

  it('skopeo mirrors a Bulwark-signed image with its signature attachment → Bulwark verifies the mirror, with the signing key only', async (t) => {
    if (missing) return t.skip(missing);
    const origin = await pushImage(registry.host, 'skopeo/origin', 'v1');
    ok(await bulwark(['sign', 'image', origin.reference, '--key', 'signer.key', '-a', 'team=platform'], dir), 'bulwark sign image (both layouts)');
    const mirror = `${registry.host}/skopeo/mirror:v1`;
    const copied = await skopeo.copy(`docker://${origin.reference}`, `docker://${mirror}`);
    ok(copied, 'skopeo copy (mirror)');
    assert.match(copied.stdout, /Storing signatures/);
    const [mirrored] = await signedPayloads('skopeo/mirror', origin.digest);
    assert.equal(mirrored!.payload.manifestDigest, origin.digest);
    assert.deepEqual(mirrored!.payload.optional, { team: 'platform' }, 'the signed payload is carried byte for byte');
    assert.ok(mirrored!.layer.annotations?.[ANNOTATION.signature], 'the signature annotation is carried');
    const verified = await bulwark(['verify', 'image', mirror, '--key', 'signer.pub', '--format', 'json'], dir);
    ok(verified, 'bulwark verify (mirror)');
    const report = JSON.parse(verified.stdout) as { images: Array<{ digest: string; signatures: Array<{ layout: string }> }> };
    assert.equal(report.images[0]!.digest, origin.digest);
    // skopeo carries `.sig` attachments; OCI 1.1 referrers (the bundle layout) are not mirrored.
    assert.deepEqual(report.images[0]!.signatures.map((s) => s.layout), ['cosign-classic']);
    const otherKey = await bulwark(['verify', 'image', mirror, '--key', 'other.pub'], dir);
    assert.equal(otherKey.status, 1, otherKey.stdout);
  });

  it('tampering done with skopeo is refused: a signature planted under another image, an unsigned image copied over a signed tag', async (t) => {
    if (missing) return t.skip(missing);
    const signed = await pushImage(registry.host, 'skopeo/tamper', 'v1');
    const decoy = await pushImage(registry.host, 'skopeo/tamper', 'decoy');
    ok(await bulwark(['sign', 'image', signed.reference, '--key', 'signer.key', '--layout', 'classic'], dir), 'bulwark sign image');
    ok(await bulwark(['verify', 'image', signed.reference, '--key', 'signer.pub'], dir), 'verify before tampering');
    // skopeo treats the signature manifest as an image and copies it under the decoy's signature tag.
    ok(await skopeo.copy(`docker://${registry.host}/skopeo/tamper:${signatureTag(signed.digest)}`, `docker://${registry.host}/skopeo/tamper:${signatureTag(decoy.digest)}`), 'plant the signature');
    const planted = await bulwark(['verify', 'image', decoy.reference, '--key', 'signer.pub'], dir);
    assert.equal(planted.status, 1, planted.stdout);
    assert.match(planted.stdout, /digest-mismatch/);
    // The signed tag now names another (unsigned) image: its digest has no signature.
    const unsigned = await pushImage(registry.host, 'skopeo/elsewhere', 'v1');
    ok(await skopeo.copy(`docker://${unsigned.reference}`, `docker://${signed.reference}`), 'copy over the signed tag');
    const replaced = await bulwark(['verify', 'image', signed.reference, '--key', 'signer.pub'], dir);
    assert.equal(replaced.status, 1, replaced.stdout);
    assert.match(replaced.stdout, /no-signatures/);
    // The original digest is still signed, and still verifies by digest.
    ok(await bulwark(['verify', 'image', `${registry.host}/skopeo/tamper@${signed.digest}`, '--key', 'signer.pub'], dir), 'verify by digest');
  });
});
