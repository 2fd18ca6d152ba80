// Classic-layout signatures with transparency-log evidence (the `dev.sigstore.cosign/bundle` annotation):
// keyless ones (a Fulcio certificate, checked against a trusted root) and private-CA ones whose signing
// time comes from the log. The stand-in Fulcio and Rekor answer on 127.0.0.1 as the real services do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { parseBundle } from '../formats/bundle.ts';
import { parseRekorBundle, rekorAnnotation } from '../formats/rekor-bundle.ts';
import { buildSimpleSigning } from '../formats/simple-signing.ts';
import { parseTrustedRoot, type SigstoreTrust } from '../formats/trusted-root.ts';
import { FileSigningKey } from '../keys/file-provider.ts';
import { signBlob } from '../sign/blob.ts';
import type { SigningIdentity } from '../sign/identity.ts';
import { loadSigningIdentity } from '../sign/load.ts';
import { startStandInFulcio, type StandInFulcio } from '../testing/fulcio.ts';
import { makeHierarchy } from '../testing/pki.ts';
import { startStandInRekor, type StandInRekor } from '../testing/rekor.ts';
import { certificatePem } from '../x509/certificate.ts';
import type { ClassicSignature, ImageArtifacts } from './artifacts.ts';
import type { Authority } from './authority.ts';
import { verifyImageSignatures } from './image.ts';

const DIGEST = `sha256:${'3c'.repeat(32)}`;
const REPO = 'registry.example.com/keyless';
const LATER = new Date(Date.now() + 30 * 86_400_000);

const artifacts = (signatures: ClassicSignature[]): ImageArtifacts => ({ reference: `${REPO}:v1`, repository: REPO, digest: DIGEST, signatures, attestations: [], bundles: [], problems: [] });

/** A classic layer as `bulwark sign image` and cosign write it when a log is configured. */
async function loggedSignature(identity: SigningIdentity, rekorUrl: string, digest = DIGEST): Promise<ClassicSignature> {
  const payload = buildSimpleSigning(REPO, digest);
  const parsed = parseBundle(await signBlob(payload, identity, { rekorUrl }), 'bundle');
  assert.equal(parsed.bundle.content.$case, 'messageSignature');
  const signature = parsed.bundle.content.$case === 'messageSignature' ? parsed.bundle.content.messageSignature.signature : Buffer.alloc(0);
  const certificate = parsed.certificates[0] ?? identity.certificate;
  return {
    source: 'sha256-….sig layer 1',
    payload,
    signature: encodeBase64(signature),
    ...(certificate === undefined ? {} : { certificate: certificatePem(certificate) }),
    rekorBundle: rekorAnnotation(parsed.bundle.verificationMaterial.tlogEntries[0]!),
  };
}

describe('classic signatures with transparency-log evidence', () => {
  let fulcio: StandInFulcio;
  let rekor: StandInRekor;
  let trust: SigstoreTrust;
  let keyless: ClassicSignature;
  before(async () => {
    fulcio = await startStandInFulcio();
    rekor = await startStandInRekor();
    trust = parseTrustedRoot(fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs), 'test root');
    const identity = await loadSigningIdentity({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }) }, async () => Buffer.alloc(0));
    keyless = await loggedSignature(identity, rekor.url);
  });
  after(async () => {
    await fulcio?.stop();
    await rekor?.stop();
  });

  const sigstore = (issuer: string, ctlogThreshold = 1, root = trust): Authority => ({
    name: 'keyless',
    keys: [],
    identities: [{ subject: 'ci@example.com', issuer }],
    sigstore: { trust: root, tlogThreshold: 1, ctlogThreshold, timestampThreshold: 1 },
  });

  it('verifies a keyless classic signature: Fulcio chain, SCT, log promise, identity and issuer', () => {
    const result = verifyImageSignatures(artifacts([keyless]), { id: 'p', authorities: [sigstore(fulcio.issuer)], signatures: { minimum: 1 }, attestations: [] });
    assert.equal(result.verified, true, JSON.stringify(result.reason));
    const [signature] = result.signatures;
    assert.equal(signature!.transparencyLog, 'verified');
    assert.ok(signature!.signedAt);
    assert.deepEqual({ identity: (signature!.signer as { identity: string }).identity, issuer: (signature!.signer as { issuer: string }).issuer }, { identity: 'ci@example.com', issuer: fulcio.issuer });
  });

  it('judges the 10-minute certificate at the time the log integrated the signature, not now', () => {
    const result = verifyImageSignatures(artifacts([keyless]), { id: 'p', authorities: [sigstore(fulcio.issuer)], signatures: { minimum: 1 }, attestations: [] }, { now: LATER });
    assert.equal(result.verified, true, JSON.stringify(result.reason));
  });

  it('rejects the wrong issuer or identity, a foreign CA, a missing SCT log, and missing or altered log evidence', () => {
    const run = (signature: ClassicSignature, authority: Authority) => verifyImageSignatures(artifacts([signature]), { id: 'p', authorities: [authority], signatures: { minimum: 1 }, attestations: [] });
    assert.equal(run(keyless, sigstore('https://other-issuer.example.com')).reason?.code, 'identity-mismatch');
    assert.equal(run(keyless, { ...sigstore(fulcio.issuer), identities: [{ subject: 'someone@example.com' }] }).reason?.code, 'identity-mismatch');
    const { rekorBundle: _dropped, ...unlogged } = keyless;
    assert.equal(run(unlogged, sigstore(fulcio.issuer)).reason?.code, 'transparency-log');
    const altered = JSON.parse(keyless.rekorBundle!) as { Payload: { integratedTime: number } };
    altered.Payload.integratedTime += 60;
    assert.equal(run({ ...keyless, rekorBundle: JSON.stringify(altered) }, sigstore(fulcio.issuer)).reason?.code, 'transparency-log');
    // Moved before the certificate was issued: refused (the chain is checked at that time first).
    altered.Payload.integratedTime -= 3600;
    assert.equal(run({ ...keyless, rekorBundle: JSON.stringify(altered) }, sigstore(fulcio.issuer)).verified, false);
    const withoutCt = JSON.parse(fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs)) as Record<string, unknown>;
    withoutCt.ctlogs = [];
    const noCt = parseTrustedRoot(JSON.stringify(withoutCt), 'no ct');
    assert.equal(run(keyless, sigstore(fulcio.issuer, 1, noCt)).reason?.code, 'certificate-chain');
    // Even without requiring SCTs, one that is present but verifies with no trusted CT log is refused.
    assert.equal(run(keyless, sigstore(fulcio.issuer, 0, noCt)).verified, false);
    const otherCa = JSON.parse(fulcio.trustedRoot((JSON.parse(rekor.trustedRoot) as { tlogs: unknown[] }).tlogs)) as Record<string, unknown>;
    otherCa.certificateAuthorities = [];
    assert.equal(run(keyless, sigstore(fulcio.issuer, 1, parseTrustedRoot(JSON.stringify(otherCa), 'no ca'))).verified, false);
    assert.equal(run({ ...keyless, rekorBundle: '{"Payload":{}}' }, sigstore(fulcio.issuer)).reason?.code, 'malformed');
  });

  it('does not accept a log entry of another signature', async () => {
    const identity = await loadSigningIdentity({ fulcioUrl: fulcio.url, identityToken: fulcio.issueToken({ email: 'ci@example.com' }) }, async () => Buffer.alloc(0));
    const other = await loggedSignature(identity, rekor.url, `sha256:${'4d'.repeat(32)}`);
    const swapped = { ...keyless, rekorBundle: other.rekorBundle! };
    const result = verifyImageSignatures(artifacts([swapped]), { id: 'p', authorities: [sigstore(fulcio.issuer)], signatures: { minimum: 1 }, attestations: [] });
    assert.equal(result.reason?.code, 'transparency-log');
  });

  it('a private CA with a log: the certificate is judged when the log recorded the signature', async () => {
    const { root, intermediate, leaf } = await makeHierarchy();
    const identity: SigningIdentity = { key: new FileSigningKey(leaf.keys.privateKey, leaf.keys.publicKey, 'leaf.key'), certificate: leaf.cert, chain: [intermediate.cert] };
    const signed = { ...(await loggedSignature(identity, rekor.url)), chain: certificatePem(intermediate.cert) };
    const logs = parseTrustedRoot(rekor.trustedRoot, 'log root');
    const ca = (transparency?: SigstoreTrust): Authority => ({
      name: 'ca',
      keys: [],
      ca: { roots: [root.cert], intermediates: [] },
      identities: [{ subject: 'alice@example.com', issuer: 'https://issuer.example' }],
      ...(transparency === undefined ? {} : { transparency }),
    });
    const run = (signature: ClassicSignature, authority: Authority, now?: Date) =>
      verifyImageSignatures(artifacts([signature]), { id: 'p', authorities: [authority], signatures: { minimum: 1 }, attestations: [] }, now === undefined ? {} : { now });
    const logged = run(signed, ca(logs), LATER);
    assert.equal(logged.verified, true, JSON.stringify(logged.reason));
    assert.equal(logged.signatures[0]!.transparencyLog, 'verified');
    assert.equal(run(signed, ca(), LATER).reason?.code, 'certificate-validity', 'without a trusted log the time is now, after the certificate expired');
    const offline = run(signed, ca());
    assert.equal(offline.verified, true);
    assert.equal(offline.signatures[0]!.transparencyLog, 'not-verified');
    const { rekorBundle: _dropped, ...unlogged } = signed;
    assert.equal(run(unlogged, ca(logs)).reason?.code, 'transparency-log');
  });
});

describe('parseRekorBundle', () => {
  const valid = JSON.stringify({
    SignedEntryTimestamp: Buffer.from('set').toString('base64'),
    Payload: { body: Buffer.from(JSON.stringify({ kind: 'hashedrekord', apiVersion: '0.0.1', spec: {} })).toString('base64'), integratedTime: 1700000000, logIndex: 7, logID: 'ab'.repeat(32) },
  });

  it('reads the annotation cosign writes, and names the field that is wrong', () => {
    const parsed = parseRekorBundle(valid, 'annotation');
    assert.equal(parsed.kind, 'hashedrekord');
    assert.equal(parsed.integratedTime, 1700000000);
    assert.equal(parsed.logId.toString('hex'), 'ab'.repeat(32));
    assert.throws(() => parseRekorBundle(valid.replace('1700000000', '-1'), 'annotation'), (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE' && /integratedTime/.test(e.message));
    assert.throws(() => parseRekorBundle(valid.replace('ab'.repeat(32), 'xyz'), 'annotation'), /logID/);
    assert.throws(() => parseRekorBundle('[]', 'annotation'), /JSON object/);
  });

  it('never crashes on arbitrary input (fuzz)', () => {
    const shaped = fc.record({
      SignedEntryTimestamp: fc.oneof(fc.base64String(), fc.string(), fc.integer()),
      Payload: fc.oneof(fc.jsonValue(), fc.record({ body: fc.oneof(fc.base64String(), fc.string()), integratedTime: fc.oneof(fc.integer(), fc.double(), fc.string()), logIndex: fc.integer(), logID: fc.oneof(fc.stringMatching(/^[0-9a-f]{0,70}$/), fc.string()) })),
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), shaped.map((value) => JSON.stringify(value))), (text) => {
        try {
          parseRekorBundle(text, 'fuzz');
        } catch (error) {
          assert.ok(error instanceof BulwarkError && (error.code === 'E_PARSE' || error.code === 'E_TOO_LARGE'), String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
