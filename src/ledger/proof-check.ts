// Checking a proof handed over by someone else, without the log: the Merkle proof itself and, when the
// caller names the log's verifier key, that the root is the one the log signed at that size.
import { equalHashes } from './hash.ts';
import { openCheckpoint } from './checkpoint.ts';
import { LedgerError } from './errors.ts';
import { parseVerifierKey } from './note.ts';
import { parseProofJson } from './proof-json.ts';
import { verifyConsistency, verifyInclusion, type Verdict } from './proof-verify.ts';

export interface ProofCheck {
  kind: 'inclusion' | 'consistency';
  verdict: Verdict;
  /** Set when a verifier key was given: the checkpoint's signature and its agreement with the proof. */
  signed?: boolean;
}

export function checkProof(text: string, file: string, verifierKey?: string): ProofCheck {
  const parsed = parseProofJson(text, file);
  const verdict = parsed.kind === 'inclusion' ? verifyInclusion(parsed.proof) : verifyConsistency(parsed.proof);
  if (verifierKey === undefined || !verdict.valid) return { kind: parsed.kind, verdict };
  if (parsed.checkpoint === undefined) return { kind: parsed.kind, verdict: { valid: false, reason: 'a verifier key was given but the proof carries no "checkpoint"' }, signed: false };
  const verifier = parseVerifierKey(verifierKey);
  let checkpoint;
  try {
    checkpoint = openCheckpoint(parsed.checkpoint, verifier, verifier.name, `${file}: checkpoint`);
  } catch (error) {
    if (error instanceof LedgerError && (error.reason === 'signature' || error.reason === 'parse')) return { kind: parsed.kind, verdict: { valid: false, reason: error.message }, signed: false };
    throw error;
  }
  const [size, root] = parsed.kind === 'inclusion' ? [parsed.proof.treeSize, parsed.proof.root] : [parsed.proof.size2, parsed.proof.root2];
  if (BigInt(checkpoint.size) !== size || !equalHashes(checkpoint.root, root)) {
    return { kind: parsed.kind, verdict: { valid: false, reason: `the proof's tree (size ${size}) is not the signed checkpoint's (size ${checkpoint.size})` }, signed: false };
  }
  return { kind: parsed.kind, verdict, signed: true };
}
