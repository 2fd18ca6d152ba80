// Which stored nodes make up an inclusion or consistency proof (RFC 9162 §2.1.3.1 PATH and §2.1.4.1
// SUBPROOF). A proof element is the hash of an aligned range of leaves, i.e. the fold of a few perfect
// subtrees. Planning first and fetching second lets a store read every node of a proof in one go
// (one query for PostgreSQL, a few positioned reads for files).
import { foldRange } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { largestPow2Below, rangeNodes, type NodeId } from './tree-math.ts';

/** One proof element per entry: the nodes whose fold is that element. */
export type ProofPlan = NodeId[][];

export function inclusionPlan(index: number, size: number): ProofPlan {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new LedgerError('usage', `entry ${index} is not in a tree of ${size} entries`);
  }
  const plan: ProofPlan = [];
  // Walk down from the root, collecting siblings, then reverse: the RFC orders the path leaf-first.
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPow2Below(hi - lo);
    if (index < lo + k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      lo += k;
    }
  }
  return plan.reverse();
}

export function consistencyPlan(size1: number, size2: number): ProofPlan {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0 && size1 <= size2)) {
    throw new LedgerError('usage', `no consistency proof from ${size1} to ${size2} entries`);
  }
  if (size1 === 0 || size1 === size2) return [];
  const plan: ProofPlan = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled; elements are produced root-side first, then reversed.
  let m = size1;
  let lo = 0;
  let hi = size2;
  let complete = true;
  while (m !== hi - lo) {
    const k = largestPow2Below(hi - lo);
    if (m <= k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      m -= k;
      lo += k;
      complete = false;
    }
  }
  if (!complete) plan.push(rangeNodes(lo, hi));
  return plan.reverse();
}

/** Every distinct node a plan needs, for one batched read. */
export function planNodes(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of plan) for (const node of element) seen.set(`${node.level}/${node.index}`, node);
  return [...seen.values()];
}

export function assemblePlan(plan: ProofPlan, lookup: (node: NodeId) => Buffer): Buffer[] {
  return plan.map((element) => foldRange(element.map(lookup)));
}

/** The proof from the hashes of `planNodes(plan)`, fetched in that order. */
export function assembleFetched(plan: ProofPlan, ids: readonly NodeId[], hashes: readonly Buffer[]): Buffer[] {
  const byKey = new Map<string, Buffer>();
  for (let i = 0; i < ids.length; i++) byKey.set(`${ids[i]!.level}/${ids[i]!.index}`, hashes[i]!);
  return assemblePlan(plan, (node) => byKey.get(`${node.level}/${node.index}`)!);
}
