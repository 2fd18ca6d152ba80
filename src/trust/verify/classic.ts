// Verifies one signature or attestation of cosign's classic layout against one authority, without I/O.
//  - Sigstore authorities (a trusted root: Fulcio CAs, Rekor and CT log keys): the layer is restated as
//    the Sigstore bundle it is equivalent to and judged by the Sigstore verifier, so keyless signatures
//    get the same checks as bundles — chain to a Fulcio CA at the time the log integrated the entry,
//    SCTs, the log's signed entry timestamp, the entry matching the signature, identity and issuer.
//  - Key and private-CA authorities: checked offline. A CA authority that also trusts transparency logs
//    takes the signing time from the log entry (once the log's signature on it verifies), so short-lived
//    certificates are judged when they were used, not now.
import { Verifier, VerificationError, PolicyError, toSignedEntity } from '@sigstore/verify';
import type { KeyObject } from 'node:crypto';
import { failure, type TrustFailure } from '../errors.ts';
import { preAuthEncoding, type DsseEnvelope } from '../formats/dsse.ts';
import type { ParsedBundle } from '../formats/bundle.ts';
import { classicAttestationBundle, classicSignatureBundle, parseRekorBundle, type ClassicMaterial, type RekorBundle } from '../formats/rekor-bundle.ts';
import type { SigstoreTrust } from '../formats/trusted-root.ts';
import { ANNOTATION } from '../layouts/cosign-classic.ts';
import type { Certificate } from '../x509/certificate.ts';
import type { Authority } from './authority.ts';
import { verifyBundle, type BundleResult, type Evidence } from './bundle.ts';
import { verifyRaw } from './raw.ts';

export interface ClassicCandidate {
  certificate: Certificate | undefined;
  chain: readonly Certificate[];
  /** The `dev.sigstore.cosign/bundle` annotation, when the signer recorded the signature in a log. */
  rekorBundle: string | undefined;
  source: string;
}

const ANNOTATION_BUNDLE = ANNOTATION.bundle;

type Restate = (material: ClassicMaterial) => ParsedBundle;

/** A simple-signing payload and the signature over it. */
export function verifyClassicSignature(payload: Buffer, signature: Buffer, candidate: ClassicCandidate, authority: Authority, now: Date): BundleResult {
  return verifyClassic(candidate, authority, now, (material) => classicSignatureBundle(payload, signature, material), payload, (at) =>
    verifyRaw({ signed: payload, signature, certificate: candidate.certificate, chain: candidate.chain }, authority, at),
  );
}

/** A DSSE envelope layer: any of its signatures may verify. */
export function verifyClassicAttestation(envelope: DsseEnvelope, candidate: ClassicCandidate, authority: Authority, now: Date): BundleResult {
  const signed = preAuthEncoding(envelope.payloadType, envelope.payload);
  return verifyClassic(candidate, authority, now, (material) => classicAttestationBundle(envelope, material), undefined, (at) => {
    let last: ReturnType<typeof verifyRaw> = { ok: false, failure: failure('signature-mismatch', 'the envelope carries no signature') };
    for (const signature of envelope.signatures.slice(0, 8)) {
      last = verifyRaw({ signed, signature: signature.sig, certificate: candidate.certificate, chain: candidate.chain }, authority, at);
      if (last.ok) break;
    }
    return last;
  });
}

function verifyClassic(candidate: ClassicCandidate, authority: Authority, now: Date, restate: Restate, artifact: Buffer | undefined, offline: (at: Date) => ReturnType<typeof verifyRaw>): BundleResult {
  let rekor: RekorBundle | undefined;
  if (candidate.rekorBundle !== undefined) {
    try {
      rekor = parseRekorBundle(candidate.rekorBundle, `${candidate.source}: ${ANNOTATION_BUNDLE} annotation`);
    } catch (error) {
      return { ok: false, failure: failure('malformed', (error as Error).message) };
    }
  }
  if (authority.sigstore !== undefined) {
    // Said here rather than by the verifier, which would report the missing time before the missing entry.
    if (rekor === undefined && authority.sigstore.tlogThreshold > 0) {
      return { ok: false, failure: failure('transparency-log', `no transparency-log entry (${ANNOTATION_BUNDLE} annotation) records this signature, and the trusted root of "${authority.name}" requires one`) };
    }
    const withRekor = rekor === undefined ? {} : { rekor };
    // Certificates are for authorities that name identities; one that trusts keys checks the key, as
    // `cosign verify --key` does with a certificate attached.
    if (candidate.certificate !== undefined && (authority.identities.length > 0 || authority.keys.length === 0)) {
      return verifyBundle(restate({ certificate: candidate.certificate, chain: candidate.chain, ...withRekor }), artifact, authority, now);
    }
    // A key signature names no key: restate it once per trusted key (the verifier matches by hint).
    let first: BundleResult | undefined;
    for (const key of authority.keys) {
      const result = verifyBundle(restate({ chain: [], key: key.key, ...withRekor }), artifact, authority, now);
      if (result.ok) return result;
      first ??= result;
    }
    return first ?? { ok: false, failure: failure('untrusted-key', `the signature carries no certificate, and "${authority.name}" trusts no keys`) };
  }
  let at = now;
  const evidence: Evidence = { transparencyLog: rekor === undefined ? 'absent' : 'not-verified' };
  if (authority.transparency !== undefined && candidate.certificate !== undefined) {
    if (rekor === undefined) return { ok: false, failure: failure('transparency-log', `no transparency-log entry (${ANNOTATION_BUNDLE} annotation) records this signature, and "${authority.name}" requires one`) };
    const logged = loggedAt(restate({ chain: [], key: candidate.certificate.publicKey, rekor }), artifact, candidate.certificate.publicKey, authority.transparency);
    if (!logged.ok) return logged;
    at = logged.at;
    evidence.transparencyLog = 'verified';
    evidence.signedAt = at.toISOString();
  }
  const result = offline(at);
  return result.ok ? { ok: true, signer: result.signer, evidence } : result;
}

/**
 * Checks the log's promise of inclusion (its signature over the entry and time) and that the entry is
 * this signature, with the signer's key standing in for the certificate: the chain is judged after,
 * by Bulwark's own X.509 validation, at the time returned.
 */
function loggedAt(parsed: ParsedBundle, artifact: Buffer | undefined, key: KeyObject, trust: SigstoreTrust): { ok: true; at: Date } | { ok: false; failure: TrustFailure } {
  try {
    const material = trust.material(() => ({ publicKey: key, validFor: () => true }));
    const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
    verifier.verify(toSignedEntity(parsed.bundle, artifact));
  } catch (error) {
    const code = error instanceof VerificationError || error instanceof PolicyError ? (error.code === 'SIGNATURE_ERROR' ? 'signature-mismatch' : 'transparency-log') : 'malformed';
    return { ok: false, failure: failure(code, `transparency-log entry: ${(error as Error).message}`) };
  }
  const seconds = Number(parsed.bundle.verificationMaterial.tlogEntries[0]?.integratedTime);
  return { ok: true, at: new Date(seconds * 1000) };
}
