// The pure verification step for images: fetched artifacts + policy → verdict. No I/O, no clock other
// than `now`; bounded by the number of candidates (capped by the fetcher) times authorities.
import { BulwarkError } from '../../core/index.ts';
import { decodeBase64 } from '../encoding/base64.ts';
import { describeError, failure, type TrustFailure } from '../errors.ts';
import { parseBundle, type ParsedBundle } from '../formats/bundle.ts';
import { parseEnvelope, preAuthEncoding, type DsseEnvelope } from '../formats/dsse.ts';
import { COSIGN_SIGN_PREDICATE, INTOTO_PAYLOAD_TYPE, parseStatement, statementCovers, type Statement } from '../formats/intoto.ts';
import { parseSimpleSigning } from '../formats/simple-signing.ts';
import { limits } from '../limits.ts';
import { parseCertificatesPem, type Certificate } from '../x509/certificate.ts';
import type { ImageArtifacts } from './artifacts.ts';
import type { Authority, Signer } from './authority.ts';
import { verifyBundle, type Evidence } from './bundle.ts';
import { conditionHolds, describeCondition, type PredicateCondition } from './conditions.ts';
import { type SignerResult } from './raw.ts';
import { verifyClassicAttestation, verifyClassicSignature, type ClassicCandidate } from './classic.ts';

export interface AttestationRequirement {
  /** For messages (defaults to the predicate type). */
  name: string;
  predicateType: string;
  /** Names of the authorities whose attestations count; all of the policy's when absent. */
  authorities?: readonly string[];
  conditions: readonly PredicateCondition[];
}

export interface ImagePolicy {
  /** Identifies the policy in output and, with the digest, in the verification cache. */
  id: string;
  authorities: readonly Authority[];
  /** How many distinct authorities must have signed the image (0: no signature required). */
  signatures: { minimum: number; authorities?: readonly string[] };
  attestations: readonly AttestationRequirement[];
}

export type Layout = 'cosign-classic' | 'sigstore-bundle';

export interface VerifiedSignature {
  layout: Layout;
  source: string;
  signer: Signer;
  transparencyLog: Evidence['transparencyLog'];
  signedAt?: string;
}

export interface VerifiedAttestation extends VerifiedSignature {
  predicateType: string;
}

export interface RejectedCandidate {
  source: string;
  failure: TrustFailure;
}

export interface ImageVerification {
  reference: string;
  repository: string;
  digest: string;
  policy: string;
  verified: boolean;
  signatures: VerifiedSignature[];
  attestations: VerifiedAttestation[];
  rejected: RejectedCandidate[];
  /** Why `verified` is false. */
  reason?: TrustFailure;
}

export interface VerifyOptions {
  /** The time signatures and certificates are judged at when they carry no verified timestamp. */
  now?: Date;
}

interface Verified<T> {
  accepted: T[];
  rejected: RejectedCandidate[];
}

/** Verifies the signatures and attestations of one image digest against a policy. */
export function verifyImageSignatures(artifacts: ImageArtifacts, policy: ImagePolicy, options: VerifyOptions = {}): ImageVerification {
  const now = options.now ?? new Date();
  const signatures: VerifiedSignature[] = [];
  const attestations: Array<VerifiedAttestation & { statement: Statement }> = [];
  const rejected: RejectedCandidate[] = [];
  const reject = (source: string, why: TrustFailure): void => {
    if (rejected.length < limits.signaturesPerImage) rejected.push({ source, failure: why });
  };

  for (const candidate of artifacts.signatures.slice(0, limits.signaturesPerImage)) {
    try {
      const payload = parseSimpleSigning(candidate.payload, `${candidate.source}: payload`);
      if (payload.manifestDigest !== artifacts.digest) {
        reject(candidate.source, failure('digest-mismatch', `signs ${payload.manifestDigest}, not ${artifacts.digest}`));
        continue;
      }
      const signature = decodeBase64(candidate.signature, `${candidate.source}: signature annotation`);
      const classic: ClassicCandidate = { ...certificatesOf(candidate.certificate, candidate.chain, candidate.source), rekorBundle: candidate.rekorBundle, source: candidate.source };
      const result = firstAuthority(policy.authorities, (authority) => verifyClassicSignature(candidate.payload, signature, classic, authority, now));
      if (result.ok) signatures.push(verifiedOf('cosign-classic', candidate.source, result));
      else reject(candidate.source, result.failure);
    } catch (error) {
      reject(candidate.source, malformed(error));
    }
  }

  for (const candidate of artifacts.attestations.slice(0, limits.signaturesPerImage)) {
    try {
      const envelope = parseEnvelope(candidate.envelope, `${candidate.source}: envelope`);
      const statement = statementOf(envelope, artifacts.digest, candidate.source);
      const classic: ClassicCandidate = { ...certificatesOf(candidate.certificate, candidate.chain, candidate.source), rekorBundle: candidate.rekorBundle, source: candidate.source };
      const result = firstAuthority(policy.authorities, (authority) => verifyClassicAttestation(envelope, classic, authority, now));
      if (result.ok) attestations.push({ ...verifiedOf('cosign-classic', candidate.source, result), predicateType: statement.predicateType, statement });
      else reject(candidate.source, result.failure);
    } catch (error) {
      reject(candidate.source, malformed(error));
    }
  }

  for (const candidate of artifacts.bundles.slice(0, limits.referrersPerImage)) {
    try {
      const parsed: ParsedBundle = parseBundle(candidate.bundle, candidate.source);
      if (parsed.bundle.content.$case !== 'dsseEnvelope') {
        reject(candidate.source, failure('malformed', 'a message-signature bundle attached to an image names no subject; only DSSE bundles are read'));
        continue;
      }
      const dsse = parsed.bundle.content.dsseEnvelope;
      const envelope: DsseEnvelope = { payloadType: dsse.payloadType, payload: Buffer.from(dsse.payload), signatures: dsse.signatures.map((s) => ({ keyid: s.keyid, sig: Buffer.from(s.sig) })) };
      const statement = statementOf(envelope, artifacts.digest, candidate.source);
      const result = firstAuthority(policy.authorities, (authority) => verifyBundle(parsed, undefined, authority, now));
      if (!result.ok) {
        reject(candidate.source, result.failure);
        continue;
      }
      const verified = verifiedOf('sigstore-bundle', candidate.source, result);
      if (statement.predicateType === COSIGN_SIGN_PREDICATE) signatures.push(verified);
      else attestations.push({ ...verified, predicateType: statement.predicateType, statement });
    } catch (error) {
      reject(candidate.source, malformed(error));
    }
  }

  const verification: ImageVerification = {
    reference: artifacts.reference,
    repository: artifacts.repository,
    digest: artifacts.digest,
    policy: policy.id,
    verified: true,
    signatures,
    attestations: attestations.map(({ statement: _statement, ...rest }) => rest),
    rejected,
  };
  const reason = judge(policy, signatures, attestations, rejected, artifacts);
  if (reason !== undefined) {
    verification.verified = false;
    verification.reason = reason;
  }
  return verification;
}

function judge(
  policy: ImagePolicy,
  signatures: readonly VerifiedSignature[],
  attestations: ReadonlyArray<VerifiedAttestation & { statement: Statement }>,
  rejected: readonly RejectedCandidate[],
  artifacts: ImageArtifacts,
): TrustFailure | undefined {
  const allowed = new Set(policy.signatures.authorities ?? policy.authorities.map((authority) => authority.name));
  const satisfied = new Set(signatures.map((signature) => signature.signer.authority).filter((name) => allowed.has(name)));
  if (satisfied.size < policy.signatures.minimum) {
    if (signatures.length === 0 && rejected.length === 0) {
      const fetched = artifacts.problems.length > 0 ? ` (${artifacts.problems.join('; ')})` : '';
      return failure('no-signatures', `no signature found for ${artifacts.repository}@${artifacts.digest}${fetched}`);
    }
    if (policy.signatures.minimum === 1) {
      const first = rejected[0];
      return first === undefined ? failure('no-signatures', 'no signature from a trusted authority') : failure(first.failure.code, `no valid signature: ${first.source}: ${first.failure.message}`);
    }
    return failure('threshold', `signed by ${satisfied.size} of the required ${policy.signatures.minimum} authorities (${[...allowed].join(', ')})`);
  }
  for (const requirement of policy.attestations) {
    const from = new Set(requirement.authorities ?? policy.authorities.map((authority) => authority.name));
    const ofType = attestations.filter((attestation) => attestation.predicateType === requirement.predicateType && from.has(attestation.signer.authority));
    if (ofType.length === 0) return failure('attestation-missing', `no verified ${requirement.name} attestation (${requirement.predicateType})`);
    const passing = ofType.find((attestation) => requirement.conditions.every((condition) => conditionHolds(attestation.statement, condition)));
    if (passing === undefined) {
      const failed = requirement.conditions.find((condition) => !conditionHolds(ofType[0]!.statement, condition))!;
      return failure('predicate-condition', `the ${requirement.name} attestation does not satisfy: ${describeCondition(failed)}`);
    }
  }
  return undefined;
}

function verifiedOf(layout: Layout, source: string, result: { signer: Signer; evidence?: Evidence }): VerifiedSignature {
  const evidence = result.evidence ?? { transparencyLog: 'absent' };
  const verified: VerifiedSignature = { layout, source, signer: result.signer, transparencyLog: evidence.transparencyLog };
  if (evidence.signedAt !== undefined) verified.signedAt = evidence.signedAt;
  return verified;
}

function firstAuthority<T extends SignerResult>(authorities: readonly Authority[], check: (authority: Authority) => T): T {
  let first: T | undefined;
  for (const authority of authorities) {
    const result = check(authority);
    if (result.ok) return result;
    first ??= result;
  }
  return first ?? ({ ok: false, failure: failure('untrusted-key', 'the policy trusts no authority') } as T);
}

function statementOf(envelope: DsseEnvelope, digest: string, source: string): Statement {
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) throw new BulwarkError('E_PARSE', `${source}: the envelope carries ${envelope.payloadType}, not an in-toto statement`);
  const statement = parseStatement(envelope.payload, `${source}: statement`);
  if (!statementCovers(statement, digest)) {
    const named = statement.subject.map((subject) => Object.entries(subject.digest).map(([algorithm, hex]) => `${algorithm}:${hex}`).join(',')).join(' ');
    throw new DigestMismatch(`the statement is about ${named.slice(0, 200)}, not ${digest}`);
  }
  return statement;
}

class DigestMismatch extends Error {}

function certificatesOf(certificate: string | undefined, chain: string | undefined, source: string): { certificate: Certificate | undefined; chain: Certificate[] } {
  if (certificate === undefined || certificate.trim() === '') return { certificate: undefined, chain: [] };
  const leaf = parseCertificatesPem(certificate, `${source}: certificate annotation`)[0];
  const intermediates = chain === undefined || chain.trim() === '' ? [] : parseCertificatesPem(chain, `${source}: chain annotation`);
  return { certificate: leaf, chain: intermediates.slice(0, limits.certificatesPerChain) };
}

function malformed(error: unknown): TrustFailure {
  if (error instanceof DigestMismatch) return failure('digest-mismatch', error.message);
  if (error instanceof BulwarkError) return failure('malformed', error.message);
  return failure('malformed', describeError(error));
}
