// Verifiers of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs, following the RFC's
// algorithms step by step. Every input is checked: hash lengths, index and size bounds, and that the
// path is consumed exactly (a verifier that stops early or ignores extra elements accepts forgeries).
// Sizes are bigints so that any 64-bit value a proof file carries is judged, not rounded.
import { HASH_SIZE, equalHashes, nodeHash } from './hash.ts';

export const MAX_UINT64 = (1n << 64n) - 1n;

/** At most one element per level of a 2^64-leaf tree (plus the prepended root for consistency). */
export const MAX_PROOF_ELEMENTS = 64;

export interface InclusionProof {
  leafIdx: bigint;
  treeSize: bigint;
  root: Uint8Array;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
}

export interface ConsistencyProof {
  size1: bigint;
  size2: bigint;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: readonly Uint8Array[];
}

export type Verdict = { valid: true } | { valid: false; reason: string };

const VALID: Verdict = { valid: true };
const invalid = (reason: string): Verdict => ({ valid: false, reason });

function checkHash(name: string, value: Uint8Array): string | undefined {
  return value.length === HASH_SIZE ? undefined : `${name} is ${value.length} bytes, expected ${HASH_SIZE}`;
}

function checkSize(name: string, value: bigint): string | undefined {
  return value >= 0n && value <= MAX_UINT64 ? undefined : `${name} ${value} is outside 0…2^64-1`;
}

function checkPath(proof: readonly Uint8Array[]): string | undefined {
  if (proof.length > MAX_PROOF_ELEMENTS) return `proof has ${proof.length} elements, more than any tree needs (${MAX_PROOF_ELEMENTS})`;
  for (let i = 0; i < proof.length; i++) {
    const problem = checkHash(`proof[${i}]`, proof[i]!);
    if (problem) return problem;
  }
  return undefined;
}

const lsb = (n: bigint): boolean => (n & 1n) === 1n;

export function verifyInclusion(p: InclusionProof): Verdict {
  const problem =
    checkSize('leafIdx', p.leafIdx) ??
    checkSize('treeSize', p.treeSize) ??
    checkHash('root', p.root) ??
    checkHash('leafHash', p.leafHash) ??
    checkPath(p.proof);
  if (problem) return invalid(problem);
  // 1. The leaf must be in the tree.
  if (p.leafIdx >= p.treeSize) return invalid(`leafIdx ${p.leafIdx} is not below treeSize ${p.treeSize}`);
  // 2.–3.
  let fn = p.leafIdx;
  let sn = p.treeSize - 1n;
  let r: Uint8Array = p.leafHash;
  // 4.
  for (const element of p.proof) {
    if (sn === 0n) return invalid('proof is longer than the path from the leaf to the root');
    if (lsb(fn) || fn === sn) {
      r = nodeHash(element, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, element);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5.
  if (sn !== 0n) return invalid('proof is shorter than the path from the leaf to the root');
  if (!equalHashes(r, p.root)) return invalid('the path does not lead to the root');
  return VALID;
}

export function verifyConsistency(p: ConsistencyProof): Verdict {
  const problem =
    checkSize('size1', p.size1) ?? checkSize('size2', p.size2) ?? checkHash('root1', p.root1) ?? checkHash('root2', p.root2) ?? checkPath(p.proof);
  if (problem) return invalid(problem);
  if (p.size1 > p.size2) return invalid(`size1 ${p.size1} is larger than size2 ${p.size2}`);
  if (p.size1 === p.size2) {
    // The same tree: nothing to prove, and the roots must be identical.
    if (p.proof.length !== 0) return invalid('a proof between equal sizes must be empty');
    return equalHashes(p.root1, p.root2) ? VALID : invalid('equal sizes with different roots');
  }
  if (p.size1 === 0n) {
    // Every tree extends the empty tree; a non-empty proof here is garbage.
    return p.proof.length === 0 ? VALID : invalid('a proof from the empty tree must be empty');
  }
  // 1.
  if (p.proof.length === 0) return invalid('the proof is empty');
  // 2. A first tree of exactly 2^k leaves is itself a node of the second: it starts the path.
  const path: Uint8Array[] = (p.size1 & (p.size1 - 1n)) === 0n ? [p.root1, ...p.proof] : [...p.proof];
  // 3.–4.
  let fn = p.size1 - 1n;
  let sn = p.size2 - 1n;
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0n) return invalid('proof is longer than the path between the two trees');
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7.
  if (sn !== 0n) return invalid('proof is shorter than the path between the two trees');
  if (!equalHashes(fr, p.root1)) return invalid('the proof does not lead to root1');
  if (!equalHashes(sr, p.root2)) return invalid('the proof does not lead to root2');
  return VALID;
}
