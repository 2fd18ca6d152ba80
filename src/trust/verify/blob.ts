// Verifies a signed artifact (a file) against a Sigstore bundle, without I/O.
import { createHash } from 'node:crypto';
import { BulwarkError } from '../../core/index.ts';
import { describeError, failure, type TrustFailure } from '../errors.ts';
import type { ParsedBundle } from '../formats/bundle.ts';
import { INTOTO_PAYLOAD_TYPE, parseStatement, statementCovers } from '../formats/intoto.ts';
import type { Authority, Signer } from './authority.ts';
import { verifyBundle, type Evidence } from './bundle.ts';

export interface BlobVerification {
  verified: boolean;
  /** `sha256:<hex>` of the artifact. */
  digest: string;
  content: 'message-signature' | 'dsse-envelope';
  signer?: Signer;
  evidence?: Evidence;
  /** For DSSE bundles: the statement's predicate type. */
  predicateType?: string;
  reason?: TrustFailure;
}

/**
 * A message-signature bundle must sign exactly these bytes; a DSSE bundle must carry an in-toto
 * statement whose subject is this artifact's digest. Any authority may vouch for the signature.
 */
export function verifyBlob(artifact: Buffer, parsed: ParsedBundle, authorities: readonly Authority[], now: Date = new Date()): BlobVerification {
  const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
  const content = parsed.bundle.content.$case === 'dsseEnvelope' ? 'dsse-envelope' : 'message-signature';
  const result: BlobVerification = { verified: false, digest, content };
  if (parsed.bundle.content.$case === 'dsseEnvelope') {
    const envelope = parsed.bundle.content.dsseEnvelope;
    if (envelope.payloadType === INTOTO_PAYLOAD_TYPE) {
      try {
        const statement = parseStatement(Buffer.from(envelope.payload), 'bundle statement');
        result.predicateType = statement.predicateType;
        if (!statementCovers(statement, digest)) {
          result.reason = failure('digest-mismatch', `the statement's subject is not this artifact (${digest})`);
          return result;
        }
      } catch (error) {
        result.reason = failure('malformed', describeError(error));
        return result;
      }
    }
  }
  let first: TrustFailure | undefined;
  for (const authority of authorities) {
    const outcome = verifyBundle(parsed, artifact, authority, now);
    if (outcome.ok) {
      result.verified = true;
      result.signer = outcome.signer;
      result.evidence = outcome.evidence;
      return result;
    }
    first ??= outcome.failure;
  }
  if (first === undefined) throw new BulwarkError('E_USAGE', 'no key, CA or trusted root to verify with');
  result.reason = first;
  return result;
}
