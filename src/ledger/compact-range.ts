// The frontier of a tree of N leaves: one hash per set bit of N (the perfect subtrees that cover the
// leaves so far, largest first). Appending a leaf merges equal-sized subtrees, which yields exactly the
// new interior nodes a node store must keep; the root is their right fold. Both stores build on this,
// so neither ever re-reads old entries to append.
import { EMPTY_ROOT, nodeHash } from './hash.ts';
import { bitSet, frontierNodes, type NodeId } from './tree-math.ts';

export interface NewNode extends NodeId {
  hash: Buffer;
}

export class CompactRange {
  #size: number;
  readonly #hashes: Buffer[];

  /** `hashes` must be the frontier of `size` (see frontierNodes), largest subtree first. */
  constructor(size = 0, hashes: Buffer[] = []) {
    if (frontierNodes(size).length !== hashes.length) throw new RangeError(`a frontier of ${size} leaves has ${frontierNodes(size).length} hashes, not ${hashes.length}`);
    this.#size = size;
    this.#hashes = [...hashes];
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Buffer[] {
    return this.#hashes;
  }

  /** Adds one leaf hash; `emit` receives the leaf and every interior node completed by it. */
  append(leaf: Buffer, emit?: (node: NewNode) => void): void {
    let node = leaf;
    let level = 0;
    let index = this.#size;
    emit?.({ level, index, hash: node });
    while (bitSet(this.#size, level)) {
      node = nodeHash(this.#hashes.pop()!, node);
      level++;
      index = Math.floor(index / 2);
      emit?.({ level, index, hash: node });
    }
    this.#hashes.push(node);
    this.#size++;
  }

  root(): Buffer {
    return foldRange(this.#hashes);
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes);
  }
}

/** The RFC hash of an aligned range from its perfect subtrees, largest first (see rangeNodes). */
export function foldRange(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let root: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i]!, root);
  return root;
}
