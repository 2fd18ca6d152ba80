// Data keys: one per subject (e.g. the Kubernetes user an audit event is about) and rotation period,
// wrapped by a key-encryption key and kept in the store. Entries name their data key by a random ID,
// never by subject, so erasing a subject's keys (crypto-shredding) leaves nothing that links its
// entries to it, while the ciphertext, and so every proof, stays exactly as it was.
//
// Nonces: AES-GCM must never repeat a nonce under one key. Each process that uses a key draws a random
// 64-bit prefix and counts up in the last 32 bits, drawing a new prefix when the counter wraps; two
// writers colliding would need the same 64-bit draw.
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { keyIdBytes, type SealingKey } from './entry.ts';
import { LedgerError } from './errors.ts';
import type { KeyEncryptionKey } from './kek.ts';
import type { DataKeyRecord, LedgerStore } from './store.ts';

export const MAX_SUBJECT_BYTES = 256;

export interface ActiveKey extends SealingKey {
  id: string;
  nextNonce(): Buffer;
}

export interface KeyringOptions {
  /** Wraps new data keys; also tried first to unwrap. */
  kek: KeyEncryptionKey;
  /** Older KEKs still able to unwrap keys not yet rewrapped. */
  previousKeks?: readonly KeyEncryptionKey[];
  /** A data key is used for new entries at most this long. */
  maxKeyAgeMs: number;
  now?: () => number;
}

class NonceSequence {
  #prefix = randomBytes(8);
  #counter = 0;

  next(): Buffer {
    const nonce = Buffer.allocUnsafe(12);
    this.write(nonce, 0);
    return nonce;
  }

  readonly write = (target: Buffer, offset: number): void => {
    if (this.#counter === 0x1_0000_0000) {
      this.#prefix = randomBytes(8);
      this.#counter = 0;
    }
    this.#prefix.copy(target, offset);
    target.writeUInt32BE(this.#counter++, offset + 8);
  };
}

export class Keyring {
  readonly #store: LedgerStore;
  readonly #options: KeyringOptions;
  readonly #active = new Map<string, ActiveKey & { created: number }>();
  readonly #opened = new Map<string, KeyObject | null>();
  readonly #creating = new Map<string, Promise<ActiveKey>>();
  #rotatedAt: number | undefined;

  constructor(store: LedgerStore, options: KeyringOptions) {
    this.#store = store;
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** The key new entries of `subject` are sealed with; created (durably) on first use. */
  async keyFor(subject: string): Promise<ActiveKey> {
    const cached = this.#active.get(subject);
    if (cached !== undefined && this.#now() - cached.created < this.#options.maxKeyAgeMs && (this.#rotatedAt === undefined || cached.created >= this.#rotatedAt)) return cached;
    let pending = this.#creating.get(subject);
    if (pending === undefined) {
      pending = this.#createOrReuse(subject).finally(() => this.#creating.delete(subject));
      this.#creating.set(subject, pending);
    }
    return pending;
  }

  /** Synchronous fast path for callers that batch: the cached key when still usable. */
  cachedKeyFor(subject: string): ActiveKey | undefined {
    const cached = this.#active.get(subject);
    if (cached === undefined || this.#now() - cached.created >= this.#options.maxKeyAgeMs) return undefined;
    if (this.#rotatedAt !== undefined && cached.created < this.#rotatedAt) return undefined;
    return cached;
  }

  async #createOrReuse(subject: string): Promise<ActiveKey> {
    if (Buffer.byteLength(subject) > MAX_SUBJECT_BYTES || subject.length === 0) throw new LedgerError('usage', `a subject must be 1…${MAX_SUBJECT_BYTES} bytes`);
    this.#rotatedAt = await this.#store.rotatedAt();
    const now = this.#now();
    const usable = (await this.#store.subjectKeys(subject))
      .filter((r) => r.created >= this.#rotatedAt! && now - r.created < this.#options.maxKeyAgeMs)
      .sort((a, b) => b.created - a.created);
    for (const record of usable) {
      const key = await this.#unwrap(record);
      if (key !== undefined) return this.#activate(subject, record.id, key, record.created);
    }
    const id = randomBytes(16).toString('base64url');
    const material = randomBytes(32);
    const created = now;
    const wrapped = await this.#options.kek.wrap(material, id);
    await this.#store.putKey({ id, subject, kekId: this.#options.kek.id, wrapped, created });
    const key = createSecretKey(material);
    this.#opened.set(id, key);
    return this.#activate(subject, id, key, created);
  }

  #activate(subject: string, id: string, key: KeyObject, created: number): ActiveKey {
    const nonces = new NonceSequence();
    const active = { id, idBytes: keyIdBytes(id), key, created, nextNonce: () => nonces.next(), writeNonce: nonces.write };
    this.#active.set(subject, active);
    return active;
  }

  async #unwrap(record: DataKeyRecord): Promise<KeyObject | undefined> {
    const known = this.#opened.get(record.id);
    if (known !== undefined) return known ?? undefined;
    const kek = [this.#options.kek, ...(this.#options.previousKeks ?? [])].find((k) => k.id === record.kekId);
    if (kek === undefined) return undefined;
    const material = await kek.unwrap(record.wrapped, record.id);
    const key = createSecretKey(material);
    this.#opened.set(record.id, key);
    return key;
  }

  /** The key with this ID if the caller's KEKs can open it; `undefined` when erased or not ours. */
  async open(id: string): Promise<{ key: KeyObject; subject: string } | undefined> {
    const record = await this.#store.key(id);
    if (record === undefined) return undefined;
    try {
      const key = await this.#unwrap(record);
      return key === undefined ? undefined : { key, subject: record.subject };
    } catch (error) {
      if (error instanceof LedgerError && error.reason === 'key') return undefined;
      throw error;
    }
  }

  /** Crypto-shredding: every key of `subject` is deleted from the store and from memory. */
  async shred(subject: string): Promise<number> {
    const active = this.#active.get(subject);
    this.#active.delete(subject);
    const ids = (await this.#store.subjectKeys(subject)).map((r) => r.id);
    const deleted = await this.#store.deleteSubjectKeys(subject);
    for (const id of ids) this.#opened.delete(id);
    if (active !== undefined) this.#opened.delete(active.id);
    return deleted;
  }

  /** From now on every subject gets a fresh data key; old entries keep theirs. */
  async rotateDataKeys(): Promise<void> {
    const now = this.#now();
    await this.#store.setRotatedAt(now);
    this.#rotatedAt = now;
    this.#active.clear();
  }

  /** Rewraps every data key under `next` (KEK rotation); entries are untouched. */
  async rewrap(next: KeyEncryptionKey): Promise<number> {
    const records = await this.#store.keys();
    const rewrapped: DataKeyRecord[] = [];
    for (const record of records) {
      if (record.kekId === next.id) continue;
      const kek = [this.#options.kek, ...(this.#options.previousKeks ?? [])].find((k) => k.id === record.kekId);
      if (kek === undefined) throw new LedgerError('key', `data key ${record.id} is wrapped by ${record.kekId}, which was not given`);
      const material = await kek.unwrap(record.wrapped, record.id);
      rewrapped.push({ ...record, kekId: next.id, wrapped: await next.wrap(material, record.id) });
    }
    await this.#store.rewrapKeys(rewrapped);
    return rewrapped.length;
  }
}
