// Checks one raw signature (bytes signed + signature + optional certificate) against an authority
// that needs no Sigstore infrastructure: public keys, or a private CA with identities.
import { failure, type TrustFailure } from '../errors.ts';
import { verifyBytes } from '../keys/algorithm.ts';
import { OID, type Certificate } from '../x509/certificate.ts';
import { validateChain } from '../x509/chain.ts';
import { describeMatcher, matchedIdentity } from '../x509/identity.ts';
import type { Authority, Signer } from './authority.ts';

export interface RawSignature {
  /** Exactly the bytes the signature covers (a payload, or a DSSE pre-authentication encoding). */
  signed: Buffer;
  signature: Buffer;
  /** The signing certificate, when the signature came with one. */
  certificate?: Certificate;
  /** Intermediates shipped with the signature: used to build a path, never trusted on their own. */
  chain: readonly Certificate[];
}

export type SignerResult = { ok: true; signer: Signer } | { ok: false; failure: TrustFailure };

/**
 * Key authorities accept a signature by any of their keys (with or without an attached certificate,
 * as `cosign verify --key` does). CA authorities need a certificate that chains to a root at signing
 * time, carries codeSigning, names an accepted identity, and whose key made the signature.
 */
export function verifyRaw(raw: RawSignature, authority: Authority, at: Date): SignerResult {
  if (authority.keys.length > 0) {
    for (const key of authority.keys) {
      if (verifyBytes(key.key, raw.signed, raw.signature)) {
        return { ok: true, signer: { authority: authority.name, kind: 'key', keyId: key.id, keySource: key.source } };
      }
    }
    if (authority.ca === undefined) {
      return { ok: false, failure: failure('signature-mismatch', `the signature does not verify with ${authority.keys.length === 1 ? `key ${authority.keys[0]!.id}` : `any of ${authority.keys.length} keys`} of "${authority.name}"`) };
    }
  }
  if (authority.ca === undefined) return { ok: false, failure: failure('untrusted-key', `"${authority.name}" trusts no keys or CA for an offline signature`) };
  if (raw.certificate === undefined) return { ok: false, failure: failure('untrusted-key', `the signature carries no certificate, and "${authority.name}" trusts certificates from its CA only`) };
  return verifyWithCertificate(raw, raw.certificate, authority, at);
}

function verifyWithCertificate(raw: RawSignature, cert: Certificate, authority: Authority, at: Date): SignerResult {
  const chain = validateChain(cert, raw.chain, {
    roots: authority.ca!.roots,
    intermediates: authority.ca!.intermediates,
    at,
    requiredEku: OID.codeSigning,
  });
  if (!chain.ok) return chain;
  const identity = authority.identities.map((candidate) => matchedIdentity(cert, candidate)).find((name) => name !== undefined);
  if (identity === undefined) {
    const names = [...cert.emails, ...cert.uris];
    return {
      ok: false,
      failure: failure(
        'identity-mismatch',
        `certificate identity ${names.length === 0 ? '(none)' : names.map((name) => `"${name}"`).join(', ')}${cert.oidcIssuer === undefined ? '' : ` (issuer "${cert.oidcIssuer}")`} is not ${authority.identities.map(describeMatcher).join(' or ')}`,
      ),
    };
  }
  if (!verifyBytes(cert.publicKey, raw.signed, raw.signature)) {
    return { ok: false, failure: failure('signature-mismatch', 'the signature does not verify with the key of its certificate') };
  }
  const root = chain.path[chain.path.length - 1]!;
  return {
    ok: true,
    signer: {
      authority: authority.name,
      kind: 'certificate',
      identity,
      issuer: cert.oidcIssuer,
      certificate: cert.fingerprint,
      chainRoot: root.subject || root.fingerprint,
    },
  };
}
