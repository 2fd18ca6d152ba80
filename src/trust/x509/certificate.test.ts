import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { encodePem } from '../encoding/pem.ts';
import { makeHierarchy, type Issued } from '../testing/pki.ts';
import { OID, parseCertificate, parseCertificatesPem } from './certificate.ts';
import { matchedIdentity } from './identity.ts';

describe('certificates', () => {
  let leaf: Issued;
  let root: Issued;
  before(async () => ({ leaf, root } = await makeHierarchy()));

  it('reads the fields chain validation and identity checks need', () => {
    const cert = leaf.cert;
    assert.deepEqual(cert.emails, ['alice@example.com']);
    assert.equal(cert.oidcIssuer, 'https://issuer.example');
    assert.deepEqual(cert.extKeyUsage, [OID.codeSigning]);
    assert.equal(cert.isCA, false);
    assert.equal(root.cert.isCA, true);
    assert.equal(root.cert.pathLength, 1);
    assert.deepEqual(cert.unknownCritical, []);
  });

  it('matches identities exactly or by search, with the issuer', () => {
    assert.equal(matchedIdentity(leaf.cert, { subject: 'alice@example.com' }), 'alice@example.com');
    assert.equal(matchedIdentity(leaf.cert, { subject: 'alice@example.co' }), undefined);
    assert.equal(matchedIdentity(leaf.cert, { subjectRegExp: /@example\.com$/ }), 'alice@example.com');
    assert.equal(matchedIdentity(leaf.cert, { subjectRegExp: /.*/, issuer: 'https://other.example' }), undefined);
    assert.equal(matchedIdentity(leaf.cert, { subjectRegExp: /.*/, issuerRegExp: /issuer\.example/ }), 'alice@example.com');
  });

  it('reads PEM bundles in order and names a broken one', () => {
    const pem = leaf.cert.node.toString() + root.cert.node.toString();
    assert.equal(parseCertificatesPem(pem, 'chain.pem').length, 2);
    assert.throws(() => parseCertificatesPem('none', 'chain.pem'), /chain\.pem: no certificate found/);
    assert.throws(() => parseCertificatesPem(encodePem('CERTIFICATE', Buffer.from('junk')), 'chain.pem'), /chain\.pem: certificate 1: not a valid X\.509 certificate/);
  });

  it('never crashes on garbage or corrupted certificates (fuzz)', () => {
    const der = leaf.cert.der;
    const corrupted = fc.array(fc.record({ at: fc.nat({ max: der.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }).map((edits) => {
      const copy = Buffer.from(der);
      for (const edit of edits) copy[edit.at] = edit.value;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(corrupted, fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes))), (bytes) => {
        try {
          parseCertificate(bytes, 'fuzz');
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 300 },
    );
  });
});
