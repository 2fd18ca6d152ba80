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

function encodeHeader(header: EntryHeader): Buffer {
  const keyId = Buffer.from(header.keyId, 'ascii');
  if (keyId.length === 0 || keyId.length > MAX_KEY_ID_BYTES) throw new LedgerError('key', `data key ID must be 1…${MAX_KEY_ID_BYTES} ASCII bytes`);
  if (!Number.isSafeInteger(header.time) || header.time < 0) throw new LedgerError('usage', `entry time ${header.time} is not a valid millisecond timestamp`);
  const bytes = Buffer.allocUnsafe(10 + keyId.length);
  bytes[0] = ENTRY_VERSION;
  bytes.writeBigUInt64BE(BigInt(header.time), 1);
  bytes[9] = keyId.length;
  keyId.copy(bytes, 10);
  return bytes;
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

export function sealEntry(origin: string, header: EntryHeader, key: KeyObject, nonce: Buffer, plaintext: Uint8Array): Buffer {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new LedgerError('usage', `an entry is ${plaintext.length} bytes, more than the ${MAX_PLAINTEXT_BYTES} allowed`);
  const headerBytes = encodeHeader(header);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(additionalData(origin, headerBytes));
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  // One allocation for the leaf: header ‖ nonce ‖ ciphertext ‖ tag.
  const leaf = Buffer.allocUnsafe(headerBytes.length + NONCE_BYTES + ciphertext.length + TAG_BYTES);
  headerBytes.copy(leaf, 0);
  nonce.copy(leaf, headerBytes.length);
  ciphertext.copy(leaf, headerBytes.length + NONCE_BYTES);
  cipher.getAuthTag().copy(leaf, headerBytes.length + NONCE_BYTES + ciphertext.length);
  return leaf;
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
