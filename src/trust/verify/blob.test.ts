import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseBundle } from '../formats/bundle.ts';
import { buildStatement, INTOTO_PAYLOAD_TYPE } from '../formats/intoto.ts';
import { keyId, signBytes } from '../keys/algorithm.ts';
import { FileSigningKey } from '../keys/file-provider.ts';
import { generateKeyPair, type KeyPair } from '../keys/generate.ts';
import { signBlob, signEnvelopeBundle } from '../sign/blob.ts';
import type { Authority } from './authority.ts';
import { verifyBlob } from './blob.ts';

describe('verifyBlob (offline)', () => {
  let pair: KeyPair;
  let other: KeyPair;
  let authority: Authority;
  before(async () => {
    pair = await generateKeyPair('ecdsa-p256');
    other = await generateKeyPair('ecdsa-p256');
    authority = { name: 'release', keys: [{ key: pair.publicKey, id: keyId(pair.publicKey), source: 'release.pub' }], identities: [] };
  });
  const key = () => new FileSigningKey(pair.privateKey, pair.publicKey, 'release.key');

  it('verifies a message signature and reports the artifact digest and signer', async () => {
    const data = Buffer.from('artifact');
    const result = verifyBlob(data, parseBundle(await signBlob(data, { key: key() }), 'b'), [authority]);
    assert.equal(result.verified, true);
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(result.signer?.kind, 'key');
    assert.equal(result.evidence?.transparencyLog, 'absent');
  });

  it('fails on another artifact, another key, or a changed signature', async () => {
    const data = Buffer.from('artifact');
    const bundle = await signBlob(data, { key: key() });
    assert.equal(verifyBlob(Buffer.from('artifacT'), parseBundle(bundle, 'b'), [authority]).reason?.code, 'digest-mismatch');
    const stranger: Authority = { ...authority, keys: [{ key: other.publicKey, id: keyId(other.publicKey), source: 'other.pub' }] };
    assert.equal(verifyBlob(data, parseBundle(bundle, 'b'), [stranger]).reason?.code, 'signature-mismatch');
    const document = JSON.parse(bundle.toString()) as { messageSignature: { signature: string } };
    const signature = Buffer.from(document.messageSignature.signature, 'base64');
    signature[8]! ^= 1;
    document.messageSignature.signature = signature.toString('base64');
    assert.equal(verifyBlob(data, parseBundle(JSON.stringify(document), 'b'), [authority]).verified, false);
    assert.throws(() => verifyBlob(data, parseBundle(bundle, 'b'), []), /no key, CA or trusted root/);
  });

  it('reads bundles without a message digest (cosign, Ed25519) and checks the signature over the bytes', async () => {
    const ed = await generateKeyPair('ed25519');
    const data = Buffer.from('raw message');
    const document = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'x' } },
      messageSignature: { messageDigest: {}, signature: signBytes(ed.privateKey, data).toString('base64') },
    };
    const parsed = parseBundle(JSON.stringify(document), 'ed.json');
    assert.equal(parsed.digestAbsent, true);
    const edAuthority: Authority = { name: 'ed', keys: [{ key: ed.publicKey, id: keyId(ed.publicKey), source: 'ed.pub' }], identities: [] };
    assert.equal(verifyBlob(data, parsed, [edAuthority]).verified, true);
    assert.equal(verifyBlob(Buffer.from('raw messagE'), parsed, [edAuthority]).verified, false);
  });

  it('requires a DSSE statement to be about this artifact', async () => {
    const data = Buffer.from('artifact');
    const { createHash } = await import('node:crypto');
    const about = (bytes: Buffer) => buildStatement([{ name: 'a', digest: { sha256: createHash('sha256').update(bytes).digest('hex') } }], 'https://slsa.dev/provenance/v1', {});
    const { bundle } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, about(data), { key: key() });
    const good = verifyBlob(data, parseBundle(bundle, 'b'), [authority]);
    assert.equal(good.verified, true);
    assert.equal(good.predicateType, 'https://slsa.dev/provenance/v1');
    const { bundle: elsewhere } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, about(Buffer.from('other')), { key: key() });
    assert.equal(verifyBlob(data, parseBundle(elsewhere, 'b'), [authority]).reason?.code, 'digest-mismatch');
  });
});
