import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { encodeBase64 } from '../encoding/base64.ts';
import { serializeEnvelope } from '../formats/dsse.ts';
import { COSIGN_SIGN_PREDICATE, INTOTO_PAYLOAD_TYPE, buildStatement } from '../formats/intoto.ts';
import { buildSimpleSigning } from '../formats/simple-signing.ts';
import { keyId } from '../keys/algorithm.ts';
import { FileSigningKey } from '../keys/file-provider.ts';
import { generateKeyPair, type KeyPair } from '../keys/generate.ts';
import { signEnvelope, signEnvelopeBundle } from '../sign/blob.ts';
import { makeCert, makeHierarchy, type Issued } from '../testing/pki.ts';
import { OID } from '../x509/certificate.ts';
import type { ImageArtifacts } from './artifacts.ts';
import type { Authority } from './authority.ts';
import { verifyImageSignatures, type ImagePolicy } from './image.ts';

const DIGEST = `sha256:${'1f'.repeat(32)}`;
const OTHER = `sha256:${'2e'.repeat(32)}`;
const REPO = 'registry.example.com/app';

function artifacts(partial: Partial<ImageArtifacts> = {}): ImageArtifacts {
  return { reference: `${REPO}:v1`, repository: REPO, digest: DIGEST, signatures: [], attestations: [], bundles: [], problems: [], ...partial };
}

function keyAuthority(name: string, pair: KeyPair): Authority {
  return { name, keys: [{ key: pair.publicKey, id: keyId(pair.publicKey), source: `${name}.pub` }], identities: [] };
}

function policy(authorities: Authority[], extra: Partial<ImagePolicy> = {}): ImagePolicy {
  return { id: 'test', authorities, signatures: { minimum: 1 }, attestations: [], ...extra };
}

async function classic(pair: KeyPair, digest = DIGEST, certificate?: string, chain?: string) {
  const payload = buildSimpleSigning(REPO, digest);
  const signature = encodeBase64(await new FileSigningKey(pair.privateKey, pair.publicKey, 'k').sign(payload));
  return { source: 'sha256-….sig layer 1', payload, signature, ...(certificate === undefined ? {} : { certificate }), ...(chain === undefined ? {} : { chain }) };
}

async function bundleSignature(pair: KeyPair, digest = DIGEST, predicateType = COSIGN_SIGN_PREDICATE, predicate: unknown = {}) {
  const statement = buildStatement([{ name: REPO, digest: { sha256: digest.slice(7) } }], predicateType, predicate);
  const { bundle } = await signEnvelopeBundle(INTOTO_PAYLOAD_TYPE, statement, { key: new FileSigningKey(pair.privateKey, pair.publicKey, 'k') });
  return { source: 'referrer sha256:…', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', bundle };
}

describe('verifyImageSignatures', () => {
  let alice: KeyPair;
  let bob: KeyPair;
  before(async () => {
    alice = await generateKeyPair('ecdsa-p256');
    bob = await generateKeyPair('ed25519');
  });

  it('verifies a classic cosign signature with the trusted key and names the signer', async () => {
    const result = verifyImageSignatures(artifacts({ signatures: [await classic(alice)] }), policy([keyAuthority('alice', alice)]));
    assert.equal(result.verified, true, JSON.stringify(result.reason));
    assert.equal(result.signatures[0]!.layout, 'cosign-classic');
    assert.deepEqual(result.signatures[0]!.signer, { authority: 'alice', kind: 'key', keyId: keyId(alice.publicKey), keySource: 'alice.pub' });
  });

  it('verifies a Sigstore bundle referrer (cosign v3 layout)', async () => {
    const result = verifyImageSignatures(artifacts({ bundles: [await bundleSignature(bob)] }), policy([keyAuthority('bob', bob)]));
    assert.equal(result.verified, true, JSON.stringify(result.reason));
    assert.equal(result.signatures[0]!.layout, 'sigstore-bundle');
  });

  it('fails with the reason: untrusted key, no signature, wrong digest', async () => {
    const wrongKey = verifyImageSignatures(artifacts({ signatures: [await classic(bob)] }), policy([keyAuthority('alice', alice)]));
    assert.equal(wrongKey.verified, false);
    assert.equal(wrongKey.reason?.code, 'signature-mismatch');
    const none = verifyImageSignatures(artifacts(), policy([keyAuthority('alice', alice)]));
    assert.equal(none.reason?.code, 'no-signatures');
    assert.match(none.reason?.message ?? '', /no signature found for registry\.example\.com\/app@sha256:1f1f/);
    const otherImage = verifyImageSignatures(artifacts({ signatures: [await classic(alice, OTHER)] }), policy([keyAuthority('alice', alice)]));
    assert.equal(otherImage.reason?.code, 'digest-mismatch');
    const otherBundle = verifyImageSignatures(artifacts({ bundles: [await bundleSignature(alice, OTHER)] }), policy([keyAuthority('alice', alice)]));
    assert.equal(otherBundle.reason?.code, 'digest-mismatch');
  });

  it('detects a tampered payload, signature or bundle', async () => {
    const good = await classic(alice);
    const payload = Buffer.from(good.payload.toString().replace('registry.example.com', 'registry.evil.com'));
    assert.equal(verifyImageSignatures(artifacts({ signatures: [{ ...good, payload }] }), policy([keyAuthority('alice', alice)])).reason?.code, 'signature-mismatch');
    const signature = Buffer.from(good.signature, 'base64');
    signature[10]! ^= 0x40;
    assert.equal(verifyImageSignatures(artifacts({ signatures: [{ ...good, signature: signature.toString('base64') }] }), policy([keyAuthority('alice', alice)])).verified, false);
    assert.equal(verifyImageSignatures(artifacts({ signatures: [{ ...good, signature: 'not base64!' }] }), policy([keyAuthority('alice', alice)])).reason?.code, 'malformed');
    const bundle = await bundleSignature(alice);
    const document = JSON.parse(bundle.bundle.toString()) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(document.dsseEnvelope.payload, 'base64').toString()) as { predicate: Record<string, unknown> };
    statement.predicate = { injected: true };
    document.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const tampered = verifyImageSignatures(artifacts({ bundles: [{ ...bundle, bundle: Buffer.from(JSON.stringify(document)) }] }), policy([keyAuthority('alice', alice)]));
    assert.equal(tampered.reason?.code, 'signature-mismatch');
  });

  it('counts distinct authorities toward the threshold', async () => {
    const both = artifacts({ signatures: [await classic(alice), await classic(bob)] });
    const twoOfTwo = policy([keyAuthority('alice', alice), keyAuthority('bob', bob)], { signatures: { minimum: 2 } });
    assert.equal(verifyImageSignatures(both, twoOfTwo).verified, true);
    const aliceTwice = artifacts({ signatures: [await classic(alice), await classic(alice)] });
    const result = verifyImageSignatures(aliceTwice, twoOfTwo);
    assert.equal(result.reason?.code, 'threshold');
    assert.match(result.reason?.message ?? '', /signed by 1 of the required 2 authorities/);
  });

  describe('with a private CA', () => {
    let root: Issued;
    let intermediate: Issued;
    let leaf: Issued;
    let ca: Authority;
    before(async () => {
      ({ root, intermediate, leaf } = await makeHierarchy());
      ca = { name: 'ca', keys: [], ca: { roots: [root.cert], intermediates: [] }, identities: [{ subject: 'alice@example.com', issuer: 'https://issuer.example' }] };
    });

    it('accepts a certificate signature whose chain and identity are trusted', async () => {
      const signature = await classic(leaf.keys, DIGEST, leaf.cert.node.toString(), intermediate.cert.node.toString());
      const result = verifyImageSignatures(artifacts({ signatures: [signature] }), policy([ca]));
      assert.equal(result.verified, true, JSON.stringify(result.reason));
      assert.equal(result.signatures[0]!.signer.kind === 'certificate' && result.signatures[0]!.signer.identity, 'alice@example.com');
    });

    it('rejects another identity, a broken chain, an expired certificate and a key that is not the certificate\'s', async () => {
      const signature = await classic(leaf.keys, DIGEST, leaf.cert.node.toString(), intermediate.cert.node.toString());
      const bobOnly: Authority = { ...ca, identities: [{ subject: 'bob@example.com' }] };
      assert.equal(verifyImageSignatures(artifacts({ signatures: [signature] }), policy([bobOnly])).reason?.code, 'identity-mismatch');
      const noChain = await classic(leaf.keys, DIGEST, leaf.cert.node.toString());
      assert.equal(verifyImageSignatures(artifacts({ signatures: [noChain] }), policy([ca])).reason?.code, 'certificate-chain');
      const expired = verifyImageSignatures(artifacts({ signatures: [signature] }), policy([ca]), { now: new Date(Date.now() + 7 * 86_400_000) });
      assert.equal(expired.reason?.code, 'certificate-validity');
      const swapped = await classic(alice, DIGEST, leaf.cert.node.toString(), intermediate.cert.node.toString());
      assert.equal(verifyImageSignatures(artifacts({ signatures: [swapped] }), policy([ca])).reason?.code, 'signature-mismatch');
      const rogue = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning], oidcIssuer: 'https://issuer.example' });
      const selfSigned = await classic(rogue.keys, DIGEST, rogue.cert.node.toString());
      assert.equal(verifyImageSignatures(artifacts({ signatures: [selfSigned] }), policy([ca])).verified, false);
    });
  });

  describe('attestations', () => {
    const provenance = 'https://slsa.dev/provenance/v1';
    it('requires a verified attestation of the type, from an allowed authority, meeting the conditions', async () => {
      const predicate = { buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: { repository: 'https://git.example.com/app' } } };
      const statement = buildStatement([{ name: REPO, digest: { sha256: DIGEST.slice(7) } }], provenance, predicate);
      const envelope = await signEnvelope(INTOTO_PAYLOAD_TYPE, statement, { key: new FileSigningKey(alice.privateKey, alice.publicKey, 'k') });
      const classicAttestation = { source: 'sha256-….att layer 1', envelope: serializeEnvelope(envelope) };
      const requirement = { name: 'provenance', predicateType: provenance, conditions: [{ path: 'predicate.buildDefinition.buildType', equals: 'https://example.com/build/v1' }, { path: 'predicate.buildDefinition.externalParameters.repository', matches: /^https:\/\/git\.example\.com\// }] };
      const base = { signatures: [await classic(alice)], attestations: [classicAttestation] };
      const ok = verifyImageSignatures(artifacts(base), policy([keyAuthority('alice', alice)], { attestations: [requirement] }));
      assert.equal(ok.verified, true, JSON.stringify(ok.reason));
      assert.equal(ok.attestations[0]!.predicateType, provenance);
      const strict = { ...requirement, conditions: [{ path: 'predicate.buildDefinition.buildType', equals: 'https://other/v1' }] };
      assert.equal(verifyImageSignatures(artifacts(base), policy([keyAuthority('alice', alice)], { attestations: [strict] })).reason?.code, 'predicate-condition');
      const sbom = { name: 'sbom', predicateType: 'https://cyclonedx.org/bom', conditions: [] };
      assert.equal(verifyImageSignatures(artifacts(base), policy([keyAuthority('alice', alice)], { attestations: [sbom] })).reason?.code, 'attestation-missing');
      const fromBob = { ...requirement, authorities: ['bob'] };
      assert.equal(verifyImageSignatures(artifacts(base), policy([keyAuthority('alice', alice), keyAuthority('bob', bob)], { attestations: [fromBob] })).reason?.code, 'attestation-missing');
      const bundled = await bundleSignature(alice, DIGEST, provenance, predicate);
      const viaBundle = verifyImageSignatures(artifacts({ bundles: [bundled] }), policy([keyAuthority('alice', alice)], { signatures: { minimum: 0 }, attestations: [requirement] }));
      assert.equal(viaBundle.verified, true, JSON.stringify(viaBundle.reason));
      assert.equal(viaBundle.signatures.length, 0, 'an attestation is not a signature');
    });
  });

  it('is deterministic and bounded for hostile candidate lists', async () => {
    const junk = Array.from({ length: 1000 }, (_, index) => ({ source: `layer ${index}`, payload: Buffer.from('{'), signature: '' }));
    const started = performance.now();
    const result = verifyImageSignatures(artifacts({ signatures: junk }), policy([keyAuthority('alice', alice)]));
    assert.equal(result.verified, false);
    assert.ok(result.rejected.length <= 128);
    assert.ok(performance.now() - started < 2000);
  });
});
