// RFC 6962 / RFC 9162 hashing with SHA-256: a leaf is SHA-256(0x00 ‖ data), an interior node
// SHA-256(0x01 ‖ left ‖ right). The domain-separation prefixes keep a leaf from ever being taken for a
// node (second-preimage attacks on the tree).
//
// Two forms: Buffers for the API and proofs, and 32-character latin1 strings (one char per byte) for
// the hot paths (appending, rebuilding, verifying). Making a Buffer costs more than hashing 64 bytes
// does — a backing store, a finaliser, GC work — while a short string is an ordinary heap object;
// measured, a node hash drops from ~1.3 µs to ~0.4 µs and a 1 KiB leaf hash from ~1.9 µs to ~1 µs.
import { hash } from 'node:crypto';

export const HASH_SIZE = 32;

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** A 32-byte hash as a latin1 string (char code = byte). */
export type HashText = string;

const leafScratch = { buffer: Buffer.alloc(4096) };
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = 1;

function leafInput(data: Uint8Array): Buffer {
  // Copying into a reused buffer is cheaper than Buffer.concat's allocation per leaf.
  if (data.length + 1 > leafScratch.buffer.length) leafScratch.buffer = Buffer.alloc(Math.max(data.length + 1, leafScratch.buffer.length * 2));
  const scratch = leafScratch.buffer;
  scratch[0] = 0;
  scratch.set(data, 1);
  return scratch.subarray(0, data.length + 1);
}

export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', leafInput(data), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeScratch, 'buffer');
}

export function leafHashText(data: Uint8Array): HashText {
  return hash('sha256', leafInput(data), 'binary');
}

/**
 * The leaf hash of `bytes[start, end)` without copying the entry: the byte before it is set to the
 * 0x00 prefix for the hash and restored after. For buffers the caller owns (a read chunk).
 */
export function leafHashTextInPlace(bytes: Buffer, start: number, end: number): HashText {
  if (start === 0) return leafHashText(bytes.subarray(0, end));
  const saved = bytes[start - 1]!;
  bytes[start - 1] = 0;
  try {
    return hash('sha256', bytes.subarray(start - 1, end), 'binary');
  } finally {
    bytes[start - 1] = saved;
  }
}

export function nodeHashText(left: HashText, right: HashText): HashText {
  nodeScratch.write(left, 1, HASH_SIZE, 'latin1');
  nodeScratch.write(right, 1 + HASH_SIZE, HASH_SIZE, 'latin1');
  return hash('sha256', nodeScratch, 'binary');
}

export function hashText(bytes: Uint8Array): HashText {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function hashBytes(text: HashText): Buffer {
  return Buffer.from(text, 'latin1');
}

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
