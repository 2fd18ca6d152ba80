// Applies a trust policy to one image reference: pick the rule, then allow, deny or verify. The
// admission webhook and `bulwark verify image --policy` decide through this one function.
import { failure } from '../errors.ts';
import type { ImageVerification } from '../verify/image.ts';
import type { ImageVerifier } from '../verify/verifier.ts';
import { decide, type TrustPolicy } from './load.ts';

export interface PolicyOutcome extends ImageVerification {
  /** The rule that matched, `undefined` when the default action applied. */
  rule: string | undefined;
  decision: 'verify' | 'allow' | 'deny';
  cached?: boolean;
}

export async function verifyWithPolicy(verifier: ImageVerifier, policy: TrustPolicy, reference: string): Promise<PolicyOutcome> {
  // Rules name `registry/repository`; resolving also validates the reference (a usage error throws).
  const parsed = verifier.pool.parse(reference);
  const repository = `${parsed.domain}/${parsed.path}`;
  const decision = decide(policy, repository);
  if (decision.action === 'verify') return { ...(await verifier.verify(reference, decision.policy)), rule: decision.rule, decision: 'verify' };
  const outcome: PolicyOutcome = {
    reference,
    repository,
    digest: parsed.digest ?? '',
    policy: policy.file,
    verified: decision.action === 'allow',
    signatures: [],
    attestations: [],
    rejected: [],
    rule: decision.rule,
    decision: decision.action,
  };
  if (decision.action === 'deny') {
    outcome.reason = failure('policy-denied', decision.rule === undefined ? 'no rule of the policy matches this image (default: deny)' : `rule "${decision.rule}" denies this image`);
  }
  return outcome;
}
