// The ledger: encrypts entries under per-subject data keys, appends them through a store with group
// commit (every append that arrives while a batch is being made durable joins the next batch), and
// issues signed checkpoints at a cadence and on demand. This is the programmatic API behind
// `bulwark ledger` and the audit receiver.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint, signCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import { CompactRange, foldRange } from './compact-range.ts';
import { defaultConfig, defaultOrigin, readConfig, resolveIn, writeNewConfig, CONFIG_FILE, DATABASE_URL_ENV, type LedgerConfig, type StoreConfig } from './config.ts';
import { decodeEntry, openEntry, EntrySealer } from './entry.ts';
import { LedgerError } from './errors.ts';
import { FileStore, DEFAULT_SEGMENT_BYTES } from './file-store.ts';
import { createKekFile, loadKekFile, type KeyEncryptionKey } from './kek.ts';
import { Keyring, type ActiveKey } from './keyring.ts';
import { generateSigner, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from './note.ts';
import { assembleFetched, consistencyPlan, inclusionPlan, planNodes } from './proof-plan.ts';
import type { ConsistencyProof, InclusionProof } from './proof-verify.ts';
import type { AppendResult, LedgerStore, TreeHead } from './store.ts';
import { frontierNodes, type NodeId } from './tree-math.ts';
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';

export interface AppendInput {
  /** Whose event this is (a user, a service account): its entries share a data key, erasable together. */
  subject: string;
  data: Uint8Array | string;
  /** Milliseconds since the epoch; defaults to now. */
  time?: number;
}

export interface AppendReceipt {
  /** Index of the first entry of the call. */
  first: number;
  count: number;
}

export type ReadStatus = 'ok' | 'erased' | 'sealed' | 'damaged';

export interface ReadEntry {
  index: number;
  time: number;
  keyId: string;
  /** 'erased': the data key was shredded; 'sealed': the caller's KEKs cannot open it; 'damaged': it does not decrypt. */
  status: ReadStatus;
  subject?: string;
  data?: Buffer;
}

export interface InitOptions {
  dir: string;
  origin?: string;
  store?: 'file' | 'postgres';
  schema?: string;
  databaseUrl?: string;
  durability?: 'fsync' | 'os';
  checkpointEveryEntries?: number;
  checkpointEveryMs?: number;
}

export interface OpenOptions {
  dir: string;
  readOnly?: boolean;
  /** PostgreSQL connection URL (default: $BULWARK_LEDGER_DATABASE_URL). */
  databaseUrl?: string;
  /** KEK files to use instead of the configured ones (the first wraps new keys). */
  kekFiles?: string[];
  /** Overrides of ledger.json, e.g. for tests and benchmarks. */
  durability?: 'fsync' | 'os';
  segmentBytes?: number;
  checkpointEveryEntries?: number;
  checkpointEveryMs?: number;
  /** Issue a checkpoint on close when entries were added since the last (default true). */
  checkpointOnClose?: boolean;
  now?: () => number;
}

/** Batches are bounded so one huge burst does not hold every caller until a giant write completes. */
const MAX_BATCH_ENTRIES = 8192;
const MAX_BATCH_BYTES = 16 << 20;

interface Pending {
  /** Set once sealed; until then `ready` settles when sealing ends. */
  leaves?: Buffer[];
  ready?: Promise<void>;
  failed?: unknown;
  bytes: number;
  resolve: (receipt: AppendReceipt) => void;
  reject: (error: unknown) => void;
}

export async function initLedger(options: InitOptions): Promise<LedgerConfig> {
  const origin = options.origin ?? defaultOrigin();
  const { signerKey, verifierKey } = generateSigner(origin);
  const store: StoreConfig =
    options.store === 'postgres'
      ? { kind: 'postgres', schema: options.schema ?? 'bulwark_ledger' }
      : { kind: 'file', durability: options.durability ?? 'fsync', segmentBytes: DEFAULT_SEGMENT_BYTES };
  const config = defaultConfig(origin, verifierKey, store);
  if (options.checkpointEveryEntries !== undefined) config.checkpoint.everyEntries = options.checkpointEveryEntries;
  if (options.checkpointEveryMs !== undefined) config.checkpoint.everyMs = options.checkpointEveryMs;
  // Checked before anything is written: a half-made ledger would refuse the corrected retry.
  if (store.kind === 'postgres' && !(options.databaseUrl ?? process.env[DATABASE_URL_ENV])) {
    throw new LedgerError('config', `a ledger in PostgreSQL needs its URL: give --database-url or set ${DATABASE_URL_ENV}`);
  }
  writeNewConfig(options.dir, config);
  const created = [CONFIG_FILE, config.signerKeyFile, 'log.pub', config.kekFile].map((file) => join(options.dir, file));
  try {
    writeFileSync(created[1]!, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(created[2]!, `${verifierKey}\n`, { flag: 'wx' });
    createKekFile(created[3]!);
    const store0 = await openStore(options.dir, config, { dir: options.dir, databaseUrl: options.databaseUrl }, false);
    await store0.close();
  } catch (error) {
    // Same reason: an unreachable database or a full disk must not leave a ledger.json behind.
    for (const file of created) rmSync(file, { force: true });
    throw error;
  }
  return config;
}

async function openStore(dir: string, config: LedgerConfig, options: OpenOptions, readOnly: boolean): Promise<LedgerStore> {
  if (config.store.kind === 'file') {
    return FileStore.open({
      dir,
      readOnly,
      durability: options.durability ?? config.store.durability,
      segmentBytes: options.segmentBytes ?? config.store.segmentBytes,
    });
  }
  const url = options.databaseUrl ?? process.env[DATABASE_URL_ENV];
  if (!url) throw new LedgerError('config', `this ledger lives in PostgreSQL: give --database-url or set ${DATABASE_URL_ENV}`);
  const { PostgresStore } = await import('./postgres-store.ts');
  return PostgresStore.open({ url, schema: config.store.schema, origin: config.origin });
}

export async function openLedger(options: OpenOptions): Promise<Ledger> {
  const config = readConfig(options.dir);
  const readOnly = options.readOnly ?? false;
  const verifier = parseVerifierKey(config.verifierKey);
  if (verifier.name !== config.origin) throw new LedgerError('config', `the verifier key is for "${verifier.name}", not this log's origin "${config.origin}"`);
  let signer: NoteSigner | undefined;
  if (!readOnly) {
    const signerPath = resolveIn(options.dir, config.signerKeyFile);
    let text: string;
    try {
      text = readFileSync(signerPath, 'utf8');
    } catch (error) {
      throw new LedgerError('key', `cannot read the log's signing key ${signerPath}: ${(error as Error).message}`, { cause: error });
    }
    signer = parseSignerKey(text);
    if (signer.keyId !== verifier.keyId || signer.name !== verifier.name) throw new LedgerError('key', `${signerPath} does not match the log's verifier key`);
  }
  const kekFiles = options.kekFiles ?? [config.kekFile, ...config.previousKekFiles];
  const keks = kekFiles.flatMap((file) => {
    try {
      return [loadKekFile(resolveIn(options.dir, file))];
    } catch (error) {
      // A reader may hold none of the configured keys: it still verifies and reads what it can. Keys
      // the caller named explicitly must load.
      if (readOnly && options.kekFiles === undefined) return [];
      throw error;
    }
  });
  const store = await openStore(options.dir, config, options, readOnly);
  return new Ledger(config, store, verifier, signer, keks, options);
}

export class Ledger {
  readonly config: LedgerConfig;
  readonly store: LedgerStore;
  readonly verifier: NoteVerifier;
  readonly #signer: NoteSigner | undefined;
  readonly #keyring: Keyring | undefined;
  readonly #keks: KeyEncryptionKey[];
  readonly #options: OpenOptions;
  readonly #sealer: EntrySealer;
  readonly #queue: Pending[] = [];
  #draining: Promise<void> | undefined;
  #lastCheckpointSize = -1;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: LedgerConfig, store: LedgerStore, verifier: NoteVerifier, signer: NoteSigner | undefined, keks: KeyEncryptionKey[], options: OpenOptions) {
    this.config = config;
    this.store = store;
    this.verifier = verifier;
    this.#signer = signer;
    this.#keks = keks;
    this.#options = options;
    this.#sealer = new EntrySealer(config.origin);
    const [kek, ...previousKeks] = keks;
    this.#keyring = kek === undefined ? undefined : new Keyring(store, { kek, previousKeks, maxKeyAgeMs: config.dataKeyMaxAgeDays * 86_400_000, now: options.now });
    const everyMs = options.checkpointEveryMs ?? config.checkpoint.everyMs;
    if (signer !== undefined && everyMs > 0) {
      this.#timer = setInterval(() => void this.#checkpointIfGrown().catch(() => undefined), everyMs);
      this.#timer.unref();
    }
  }

  get origin(): string {
    return this.config.origin;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** Appends one entry; resolves once it is durable. */
  append(input: AppendInput): Promise<AppendReceipt> {
    return this.appendBatch([input]);
  }

  /**
   * Appends entries as one unit of the group commit; resolves once all are durable. Calls are
   * appended in the order they were made, even when one waits for a new subject's data key.
   */
  appendBatch(inputs: readonly AppendInput[]): Promise<AppendReceipt> {
    if (this.#closed) return Promise.reject(new LedgerError('usage', 'the ledger is closed'));
    if (this.#signer === undefined || this.#keyring === undefined) return Promise.reject(new LedgerError('usage', 'this ledger was opened read-only'));
    let pending!: Pending;
    const receipt = new Promise<AppendReceipt>((resolve, reject) => {
      pending = { bytes: 0, resolve, reject };
    });
    const done = (leaves: Buffer[]): void => {
      let bytes = 0;
      for (let i = 0; i < leaves.length; i++) bytes += leaves[i]!.length;
      pending.leaves = leaves;
      pending.bytes = bytes;
    };
    try {
      const keys = this.#cachedKeys(inputs);
      if (keys !== undefined) done(this.#seal(inputs, keys));
      else pending.ready = this.#fetchKeys(inputs).then((fetched) => done(this.#seal(inputs, fetched)), (error: unknown) => void (pending.failed = error ?? new Error('failed')));
    } catch (error) {
      pending.failed = error;
    }
    this.#queue.push(pending);
    this.#kick();
    return receipt;
  }

  #cachedKeys(inputs: readonly AppendInput[]): Map<string, ActiveKey> | undefined {
    const keys = new Map<string, ActiveKey>();
    for (const input of inputs) {
      if (keys.has(input.subject)) continue;
      const key = this.#keyring!.cachedKeyFor(input.subject);
      if (key === undefined) return undefined;
      keys.set(input.subject, key);
    }
    return keys;
  }

  async #fetchKeys(inputs: readonly AppendInput[]): Promise<Map<string, ActiveKey>> {
    const keys = new Map<string, ActiveKey>();
    for (const input of inputs) if (!keys.has(input.subject)) keys.set(input.subject, await this.#keyring!.keyFor(input.subject));
    return keys;
  }

  #seal(inputs: readonly AppendInput[], keys: Map<string, ActiveKey>): Buffer[] {
    const now = this.#now();
    const leaves = new Array<Buffer>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      leaves[i] = this.#sealer.seal(input.time ?? now, keys.get(input.subject)!, input.data);
    }
    return leaves;
  }

  #kick(): void {
    if (this.#draining !== undefined) return;
    // Started on the next turn so a burst of synchronous append calls lands in one batch.
    this.#draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
        if (this.#queue.length > 0) this.#kick();
      });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.leaves === undefined && head.failed === undefined) await head.ready;
      const group: Pending[] = [];
      let entries = 0;
      let bytes = 0;
      while (this.#queue.length > 0) {
        const next = this.#queue[0]!;
        if (next.failed !== undefined) {
          this.#queue.shift();
          next.reject(next.failed);
          continue;
        }
        if (next.leaves === undefined) break;
        if (group.length > 0 && (entries + next.leaves.length > MAX_BATCH_ENTRIES || bytes + next.bytes > MAX_BATCH_BYTES)) break;
        this.#queue.shift();
        group.push(next);
        entries += next.leaves.length;
        bytes += next.bytes;
      }
      if (group.length === 0) continue;
      let result: AppendResult;
      try {
        result = await this.store.append(group.length === 1 ? group[0]!.leaves! : group.flatMap((p) => p.leaves!));
      } catch (error) {
        for (const pending of group) pending.reject(error);
        continue;
      }
      let first = result.first;
      for (const pending of group) {
        pending.resolve({ first, count: pending.leaves!.length });
        first += pending.leaves!.length;
      }
      const every = this.#options.checkpointEveryEntries ?? this.config.checkpoint.everyEntries;
      if (this.#lastCheckpointSize < 0) this.#lastCheckpointSize = (await this.latestCheckpoint())?.size ?? 0;
      if (result.size - this.#lastCheckpointSize >= every) await this.#issue(result).catch(() => undefined);
    }
  }

  /** Resolves when every append made so far is durable. */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async head(): Promise<TreeHead> {
    return this.store.head();
  }

  async #issue(head: TreeHead): Promise<SignedCheckpoint> {
    if (this.#signer === undefined) throw new LedgerError('usage', 'this ledger was opened read-only: it cannot sign checkpoints');
    const checkpoint = signCheckpoint({ origin: this.config.origin, size: head.size, root: head.root, extensions: [] }, this.#signer);
    await this.store.addCheckpoint(checkpoint.note, checkpoint.size);
    this.#lastCheckpointSize = Math.max(this.#lastCheckpointSize, head.size);
    return checkpoint;
  }

  /** Signs a checkpoint of everything committed so far. */
  async checkpoint(): Promise<SignedCheckpoint> {
    await this.flush();
    return this.#issue(await this.store.head());
  }

  async #checkpointIfGrown(): Promise<void> {
    const head = await this.store.head();
    if (this.#lastCheckpointSize < 0) this.#lastCheckpointSize = (await this.latestCheckpoint())?.size ?? 0;
    if (head.size > this.#lastCheckpointSize) await this.#issue(head);
  }

  /** Every checkpoint the log issued, signatures verified, oldest first. */
  async checkpoints(): Promise<SignedCheckpoint[]> {
    const notes = await this.store.checkpoints();
    return notes.map((note, i) => openCheckpoint(note, this.verifier, this.config.origin, `checkpoint #${i + 1}`));
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | undefined> {
    let best: SignedCheckpoint | undefined;
    for (const checkpoint of await this.checkpoints()) if (best === undefined || checkpoint.size >= best.size) best = checkpoint;
    return best;
  }

  /** Root of the tree at an earlier (or the current) size, from stored nodes. */
  async rootAt(size: number): Promise<Buffer> {
    const head = await this.store.head();
    if (size > head.size) throw new LedgerError('usage', `the log has ${head.size} entries, not ${size}`);
    if (size === head.size) return head.root;
    return foldRange(await this.store.nodes(frontierNodes(size)));
  }

  async #assemble(plan: NodeId[][]): Promise<Buffer[]> {
    const ids = planNodes(plan);
    return assembleFetched(plan, ids, await this.store.nodes(ids));
  }

  async proveInclusion(index: number, size?: number): Promise<InclusionProof> {
    const treeSize = size ?? (await this.store.head()).size;
    const plan = inclusionPlan(index, treeSize);
    const [proof, [leafHash], root] = await Promise.all([this.#assemble(plan), this.store.nodes([{ level: 0, index }]), this.rootAt(treeSize)]);
    return { leafIdx: BigInt(index), treeSize: BigInt(treeSize), root, leafHash: leafHash!, proof };
  }

  async proveConsistency(size1: number, size2?: number): Promise<ConsistencyProof> {
    const to = size2 ?? (await this.store.head()).size;
    const plan = consistencyPlan(size1, to);
    const [proof, root1, root2] = await Promise.all([this.#assemble(plan), this.rootAt(size1), this.rootAt(to)]);
    return { size1: BigInt(size1), size2: BigInt(to), root1, root2, proof };
  }

  /** Entries [from, to), decrypted where the caller's keys allow. */
  async *read(options: { from?: number; to?: number } = {}): AsyncIterable<ReadEntry> {
    const head = await this.store.head();
    const from = options.from ?? 0;
    const to = Math.min(options.to ?? head.size, head.size);
    const keyCache = new Map<string, { key: KeyObject; subject: string } | 'sealed' | 'erased'>();
    for await (const batch of this.store.readLeaves(from, to)) for (const { index, leaf } of batch) {
      const entry = decodeEntry(leaf);
      let opened = keyCache.get(entry.keyId);
      if (opened === undefined) {
        opened = (await this.#keyring?.open(entry.keyId)) ?? ((await this.store.key(entry.keyId)) === undefined ? 'erased' : 'sealed');
        keyCache.set(entry.keyId, opened);
      }
      const base = { index, time: entry.time, keyId: entry.keyId };
      if (typeof opened === 'string') {
        yield { ...base, status: opened };
        continue;
      }
      const data = openEntry(this.config.origin, entry, opened.key);
      yield data === undefined ? { ...base, subject: opened.subject, status: 'damaged' } : { ...base, subject: opened.subject, status: 'ok', data };
    }
  }

  /** Crypto-shredding: erases every data key of `subject`; its entries stay, unreadable, and still verify. */
  async shred(subject: string): Promise<number> {
    if (this.#keyring === undefined || this.#signer === undefined) throw new LedgerError('usage', 'shredding needs the ledger open for writing');
    await this.flush();
    return this.#keyring.shred(subject);
  }

  async rotateDataKeys(): Promise<void> {
    if (this.#keyring === undefined || this.#signer === undefined) throw new LedgerError('usage', 'key rotation needs the ledger open for writing');
    await this.#keyring.rotateDataKeys();
  }

  /** Rewraps every data key under `next`; the caller then points ledger.json at the new KEK file. */
  async rewrapDataKeys(next: KeyEncryptionKey): Promise<number> {
    if (this.#keyring === undefined || this.#signer === undefined) throw new LedgerError('usage', 'KEK rotation needs the ledger open for writing');
    return this.#keyring.rewrap(next);
  }

  get keks(): readonly KeyEncryptionKey[] {
    return this.#keks;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    try {
      await this.flush();
      if (this.#signer !== undefined && (this.#options.checkpointOnClose ?? true)) await this.#checkpointIfGrown();
    } finally {
      await this.store.close();
    }
  }
}

export { CompactRange };
