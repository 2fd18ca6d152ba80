// RFC 6962 / RFC 9162 hashing with SHA-256: a leaf is SHA-256(0x00 ‖ data), an interior node
// SHA-256(0x01 ‖ left ‖ right). The domain-separation prefixes keep a leaf from ever being taken for a
// node (second-preimage attacks on the tree).
import { hash } from 'node:crypto';

export const HASH_SIZE = 32;

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

const leafScratch = { buffer: Buffer.alloc(4096) };
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = 1;

export function leafHash(data: Uint8Array): Buffer {
  // Copying into a reused buffer is cheaper than Buffer.concat's allocation per leaf.
  if (data.length + 1 > leafScratch.buffer.length) leafScratch.buffer = Buffer.alloc(Math.max(data.length + 1, leafScratch.buffer.length * 2));
  const scratch = leafScratch.buffer;
  scratch[0] = 0;
  scratch.set(data, 1);
  return hash('sha256', scratch.subarray(0, data.length + 1), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeScratch, 'buffer');
}

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
