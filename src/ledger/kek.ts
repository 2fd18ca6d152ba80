// Key-encryption keys wrap the data keys; entries never see them. A provider is anything that can
// wrap and unwrap 32 bytes under a key it names: the local key file below, or a KMS/HSM client that
// implements the same interface (the wrapped bytes are opaque to the ledger).
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { LedgerError } from './errors.ts';

export interface KeyEncryptionKey {
  /** Stable identifier recorded with every data key it wraps. */
  readonly id: string;
  /** `context` (the data key's ID) is bound to the wrapping so wrapped keys cannot be swapped. */
  wrap(dataKey: Buffer, context: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: string): Promise<Buffer>;
}

const KEK_FILE_TYPE = 'bulwark-ledger-kek';
const WRAP_AAD = 'bulwark-ledger-data-key-v1\n';

/** A 256-bit key held in a local file (mode 0600), wrapping with AES-256-GCM. */
export class LocalKeyEncryptionKey implements KeyEncryptionKey {
  readonly id: string;
  readonly #key: KeyObject;

  constructor(id: string, key: Buffer) {
    if (key.length !== 32) throw new LedgerError('key', `key-encryption key ${id} must be 32 bytes`);
    this.id = id;
    this.#key = createSecretKey(key);
  }

  async wrap(dataKey: Buffer, context: string): Promise<Buffer> {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(WRAP_AAD + context));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  async unwrap(wrapped: Buffer, context: string): Promise<Buffer> {
    if (wrapped.length !== 12 + 32 + 16) throw new LedgerError('key', `wrapped data key ${context} has the wrong length`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, wrapped.subarray(0, 12));
      decipher.setAAD(Buffer.from(WRAP_AAD + context));
      decipher.setAuthTag(wrapped.subarray(44));
      return Buffer.concat([decipher.update(wrapped.subarray(12, 44)), decipher.final()]);
    } catch (error) {
      throw new LedgerError('key', `key-encryption key ${this.id} does not open data key ${context}`, { cause: error });
    }
  }
}

/** Creates a new key file; never overwrites one (losing a KEK loses every entry it protects). */
export function createKekFile(path: string): LocalKeyEncryptionKey {
  const id = `kek-${randomBytes(6).toString('hex')}`;
  const key = randomBytes(32);
  const text = `${JSON.stringify({ type: KEK_FILE_TYPE, version: 1, id, key: encodeBase64(key) })}\n`;
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new LedgerError('io', `cannot create key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return new LocalKeyEncryptionKey(id, key);
}

export function loadKekFile(path: string): LocalKeyEncryptionKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LedgerError('key', `cannot read key-encryption key ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const record = parsed as { type?: unknown; id?: unknown; key?: unknown } | undefined;
  const key = typeof record?.key === 'string' ? decodeBase64(record.key) : undefined;
  if (record?.type !== KEK_FILE_TYPE || typeof record.id !== 'string' || !/^[\w.-]{1,64}$/.test(record.id) || key?.length !== 32) {
    throw new LedgerError('key', `${path} is not a Bulwark key-encryption key file`, { location: { file: path } });
  }
  return new LocalKeyEncryptionKey(record.id, key);
}
