// The frontier of a tree of N leaves: one hash per set bit of N (the perfect subtrees that cover the
// leaves so far, largest first). Appending a leaf merges equal-sized subtrees, which yields exactly the
// new interior nodes a node store must keep; the root is their right fold. Both stores build on this,
// so neither ever re-reads old entries to append. Hashes are held as latin1 text (see hash.ts): this
// is the inner loop of appending and verifying.
import { EMPTY_ROOT, hashBytes, hashText, nodeHash, nodeHashText, type HashText } from './hash.ts';
import { frontierNodes, type NodeId } from './tree-math.ts';

export interface NewNode extends NodeId {
  hash: Buffer;
}

/** Receives each node an append completes, level 0 (the leaf) first; no object per node. */
export type NodeSink = (level: number, index: number, hash: HashText) => void;

export class CompactRange {
  #size: number;
  readonly #hashes: HashText[];
  #root: Buffer | undefined;

  /** `hashes` must be the frontier of `size` (see frontierNodes), largest subtree first. */
  constructor(size = 0, hashes: readonly (Uint8Array | HashText)[] = []) {
    if (frontierNodes(size).length !== hashes.length) throw new RangeError(`a frontier of ${size} leaves has ${frontierNodes(size).length} hashes, not ${hashes.length}`);
    this.#size = size;
    this.#hashes = hashes.map((h) => (typeof h === 'string' ? h : hashText(h)));
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): readonly Buffer[] {
    return this.#hashes.map(hashBytes);
  }

  /** The frontier's hashes, largest subtree first, concatenated (32 bytes each). */
  frontierBytes(): Buffer {
    return Buffer.from(this.#hashes.join(''), 'latin1');
  }

  /** Adds one leaf hash; `sink` receives the leaf and every interior node completed by it. */
  appendText(leaf: HashText, sink?: NodeSink): void {
    let node = leaf;
    let level = 0;
    let index = this.#size;
    sink?.(0, index, node);
    // Each trailing set bit of the size is a subtree of that height this leaf completes.
    let size = this.#size;
    while (size % 2 === 1) {
      node = nodeHashText(this.#hashes.pop()!, node);
      level++;
      index = Math.floor(index / 2);
      size = Math.floor(size / 2);
      sink?.(level, index, node);
    }
    this.#hashes.push(node);
    this.#size++;
    this.#root = undefined;
  }

  /** Buffer form of appendText, for callers outside the hot paths. */
  append(leaf: Uint8Array, emit?: (node: NewNode) => void): void {
    this.appendText(hashText(leaf), emit === undefined ? undefined : (level, index, hash) => emit({ level, index, hash: hashBytes(hash) }));
  }

  root(): Buffer {
    if (this.#root === undefined) {
      if (this.#hashes.length === 0) this.#root = EMPTY_ROOT;
      else {
        let root = this.#hashes[this.#hashes.length - 1]!;
        for (let i = this.#hashes.length - 2; i >= 0; i--) root = nodeHashText(this.#hashes[i]!, root);
        this.#root = hashBytes(root);
      }
    }
    return this.#root;
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
