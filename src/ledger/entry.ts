// The bytes of one log entry (a Merkle leaf). Everything a verifier needs is outside the ciphertext;
// everything about the event is inside it:
//   version u8 (1) ‖ time u64 BE (ms since the epoch) ‖ key ID length u8 ‖ key ID (ASCII)
//   ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16)
// The header (version … key ID) and the log's origin are the GCM additional data, so a ciphertext can
// be neither moved to another log nor relabelled with another time or key.
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { LedgerError } from './errors.ts';

export const ENTRY_VERSION = 1;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const MAX_KEY_ID_BYTES = 64;
/** Bound on one event's plaintext: audit events are a few KiB; anything near this is a mistake. */
export const MAX_PLAINTEXT_BYTES = 1 << 20;
export const MAX_LEAF_BYTES = 1 + 8 + 1 + MAX_KEY_ID_BYTES + NONCE_BYTES + MAX_PLAINTEXT_BYTES + TAG_BYTES;

export interface EntryHeader {
  time: number;
  keyId: string;
}

export interface DecodedEntry extends EntryHeader {
  nonce: Buffer;
  /** Ciphertext followed by the tag. */
  sealed: Buffer;
  headerBytes: Buffer;
}

const aadPrefixes = new Map<string, Buffer>();

export function additionalData(origin: string, headerBytes: Uint8Array): Buffer {
  let prefix = aadPrefixes.get(origin);
  if (prefix === undefined) {
    prefix = Buffer.from(`bulwark-ledger-entry-v1\n${origin}\n`, 'utf8');
    if (aadPrefixes.size < 64) aadPrefixes.set(origin, prefix);
  }
  return Buffer.concat([prefix, headerBytes], prefix.length + headerBytes.length);
}

/** Writes a nonce for the next entry into `target` at `offset` (see keyring.ts for the scheme). */
export type NonceWriter = (target: Buffer, offset: number) => void;

/** A data key ready for sealing: its ID in the bytes the header carries. */
export interface SealingKey {
  key: KeyObject;
  idBytes: Buffer;
  writeNonce: NonceWriter;
}

export function keyIdBytes(keyId: string): Buffer {
  const bytes = Buffer.from(keyId, 'ascii');
  if (bytes.length === 0 || bytes.length > MAX_KEY_ID_BYTES || bytes.toString('ascii') !== keyId) throw new LedgerError('key', `data key ID must be 1…${MAX_KEY_ID_BYTES} ASCII bytes`);
  return bytes;
}

/**
 * Seals the entries of one log. The additional data's constant prefix is laid out once, and each
 * entry is written straight into its leaf (header, nonce, ciphertext, tag): per entry, one leaf
 * allocation and the cipher's own work, which is most of the cost.
 */
export class EntrySealer {
  readonly #aad: Buffer;
  readonly #prefixLength: number;

  constructor(origin: string) {
    const prefix = Buffer.from(`bulwark-ledger-entry-v1\n${origin}\n`, 'utf8');
    this.#prefixLength = prefix.length;
    this.#aad = Buffer.alloc(prefix.length + 10 + MAX_KEY_ID_BYTES);
    prefix.copy(this.#aad);
  }

  seal(time: number, key: SealingKey, plaintext: Uint8Array | string): Buffer {
    if (!Number.isSafeInteger(time) || time < 0) throw new LedgerError('usage', `entry time ${time} is not a valid millisecond timestamp`);
    const length = typeof plaintext === 'string' ? Buffer.byteLength(plaintext, 'utf8') : plaintext.length;
    if (length > MAX_PLAINTEXT_BYTES) throw new LedgerError('usage', `an entry is ${length} bytes, more than the ${MAX_PLAINTEXT_BYTES} allowed`);
    const idLength = key.idBytes.length;
    const headerLength = 10 + idLength;
    const leaf = Buffer.allocUnsafe(headerLength + NONCE_BYTES + length + TAG_BYTES);
    leaf[0] = ENTRY_VERSION;
    leaf.writeUInt32BE(Math.floor(time / 0x1_0000_0000), 1);
    leaf.writeUInt32BE(time % 0x1_0000_0000, 5);
    leaf[9] = idLength;
    key.idBytes.copy(leaf, 10);
    key.writeNonce(leaf, headerLength);
    leaf.copy(this.#aad, this.#prefixLength, 0, headerLength);
    const cipher = createCipheriv('aes-256-gcm', key.key, leaf.subarray(headerLength, headerLength + NONCE_BYTES));
    cipher.setAAD(this.#aad.subarray(0, this.#prefixLength + headerLength));
    const ciphertext = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
    // GCM is a stream mode: update returns exactly as many bytes as it was given.
    ciphertext.copy(leaf, headerLength + NONCE_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(leaf, headerLength + NONCE_BYTES + length);
    return leaf;
  }
}

const sealers = new Map<string, EntrySealer>();

export function sealEntry(origin: string, header: EntryHeader, key: KeyObject, nonce: Buffer, plaintext: Uint8Array): Buffer {
  let sealer = sealers.get(origin);
  if (sealer === undefined) {
    sealer = new EntrySealer(origin);
    if (sealers.size < 64) sealers.set(origin, sealer);
  }
  return sealer.seal(header.time, { key, idBytes: keyIdBytes(header.keyId), writeNonce: (target, offset) => nonce.copy(target, offset, 0, NONCE_BYTES) }, plaintext);
}

/** Splits a leaf into its parts; a typed error names what is wrong. */
export function decodeEntry(leaf: Buffer): DecodedEntry {
  if (leaf.length < 10) throw new LedgerError('corrupt', `entry of ${leaf.length} bytes is shorter than its header`);
  if (leaf[0] !== ENTRY_VERSION) throw new LedgerError('corrupt', `entry format version ${leaf[0]} is not supported (expected ${ENTRY_VERSION})`);
  const time = Number(leaf.readBigUInt64BE(1));
  const keyIdLength = leaf[9]!;
  const headerLength = 10 + keyIdLength;
  if (keyIdLength === 0 || keyIdLength > MAX_KEY_ID_BYTES || leaf.length < headerLength + NONCE_BYTES + TAG_BYTES) {
    throw new LedgerError('corrupt', 'entry header is inconsistent with its length');
  }
  const keyId = leaf.toString('ascii', 10, headerLength);
  return {
    time,
    keyId,
    headerBytes: leaf.subarray(0, headerLength),
    nonce: leaf.subarray(headerLength, headerLength + NONCE_BYTES),
    sealed: leaf.subarray(headerLength + NONCE_BYTES),
  };
}

/** The plaintext, or `undefined` when the key does not open it (wrong key or a modified entry). */
export function openEntry(origin: string, entry: DecodedEntry, key: KeyObject): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, entry.nonce);
    decipher.setAAD(additionalData(origin, entry.headerBytes));
    decipher.setAuthTag(entry.sealed.subarray(entry.sealed.length - TAG_BYTES));
    const plaintext = decipher.update(entry.sealed.subarray(0, entry.sealed.length - TAG_BYTES));
    decipher.final();
    return plaintext;
  } catch {
    return undefined;
  }
}
