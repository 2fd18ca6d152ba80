// What the ledger needs from a storage backend. Two implement it: the embedded file-segment store
// (one writer process, group-committed fsync) and PostgreSQL (several writers, the sequence assigned
// inside a transaction). One contract test suite runs against both.
import type { NodeId } from './tree-math.ts';

export interface TreeHead {
  size: number;
  root: Buffer;
}

export interface AppendResult extends TreeHead {
  /** Index of the first appended entry. */
  first: number;
}

export interface DataKeyRecord {
  id: string;
  subject: string;
  kekId: string;
  wrapped: Buffer;
  /** Milliseconds since the epoch. */
  created: number;
}

export interface StoredLeaf {
  index: number;
  leaf: Buffer;
}

export interface LedgerStore {
  readonly kind: 'file' | 'postgres';
  /** The committed size and root. */
  head(): Promise<TreeHead>;
  /**
   * Appends encoded entries in order, durably: when the promise resolves the entries survive a crash.
   * Calls from one process are serialised by the caller; the store serialises writers across processes.
   */
  append(leaves: readonly Buffer[]): Promise<AppendResult>;
  /**
   * Entries [from, to) in order, a batch at a time (per-entry async iteration would cost more than
   * hashing the entry); a damaged record raises a LedgerError with reason 'corrupt'. A batch's
   * leaves may be views of a buffer the store reuses: valid until the next batch is asked for.
   */
  readLeaves(from: number, to: number): AsyncIterable<StoredLeaf[]>;
  /** Stored hashes of complete perfect subtrees (a node of level 0 is a leaf hash). */
  nodes(ids: readonly NodeId[]): Promise<Buffer[]>;

  /** Every checkpoint issued, oldest first, as signed notes. */
  checkpoints(): Promise<string[]>;
  addCheckpoint(note: string, size: number): Promise<void>;

  keys(): Promise<DataKeyRecord[]>;
  key(id: string): Promise<DataKeyRecord | undefined>;
  subjectKeys(subject: string): Promise<DataKeyRecord[]>;
  /** Durable when it resolves: entries sealed with this key may follow. */
  putKey(record: DataKeyRecord): Promise<void>;
  /** Erases every data key of a subject (crypto-shredding); returns how many. */
  deleteSubjectKeys(subject: string): Promise<number>;
  /** Replaces wrapped keys (KEK rotation): same IDs, new wrapping. */
  rewrapKeys(records: readonly DataKeyRecord[]): Promise<void>;
  /** Keys created before this time are no longer used for new entries. */
  rotatedAt(): Promise<number>;
  setRotatedAt(time: number): Promise<void>;

  close(): Promise<void>;
}
