// Index arithmetic of RFC 9162 trees. Positions are plain numbers (exact up to 2^53 entries, far
// beyond any log a process can write); bit operators are avoided because they truncate to 32 bits.

/** A perfect subtree: the `2^level` leaves starting at `index * 2^level`. */
export interface NodeId {
  level: number;
  index: number;
}

export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

export function pow2(level: number): number {
  return 2 ** level;
}

/** Whether bit `level` of `n` is set. */
export function bitSet(n: number, level: number): boolean {
  return Math.floor(n / pow2(level)) % 2 === 1;
}

/** The largest power of two strictly below `n` (n ≥ 2). */
export function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Number of significant bits of `n` (0 for 0). */
export function bitLength(n: number): number {
  let bits = 0;
  while (n >= 1) {
    n = Math.floor(n / 2);
    bits++;
  }
  return bits;
}

/**
 * The perfect subtrees that make up the leaves [lo, hi), largest first. Valid when `lo` is a multiple of
 * a power of two at least `hi - lo`, which holds for every range RFC 9162's recursions produce; the RFC
 * hash of such a range is then the right fold of these nodes.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  const nodes: NodeId[] = [];
  const size = hi - lo;
  for (let level = bitLength(size) - 1; level >= 0; level--) {
    if (!bitSet(size, level)) continue;
    nodes.push({ level, index: lo / pow2(level) });
    lo += pow2(level);
  }
  return nodes;
}

/** The nodes of the compact range of a tree of `size` leaves (the "frontier"), largest first. */
export function frontierNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}
