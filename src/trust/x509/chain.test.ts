import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { KeyUsage, makeCert, makeHierarchy, type Issued } from '../testing/pki.ts';
import { OID } from './certificate.ts';
import { validateChain, type ChainOptions } from './chain.ts';

describe('validateChain', () => {
  let root: Issued;
  let intermediate: Issued;
  let leaf: Issued;
  let options: ChainOptions;
  before(async () => {
    ({ root, intermediate, leaf } = await makeHierarchy());
    options = { roots: [root.cert], intermediates: [intermediate.cert], at: new Date(), requiredEku: OID.codeSigning };
  });

  it('accepts leaf → intermediate → root, with the intermediate trusted or shipped with the signature', () => {
    const trusted = validateChain(leaf.cert, [], options);
    assert.ok(trusted.ok);
    assert.deepEqual(trusted.path.map((cert) => cert.subject), ['', 'CN=Test Intermediate', 'CN=Test Root']);
    const shipped = validateChain(leaf.cert, [intermediate.cert], { ...options, intermediates: [] });
    assert.ok(shipped.ok);
  });

  it('rejects a path that does not end at a trusted root', async () => {
    const otherRoot = await makeCert({ name: 'Other Root', ca: true });
    const result = validateChain(leaf.cert, [], { ...options, roots: [otherRoot.cert] });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.failure.code, 'certificate-chain');
    // The intermediate alone is no anchor.
    assert.equal(validateChain(leaf.cert, [], { ...options, roots: [] }).ok, false);
  });

  it('rejects an impostor intermediate with the right name but another key', async () => {
    const impostor = await makeCert({ name: 'Test Intermediate', ca: true }, root);
    const forged = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, impostor);
    assert.ok(validateChain(forged.cert, [], { ...options, intermediates: [impostor.cert] }).ok, 'a properly issued impostor chains');
    const selfMade = await makeCert({ name: 'Test Intermediate', ca: true });
    const result = validateChain((await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, selfMade)).cert, [selfMade.cert], options);
    assert.equal(result.ok, false, 'an intermediate not signed by the root does not chain');
  });

  it('checks validity at signing time, for the leaf and the CAs', async () => {
    const late = new Date(Date.now() + 48 * 3_600_000);
    const expired = validateChain(leaf.cert, [], { ...options, at: late });
    assert.equal(!expired.ok && expired.failure.code, 'certificate-validity');
    const early = validateChain(leaf.cert, [], { ...options, at: new Date(Date.now() - 48 * 3_600_000) });
    assert.equal(!early.ok && early.failure.code, 'certificate-validity');
    const shortIntermediate = await makeCert({ name: 'Short Intermediate', ca: true, notAfter: new Date(Date.now() + 60_000) }, root);
    const longLeaf = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning], notAfter: new Date(Date.now() + 10 * 3_600_000) }, shortIntermediate);
    const result = validateChain(longLeaf.cert, [shortIntermediate.cert], { ...options, at: new Date(Date.now() + 3_600_000) });
    assert.equal(!result.ok && result.failure.code, 'certificate-validity');
  });

  it('requires codeSigning on the leaf', async () => {
    const serverCert = await makeCert({ email: 'alice@example.com', eku: ['1.3.6.1.5.5.7.3.1'] }, intermediate);
    const result = validateChain(serverCert.cert, [], options);
    assert.equal(!result.ok && result.failure.code, 'certificate-usage');
    assert.match(!result.ok ? result.failure.message : '', /codeSigning/);
    const noEku = await makeCert({ email: 'alice@example.com' }, intermediate);
    assert.equal(validateChain(noEku.cert, [], options).ok, false);
  });

  it('refuses a CA certificate as the signing certificate, and a leaf without digitalSignature', async () => {
    const caLeaf = await makeCert({ email: 'alice@example.com', ca: true, eku: [OID.codeSigning], keyUsage: KeyUsage.digitalSignature }, intermediate);
    assert.equal(validateChain(caLeaf.cert, [], options).ok, false);
    const noSign = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning], keyUsage: KeyUsage.keyEncipherment }, intermediate);
    const result = validateChain(noSign.cert, [], options);
    assert.match(!result.ok ? result.failure.message : '', /digital signatures/);
  });

  it('enforces path length: an intermediate with pathLength 0 may not issue another CA', async () => {
    const sub = await makeCert({ name: 'Sub CA', ca: true }, intermediate);
    const deepLeaf = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, sub);
    const result = validateChain(deepLeaf.cert, [sub.cert], options);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.failure.message : '', /allows 0 intermediate/);
  });

  it('refuses an issuer that is not a CA, or lacks keyCertSign', async () => {
    const notCa = await makeCert({ name: 'Not A CA', ca: false, keyUsage: KeyUsage.keyCertSign | KeyUsage.digitalSignature }, root);
    const under = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, notCa);
    const result = validateChain(under.cert, [notCa.cert], options);
    assert.match(!result.ok ? result.failure.message : '', /not a CA/);
    const noCertSign = await makeCert({ name: 'No CertSign', ca: true, keyUsage: KeyUsage.cRLSign }, root);
    const under2 = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, noCertSign);
    const result2 = validateChain(under2.cert, [noCertSign.cert], options);
    assert.match(!result2.ok ? result2.failure.message : '', /keyCertSign/);
  });

  it('refuses an intermediate restricted to other extended key usages', async () => {
    const tlsOnly = await makeCert({ name: 'TLS CA', ca: true, eku: ['1.3.6.1.5.5.7.3.1'] }, root);
    const under = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning] }, tlsOnly);
    const result = validateChain(under.cert, [tlsOnly.cert], options);
    assert.equal(!result.ok && result.failure.code, 'certificate-usage');
  });

  it('refuses unknown critical extensions', async () => {
    const odd = await makeCert({ email: 'alice@example.com', eku: [OID.codeSigning], criticalUnknown: true }, intermediate);
    const result = validateChain(odd.cert, [], options);
    assert.match(!result.ok ? result.failure.message : '', /unsupported critical extensions 1\.3\.6\.1\.4\.1\.99999\.1/);
  });

  it('stays bounded with many look-alike intermediates', async () => {
    const decoys = await Promise.all(Array.from({ length: 20 }, () => makeCert({ name: 'Test Intermediate', ca: true })));
    const started = performance.now();
    const result = validateChain(leaf.cert, decoys.map((decoy) => decoy.cert), options);
    assert.ok(result.ok, 'the real intermediate is still found');
    assert.ok(performance.now() - started < 2000);
  });
});
