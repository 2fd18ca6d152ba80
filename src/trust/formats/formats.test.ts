import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { keyHint } from '../keys/algorithm.ts';
import { dsseBundle, messageBundle, parseBundle, sha256 } from './bundle.ts';
import { envelopeFromJson, parseEnvelope, preAuthEncoding, serializeEnvelope } from './dsse.ts';
import { buildStatement, parseStatement, predicateTypeUri, statementCovers, STATEMENT_V01 } from './intoto.ts';
import { buildSimpleSigning, parseSimpleSigning } from './simple-signing.ts';
import { parseTrustedRoot, publicGoodTrustedRoot } from './trusted-root.ts';

function typedOnly(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BulwarkError, `untyped error: ${String(error)}`);
  }
}

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('DSSE', () => {
  it('computes the pre-authentication encoding of the specification', () => {
    assert.equal(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    assert.equal(preAuthEncoding('t', Buffer.from('é')).toString('latin1'), 'DSSEv1 1 t 2 Ã©', 'lengths count bytes');
  });

  it('round-trips an envelope and accepts URL-safe base64', () => {
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from('{"a":1}'), signatures: [{ keyid: 'k', sig: Buffer.from([0xfb, 0xff, 1]) }] };
    assert.deepEqual(parseEnvelope(serializeEnvelope(envelope), 'e'), envelope);
    const urlSafe = envelopeFromJson({ payloadType: 't', payload: 'e30', signatures: [{ sig: '-_8B' }] }, 'e');
    assert.deepEqual(urlSafe.signatures[0]!.sig, Buffer.from([0xfb, 0xff, 1]));
  });

  it('says what is wrong with a malformed envelope', () => {
    assert.throws(() => envelopeFromJson({ payloadType: 't', payload: 'e30=', signatures: [] }, 'att.json'), /att\.json: "signatures" must be a non-empty array/);
    assert.throws(() => envelopeFromJson({ payload: 'e30=', signatures: [{ sig: 'AA==' }] }, 'att.json'), /"payloadType" must be a non-empty string/);
    assert.throws(() => envelopeFromJson({ payloadType: 't', payload: '%%', signatures: [{ sig: 'AA==' }] }, 'att.json'), /payload: is not valid base64/);
    assert.throws(() => envelopeFromJson({ payloadType: 't', payload: 'e30=', signatures: Array(17).fill({ sig: 'AA==' }) }, 'att.json'), /more than 16 signatures/);
  });

  it('never crashes on hostile envelopes (fuzz)', () => {
    const envelope = fc.record({
      payloadType: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
      payload: fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 10 }), fc.constant(null)),
      signatures: fc.oneof(fc.array(fc.record({ keyid: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), sig: fc.oneof(fc.base64String({ maxLength: 20 }), fc.string({ maxLength: 5 })) }), { maxLength: 20 }), fc.anything()),
    });
    fc.assert(fc.property(fc.oneof(envelope, fc.anything()), (document) => typedOnly(() => envelopeFromJson(document, 'fuzz'))));
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (text) => typedOnly(() => parseEnvelope(Buffer.from(text), 'fuzz'))));
  });
});

describe('in-toto statements', () => {
  it('builds v1 statements, reads v1 and v0.1, and matches the subject digest', () => {
    const statement = parseStatement(buildStatement([{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }], 'https://slsa.dev/provenance/v1', { x: 1 }), 's');
    assert.ok(statementCovers(statement, DIGEST));
    assert.equal(statementCovers(statement, `sha256:${'cd'.repeat(32)}`), false);
    const old = parseStatement(Buffer.from(JSON.stringify({ _type: STATEMENT_V01, subject: [{ name: 'a', digest: { sha256: 'AB'.repeat(32) } }], predicateType: 'x', predicate: {} })), 's');
    assert.ok(statementCovers(old, DIGEST), 'hex digests compare case-insensitively');
  });

  it('maps cosign predicate names and accepts URIs', () => {
    assert.equal(predicateTypeUri('slsaprovenance'), 'https://slsa.dev/provenance/v0.2');
    assert.equal(predicateTypeUri('slsaprovenance1'), 'https://slsa.dev/provenance/v1');
    assert.equal(predicateTypeUri('cyclonedx'), 'https://cyclonedx.org/bom');
    assert.equal(predicateTypeUri('spdx'), 'https://spdx.dev/Document');
    assert.equal(predicateTypeUri('https://example.com/p/v1'), 'https://example.com/p/v1');
    assert.throws(() => predicateTypeUri('sbom'), /unknown predicate type "sbom"/);
  });

  it('refuses statements without type, subjects or digests', () => {
    assert.throws(() => parseStatement(Buffer.from('{"_type":"x"}'), 'st'), /"_type" must be/);
    assert.throws(() => parseStatement(Buffer.from(JSON.stringify({ _type: STATEMENT_V01, subject: [], predicateType: 'p' })), 'st'), /"subject" must be a non-empty array/);
    assert.throws(() => parseStatement(Buffer.from(JSON.stringify({ _type: STATEMENT_V01, subject: [{ name: 'a' }], predicateType: 'p' })), 'st'), /subject\[0\]\.digest must be an object/);
  });

  it('never crashes on hostile statements (fuzz)', () => {
    const statement = fc.record({ _type: fc.constantFrom(STATEMENT_V01, 'https://in-toto.io/Statement/v1', 'x'), subject: fc.anything(), predicateType: fc.anything(), predicate: fc.anything() });
    fc.assert(fc.property(fc.oneof(statement, fc.anything()), (value) => typedOnly(() => parseStatement(Buffer.from(JSON.stringify(value) ?? 'null'), 'fuzz'))));
  });
});

describe('simple-signing payloads', () => {
  it('writes the fields cosign writes, in its order, and reads them back', () => {
    const payload = buildSimpleSigning('registry.example.com/app', DIGEST);
    assert.equal(payload.toString(), `{"critical":{"identity":{"docker-reference":"registry.example.com/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`);
    assert.deepEqual(parseSimpleSigning(payload, 'p'), { dockerReference: 'registry.example.com/app', manifestDigest: DIGEST, optional: null });
    assert.deepEqual(parseSimpleSigning(buildSimpleSigning('r/a', DIGEST, { env: 'prod' }), 'p').optional, { env: 'prod' });
  });

  it('refuses other payload types and non-digests', () => {
    const other = JSON.stringify({ critical: { identity: { 'docker-reference': 'a' }, image: { 'docker-manifest-digest': DIGEST }, type: 'atomic container signature' } });
    assert.throws(() => parseSimpleSigning(Buffer.from(other), 'layer 1'), /layer 1: "critical\.type" must be "cosign container image signature"/);
    const tag = JSON.stringify({ critical: { identity: { 'docker-reference': 'a' }, image: { 'docker-manifest-digest': 'latest' }, type: 'cosign container image signature' } });
    assert.throws(() => parseSimpleSigning(Buffer.from(tag), 'layer 1'), /is not a digest/);
  });

  it('never crashes on hostile payloads (fuzz)', () => {
    const payload = fc.record({ critical: fc.oneof(fc.record({ identity: fc.anything(), image: fc.oneof(fc.record({ 'docker-manifest-digest': fc.oneof(fc.constant(DIGEST), fc.string()) }), fc.anything()), type: fc.constantFrom('cosign container image signature', 'x') }), fc.anything()), optional: fc.anything() });
    fc.assert(fc.property(fc.oneof(payload, fc.anything()), (value) => typedOnly(() => parseSimpleSigning(Buffer.from(JSON.stringify(value) ?? 'null'), 'fuzz'))));
  });
});

describe('Sigstore bundles', () => {
  it('builds v0.3 bundles that read back, with key hint or certificate', async () => {
    const { publicKey } = await generateKeyPair('ecdsa-p256');
    const message = parseBundle(messageBundle(sha256(Buffer.from('a')), Buffer.from('sig'), { keyHint: keyHint(publicKey) }), 'b');
    assert.equal(message.bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(message.bundle.verificationMaterial.content.$case, 'publicKey');
    assert.equal(message.certificates.length, 0);
    const dsse = parseBundle(dsseBundle({ payloadType: 'application/vnd.in-toto+json', payload: Buffer.from('{}'), signatures: [{ keyid: '', sig: Buffer.from('s') }] }, { keyHint: 'h' }), 'b');
    assert.equal(dsse.bundle.content.$case, 'dsseEnvelope');
  });

  it('refuses malformed bundles with the reason', () => {
    assert.throws(() => parseBundle('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}', 'x.sigstore.json'), /x\.sigstore\.json: not a valid Sigstore bundle/);
    assert.throws(() => parseBundle('[]', 'x.sigstore.json'), /not a valid Sigstore bundle/);
  });

  it('refuses a bundle whose chain carries its own root (conformance case)', (t) => {
    const missing = missingShared('conformance', 'sigstore', 'bundle-verify', 'bundle-with-root-cert_fail');
    if (missing) return t.skip(missing);
    const text = readFileSync(sharedPath('conformance', 'sigstore', 'bundle-verify', 'bundle-with-root-cert_fail', 'bundle.sigstore.json'));
    assert.throws(() => parseBundle(text, 'b'), /self-signed root/);
  });

  it('never crashes on hostile bundles (fuzz)', () => {
    const base64 = fc.base64String({ maxLength: 40 });
    const bundle = fc.record({
      mediaType: fc.constantFrom('application/vnd.dev.sigstore.bundle.v0.3+json', 'application/vnd.dev.sigstore.bundle+json;version=0.1', 'x'),
      verificationMaterial: fc.oneof(
        fc.record({ publicKey: fc.record({ hint: fc.string({ maxLength: 10 }) }), tlogEntries: fc.anything() }),
        fc.record({ certificate: fc.record({ rawBytes: base64 }), tlogEntries: fc.constant([]) }),
        fc.record({ x509CertificateChain: fc.record({ certificates: fc.array(fc.record({ rawBytes: base64 }), { maxLength: 3 }) }), tlogEntries: fc.constant([]) }),
        fc.anything(),
      ),
      messageSignature: fc.option(fc.record({ messageDigest: fc.record({ algorithm: fc.constantFrom('SHA2_256', 'x'), digest: base64 }), signature: base64 })),
      dsseEnvelope: fc.option(fc.record({ payloadType: fc.string({ maxLength: 5 }), payload: base64, signatures: fc.array(fc.record({ sig: base64, keyid: fc.string({ maxLength: 3 }) }), { maxLength: 2 }) })),
    });
    fc.assert(fc.property(fc.oneof(bundle, fc.anything()), (value) => typedOnly(() => parseBundle(JSON.stringify(value) ?? 'null', 'fuzz'))));
  });
});

describe('trusted roots', () => {
  it('reads the public-good root shipped with the Sigstore client', () => {
    const root = publicGoodTrustedRoot();
    assert.ok(root.root.tlogs.length > 0);
    assert.ok(root.root.certificateAuthorities.length > 0);
  });

  it('requires every authority to state when its trust starts', () => {
    const base = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [{ baseUrl: 'x', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: 'AA==', keyDetails: 'PKIX_ECDSA_P256_SHA_256' }, logId: { keyId: 'AA==' } }] };
    assert.throws(() => parseTrustedRoot(JSON.stringify(base), 'root.json'), /root\.json: tlogs\[0\]\.publicKey\.validFor\.start is missing/);
    assert.throws(() => parseTrustedRoot(JSON.stringify({ ...base, mediaType: 'x' }), 'root.json'), /unsupported trusted root mediaType/);
    const ok = structuredClone(base) as typeof base & { tlogs: Array<{ publicKey: Record<string, unknown> }> };
    ok.tlogs[0]!.publicKey.validFor = { start: '2024-01-01T00:00:00Z' };
    assert.equal(parseTrustedRoot(JSON.stringify(ok), 'root.json').root.tlogs.length, 1);
    ok.tlogs[0]!.publicKey.validFor = { start: '2024-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' };
    assert.throws(() => parseTrustedRoot(JSON.stringify(ok), 'root.json'), /validFor\.end is not a timestamp after the start/);
  });

  it('never crashes on hostile trusted roots (fuzz)', () => {
    const validFor = fc.option(fc.record({ start: fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.string({ maxLength: 5 })), end: fc.option(fc.string({ maxLength: 25 })) }));
    const root = fc.record({
      mediaType: fc.constantFrom('application/vnd.dev.sigstore.trustedroot+json;version=0.1', 'x'),
      tlogs: fc.oneof(fc.array(fc.record({ baseUrl: fc.string({ maxLength: 5 }), publicKey: fc.record({ rawBytes: fc.base64String({ maxLength: 20 }), validFor }) }), { maxLength: 2 }), fc.anything()),
      certificateAuthorities: fc.oneof(fc.array(fc.record({ validFor, certChain: fc.anything() }), { maxLength: 2 }), fc.anything()),
    });
    fc.assert(fc.property(fc.oneof(root, fc.anything()), (value) => typedOnly(() => parseTrustedRoot(JSON.stringify(value) ?? 'null', 'fuzz'))));
  });
});
