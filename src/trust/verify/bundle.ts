// Verifies one Sigstore bundle against one authority, without I/O.
import { createHash } from 'node:crypto';
import { Verifier, VerificationError, PolicyError, toSignedEntity, type TrustMaterial } from '@sigstore/verify';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { failure, type TrustFailure, type TrustFailureCode } from '../errors.ts';
import { preAuthEncoding } from '../formats/dsse.ts';
import type { ParsedBundle } from '../formats/bundle.ts';
import { keyHint } from '../keys/algorithm.ts';
import { matchedIdentity, describeMatcher } from '../x509/identity.ts';
import type { Authority, Signer } from './authority.ts';
import { verifyRaw } from './raw.ts';

export interface Evidence {
  /** `verified`: inclusion checked against a trusted log; `not-verified`: entries present but no log trusted; `absent`: none. */
  transparencyLog: 'verified' | 'not-verified' | 'absent';
  /** The earliest verified time of signing (log integration or RFC 3161), when there is one. */
  signedAt?: string;
}

export type BundleResult = { ok: true; signer: Signer; evidence: Evidence } | { ok: false; failure: TrustFailure };

const MAX_DSSE_SIGNATURES_TRIED = 8;

/**
 * `artifact` is required for message-signature bundles (the signature covers the artifact bytes) and
 * ignored for DSSE bundles (the signed payload travels inside the envelope).
 */
export function verifyBundle(parsed: ParsedBundle, artifact: Buffer | undefined, authority: Authority, now: Date): BundleResult {
  if (authority.sigstore !== undefined) return verifyWithSigstore(parsed, artifact, authority);
  const { bundle } = parsed;
  const tlog = bundle.verificationMaterial.tlogEntries.length > 0 ? 'not-verified' : 'absent';
  const [certificate, ...chain] = parsed.certificates;
  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    if (artifact === undefined) return { ok: false, failure: failure('malformed', 'a message-signature bundle needs the artifact it signs') };
    const digest = content.messageSignature.messageDigest;
    if (!parsed.digestAbsent && digest !== undefined && digest.digest.length > 0) {
      if (digest.algorithm !== HashAlgorithm.SHA2_256) return { ok: false, failure: failure('malformed', `unsupported message digest algorithm ${digest.algorithm}`) };
      if (!createHash('sha256').update(artifact).digest().equals(Buffer.from(digest.digest))) {
        return { ok: false, failure: failure('digest-mismatch', 'the artifact does not match the digest recorded in the bundle') };
      }
    }
    const result = verifyRaw({ signed: artifact, signature: Buffer.from(content.messageSignature.signature), certificate, chain }, authority, now);
    return result.ok ? { ok: true, signer: result.signer, evidence: { transparencyLog: tlog } } : result;
  }
  const envelope = content.dsseEnvelope;
  const signed = preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload));
  let last: TrustFailure = failure('malformed', 'the DSSE envelope has no signature');
  for (const signature of envelope.signatures.slice(0, MAX_DSSE_SIGNATURES_TRIED)) {
    const result = verifyRaw({ signed, signature: Buffer.from(signature.sig), certificate, chain }, authority, now);
    if (result.ok) return { ok: true, signer: result.signer, evidence: { transparencyLog: tlog } };
    last = result.failure;
  }
  return { ok: false, failure: last };
}

const CODES: Record<string, TrustFailureCode> = {
  TLOG_ERROR: 'transparency-log',
  TLOG_INCLUSION_PROOF_ERROR: 'transparency-log',
  TLOG_INCLUSION_PROMISE_ERROR: 'transparency-log',
  TLOG_MISSING_INCLUSION_ERROR: 'transparency-log',
  TLOG_BODY_ERROR: 'transparency-log',
  CERTIFICATE_ERROR: 'certificate-chain',
  PUBLIC_KEY_ERROR: 'untrusted-key',
  SIGNATURE_ERROR: 'signature-mismatch',
  TIMESTAMP_ERROR: 'timestamp',
  UNTRUSTED_SIGNER_ERROR: 'identity-mismatch',
};

function verifyWithSigstore(parsed: ParsedBundle, artifact: Buffer | undefined, authority: Authority): BundleResult {
  const sigstore = authority.sigstore!;
  const { bundle } = parsed;
  const isCertificate = parsed.certificates.length > 0;
  if (!isCertificate && authority.keys.length === 0) return { ok: false, failure: failure('untrusted-key', `the bundle is signed by a key, and "${authority.name}" trusts no keys`) };
  if (isCertificate && authority.identities.length === 0) return { ok: false, failure: failure('untrusted-key', `the bundle is signed with a certificate, and "${authority.name}" names no identities`) };
  if (bundle.content.$case === 'messageSignature' && artifact === undefined) return { ok: false, failure: failure('malformed', 'a message-signature bundle needs the artifact it signs') };
  if (parsed.digestAbsent) return { ok: false, failure: failure('malformed', 'the bundle records no message digest, which transparency-log verification needs') };
  // The Sigstore verifier validates a certificate chain once per verified timestamp: with none it would
  // validate nothing. Certificates therefore always need a timestamp (from the log or a TSA).
  if (isCertificate && sigstore.timestampThreshold < 1) {
    return { ok: false, failure: failure('timestamp', `"${authority.name}" requires no timestamp, but a certificate can only be checked at a verified signing time`) };
  }
  // The identity is read from the certificate before the (costly) Sigstore verification: an authority
  // that does not name this signer cannot accept it, however valid the rest is.
  const identity = isCertificate ? authority.identities.map((candidate) => matchedIdentity(parsed.certificates[0]!, candidate)).find((name) => name !== undefined) : undefined;
  if (isCertificate && identity === undefined) {
    const cert = parsed.certificates[0]!;
    return {
      ok: false,
      failure: failure('identity-mismatch', `certificate identity ${[...cert.emails, ...cert.uris].map((name) => `"${name}"`).join(', ') || '(none)'} (issuer "${cert.oidcIssuer ?? 'none'}") is not ${authority.identities.map(describeMatcher).join(' or ')}`),
    };
  }
  let material: TrustMaterial;
  let usedKey: (typeof authority.keys)[number] | undefined;
  if (authority.keys.length > 0) {
    material = sigstore.trust.material((hint: string) => {
      const key = authority.keys.find((candidate) => keyHint(candidate.key) === hint) ?? (authority.keys.length === 1 ? authority.keys[0] : undefined);
      if (key === undefined) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `no trusted key has hint ${hint}` });
      usedKey = key;
      return { publicKey: key.key, validFor: () => true };
    });
  } else {
    material = sigstore.trust.material();
  }
  let signerIdentity;
  try {
    const entity = toSignedEntity(bundle, bundle.content.$case === 'messageSignature' ? artifact : undefined);
    const verifier = new Verifier(material, {
      tlogThreshold: sigstore.tlogThreshold,
      ctlogThreshold: isCertificate ? sigstore.ctlogThreshold : 0,
      timestampThreshold: sigstore.timestampThreshold,
    });
    signerIdentity = verifier.verify(entity);
  } catch (error) {
    const code = error instanceof VerificationError || error instanceof PolicyError ? (CODES[error.code] ?? 'signature-mismatch') : 'malformed';
    return { ok: false, failure: failure(code, `Sigstore verification failed: ${(error as Error).message}`) };
  }
  const evidence: Evidence = {
    transparencyLog: bundle.verificationMaterial.tlogEntries.length > 0 && sigstore.tlogThreshold > 0 ? 'verified' : bundle.verificationMaterial.tlogEntries.length > 0 ? 'not-verified' : 'absent',
  };
  const times = bundle.verificationMaterial.tlogEntries.map((entry) => Number(entry.integratedTime)).filter((time) => Number.isFinite(time) && time > 0);
  if (times.length > 0) evidence.signedAt = new Date(Math.min(...times) * 1000).toISOString();
  if (!isCertificate) {
    const key = usedKey ?? authority.keys.find((candidate) => candidate.key.equals(signerIdentity.key));
    return { ok: true, signer: { authority: authority.name, kind: 'key', keyId: key?.id ?? 'unknown', keySource: key?.source ?? 'trusted root' }, evidence };
  }
  const cert = parsed.certificates[0]!;
  return {
    ok: true,
    signer: { authority: authority.name, kind: 'certificate', identity: identity!, issuer: cert.oidcIssuer, certificate: cert.fingerprint, chainRoot: sigstore.trust.source },
    evidence,
  };
}
