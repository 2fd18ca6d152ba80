// The embedded store: a directory of segment files (see segment.ts), the tree of hashes (see
// tree-files.ts), the wrapped data keys (keys.jsonl) and the issued checkpoints (checkpoints.log).
// One writer process at a time (a lock file naming its pid); any number of readers, which see what
// the writer has committed.
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompactRange } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { atomicWrite, syncDirectory } from './fs-util.ts';
import { hashBytes, leafHashText, leafHashTextInPlace, type HashText } from './hash.ts';
import { batchBytes, ChunkBuffers, committedSizeAfter, encodeBatch, encodeSegmentHeader, scanSegmentEnd, SegmentReader, SEGMENT_HEADER_BYTES, type ScanEnd } from './segment.ts';
import type { AppendResult, DataKeyRecord, LedgerStore, StoredLeaf, TreeHead } from './store.ts';
import { LevelRuns, TreeFiles } from './tree-files.ts';
import { frontierNodes, type NodeId } from './tree-math.ts';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

export type Durability = 'fsync' | 'os';

export interface FileStoreOptions {
  dir: string;
  readOnly?: boolean;
  /**
   * 'fsync' (default): an append resolves once its batch is on stable storage (survives power loss).
   * 'os': once the OS has the bytes (survives the process being killed, not a power cut).
   */
  durability?: Durability;
  /** A new segment file is started past this size. */
  segmentBytes?: number;
}

export const DEFAULT_SEGMENT_BYTES = 128 << 20;

interface Segment {
  first: number;
  path: string;
}

/** What opening found and did, for `verify` and logs. */
export interface OpenReport {
  /** Bytes of torn tail cut from the last segment (unacknowledged data). */
  repairedBytes: number;
  /** Leaves whose tree nodes were recomputed from the segments. */
  rebuiltLeaves: number;
}

export class FileStore implements LedgerStore {
  readonly kind = 'file';
  readonly dir: string;
  readonly readOnly: boolean;
  readonly openReport: OpenReport = { repairedBytes: 0, rebuiltLeaves: 0 };
  readonly #durability: Durability;
  readonly #segmentBytes: number;
  readonly #tree: TreeFiles;
  /** Nodes a read-only handle computed itself because the tree files were behind. */
  readonly #overlay = new Map<string, Buffer>();
  #range = new CompactRange();
  #segments: Segment[] = [];
  #fd: number | undefined;
  #offset = 0;
  #batchBuffer = Buffer.alloc(0);
  #keys = new Map<string, DataKeyRecord>();
  #rotatedAt = 0;
  #keysFd: number | undefined;
  #checkpointsFd: number | undefined;
  #failed: Error | undefined;
  #closed = false;
  #locked = false;

  private constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.readOnly = options.readOnly ?? false;
    this.#durability = options.durability ?? 'fsync';
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#tree = new TreeFiles(join(this.dir, 'tree'), this.readOnly);
  }

  static async open(options: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    try {
      store.#open();
    } catch (error) {
      store.#release();
      throw error;
    }
    return store;
  }

  #open(): void {
    if (!existsSync(join(this.dir, 'segments'))) {
      if (this.readOnly) throw new LedgerError('config', `${this.dir} holds no ledger segments (run bulwark ledger init)`);
      mkdirSync(join(this.dir, 'segments'), { recursive: true });
    }
    if (!this.readOnly) {
      mkdirSync(join(this.dir, 'tree'), { recursive: true });
      acquireLock(join(this.dir, 'lock'));
      this.#locked = true;
    }
    this.#segments = listSegments(join(this.dir, 'segments'));
    let size = 0;
    const last = this.#segments.at(-1);
    if (last !== undefined) {
      const end = scanSegmentEnd(last.path, last.first);
      size = end.committedSize;
      const later = end.problem === undefined ? 0 : committedSizeAfter(last.path, end.problem.offset);
      if (later > size) {
        // Damage inside acknowledged data. A reader still sees the whole log (reading it raises the
        // damage where it is); a writer must not append after it.
        if (!this.readOnly) {
          throw new LedgerError('corrupt', `${end.problem!.message} (at byte ${end.problem!.offset}), inside acknowledged data; refusing to append. Run bulwark ledger verify`, {
            location: { file: last.path },
          });
        }
        size = later;
      } else if (!this.readOnly) this.#repairTail(last, end);
    }
    if (!this.readOnly && this.#segments.length === 0) this.#newSegment(0);
    if (!this.readOnly) {
      const tail = this.#segments.at(-1)!;
      this.#fd = openSync(tail.path, 'r+');
      this.#offset = fstatSync(this.#fd).size;
    }
    this.#loadTree(size);
    this.#loadKeys();
    if (!this.readOnly) {
      this.#checkpointsFd = openSync(join(this.dir, 'checkpoints.log'), 'a', 0o644);
      this.#tree.markDirty();
    }
  }

  #repairTail(last: Segment, end: ScanEnd): void {
    if (end.committedEnd === end.fileSize) return;
    // Everything after the last commit marker was never acknowledged: cut it.
    const fd = openSync(last.path, 'r+');
    try {
      if (end.committedEnd < SEGMENT_HEADER_BYTES || end.problem?.offset === 0) {
        // A segment whose header never made it to disk holds nothing: start it again.
        ftruncateSync(fd, 0);
        writeSync(fd, encodeSegmentHeader(last.first), 0, SEGMENT_HEADER_BYTES, 0);
      } else {
        ftruncateSync(fd, end.committedEnd);
      }
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.openReport.repairedBytes = end.fileSize - Math.max(end.committedEnd, SEGMENT_HEADER_BYTES);
  }

  #loadTree(size: number): void {
    const leafCount = this.#tree.leafCount();
    const clean = this.#tree.cleanSize();
    const writerAlive = this.readOnly && lockHolderAlive(join(this.dir, 'lock'));
    let trusted: number;
    if ((clean === size || writerAlive) && leafCount >= size) trusted = size;
    else trusted = Math.min(writerAlive ? leafCount : this.#tree.syncedSize(), size, leafCount);
    if (!this.readOnly) this.#tree.truncate(trusted);
    const frontier = frontierNodes(trusted).map((id) => this.#tree.node(id));
    this.#range = new CompactRange(trusted, frontier);
    if (trusted === size) return;
    // Recompute the nodes past what the tree files can be trusted for.
    let runs = new LevelRuns();
    let pending = 0;
    const sink = this.readOnly ? (level: number, index: number, hash: HashText): void => void this.#overlay.set(`${level}/${index}`, hashBytes(hash)) : runs.add;
    const range = this.#range;
    this.#scan(trusted, size, (reader) => {
      range.appendText(leafHashTextInPlace(reader.chunk, reader.start, reader.end), this.readOnly ? sink : runs.add);
      if (!this.readOnly && ++pending >= 65536) {
        this.#tree.writeRuns(runs);
        runs = new LevelRuns();
        pending = 0;
      }
    });
    if (!this.readOnly) this.#tree.writeRuns(runs);
    this.openReport.rebuiltLeaves = size - trusted;
  }

  #newSegment(first: number): void {
    const path = join(this.dir, 'segments', `${String(first).padStart(20, '0')}.seg`);
    const fd = openSync(path, 'wx', 0o644);
    try {
      writeSync(fd, encodeSegmentHeader(first));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    syncDirectory(join(this.dir, 'segments'));
    this.#segments.push({ first, path });
  }

  async head(): Promise<TreeHead> {
    // The root is cached by the range until the next append.
    return { size: this.#range.size, root: this.#range.root() };
  }

  async append(leaves: readonly Buffer[]): Promise<AppendResult> {
    if (this.readOnly) throw new LedgerError('usage', 'this ledger was opened read-only');
    if (this.#failed) throw new LedgerError('io', `an earlier write failed (${this.#failed.message}); reopen the ledger`, { cause: this.#failed });
    if (leaves.length === 0) return { first: this.#range.size, ...(await this.head()) };
    const first = this.#range.size;
    try {
      const range = this.#range.clone();
      const runs = new LevelRuns();
      for (let i = 0; i < leaves.length; i++) range.appendText(leafHashText(leaves[i]!), runs.add);
      const needed = batchBytes(leaves);
      if (this.#batchBuffer.length < needed) this.#batchBuffer = Buffer.allocUnsafe(Math.max(needed, this.#batchBuffer.length * 2));
      // Appends are serialised by the caller and the write completes before this returns, so the
      // buffer is free again for the next batch.
      const batch = encodeBatch(leaves, first + leaves.length, this.#batchBuffer);
      if (this.#offset > SEGMENT_HEADER_BYTES && this.#offset + batch.length > this.#segmentBytes) {
        closeSync(this.#fd!);
        this.#fd = undefined;
        this.#newSegment(first);
        this.#fd = openSync(this.#segments.at(-1)!.path, 'r+');
        this.#offset = SEGMENT_HEADER_BYTES;
      }
      let written = 0;
      while (written < batch.length) written += (await writeAsync(this.#fd!, batch, written, batch.length - written, this.#offset + written)).bytesWritten;
      if (this.#durability === 'fsync') await fdatasyncAsync(this.#fd!);
      this.#offset += batch.length;
      this.#tree.writeRuns(runs);
      this.#range = range;
      return { first, size: range.size, root: range.root() };
    } catch (error) {
      this.#failed = error as Error;
      throw error instanceof LedgerError ? error : new LedgerError('io', `cannot append to ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  #scan(from: number, to: number, visit: (reader: SegmentReader) => void): void {
    for (const reader of this.#entries(from, to)) visit(reader);
  }

  /**
   * Entries [from, to) in order, each as the segment cursor positioned on it (the same object every
   * time: the entry is `reader.chunk[start, end)`, valid until the reader has moved two chunks on,
   * since chunk buffers are reused); damage, gaps and a short log raise `corrupt` naming the file.
   */
  *#entries(from: number, to: number): Generator<SegmentReader> {
    if (from >= to) return;
    const segments = this.#segments.length > 0 ? this.#segments : listSegments(join(this.dir, 'segments'));
    let start = segments.findLastIndex((s) => s.first <= from);
    if (start < 0) throw new LedgerError('corrupt', `no segment holds entry ${from}: the first segment starts at ${segments[0]?.first ?? 'nothing'}`);
    let next = segments[start]!.first;
    const chunks = new ChunkBuffers();
    for (; start < segments.length && next < to; start++) {
      const segment = segments[start]!;
      if (segment.first !== next) {
        throw new LedgerError('corrupt', `entries ${next}…${segment.first - 1} are missing: the segment after entry ${next - 1} starts at ${segment.first}`, { location: { file: segment.path } });
      }
      const reader = new SegmentReader(segment.path, segment.first, { chunks });
      try {
        let ended = true;
        while (reader.next()) {
          if (reader.kind !== 'entry') continue;
          if (reader.index >= to) {
            ended = false;
            next = to;
            break;
          }
          if (reader.index >= from) yield reader;
        }
        if (ended) {
          const end = reader.result();
          if (end.problem !== undefined && end.committedSize < to) {
            throw new LedgerError('corrupt', `${end.problem.message} (at byte ${end.problem.offset})`, { location: { file: segment.path } });
          }
          if (start < segments.length - 1 && end.committedEnd !== end.fileSize) {
            throw new LedgerError('corrupt', `data after the last commit marker of a closed segment (at byte ${end.committedEnd})`, { location: { file: segment.path } });
          }
          next = end.committedSize;
        }
      } finally {
        reader.close();
      }
    }
    if (next < to) throw new LedgerError('corrupt', `the log ends at entry ${next}, before ${to}: entries were removed from the end`);
  }

  async *readLeaves(from: number, to: number): AsyncIterable<StoredLeaf[]> {
    // A batch never spans two chunks, and is handed over once the cursor entered the next one: its
    // leaves, views of a reused chunk buffer, stay valid until the next batch is asked for (the
    // store contract).
    let batch: StoredLeaf[] = [];
    let generation = -1;
    let reader: SegmentReader | undefined;
    for (const current of this.#entries(from, to)) {
      if (batch.length > 0 && (current !== reader || current.generation !== generation || batch.length === 4096)) {
        yield batch;
        batch = [];
      }
      reader = current;
      generation = current.generation;
      batch.push({ index: current.index, leaf: current.leaf });
    }
    if (batch.length > 0) yield batch;
  }

  async nodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    if (this.#overlay.size === 0) return this.#tree.nodes(ids);
    return ids.map((id) => this.#overlay.get(`${id.level}/${id.index}`) ?? this.#tree.node(id));
  }

  // --- checkpoints -------------------------------------------------------------------------------

  async checkpoints(): Promise<string[]> {
    let text: string;
    try {
      text = readFileSync(join(this.dir, 'checkpoints.log'), 'utf8');
    } catch {
      return [];
    }
    // Records are "<byte length>\n<note>"; a torn last record (crash while appending) ends the list.
    const notes: string[] = [];
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      const newline = bytes.indexOf(0x0a, offset);
      if (newline < 0 || newline - offset > 10) break;
      const length = Number(bytes.toString('ascii', offset, newline));
      if (!Number.isSafeInteger(length) || newline + 1 + length > bytes.length) break;
      notes.push(bytes.toString('utf8', newline + 1, newline + 1 + length));
      offset = newline + 1 + length;
    }
    return notes;
  }

  async addCheckpoint(note: string, size: number): Promise<void> {
    if (this.readOnly) throw new LedgerError('usage', 'this ledger was opened read-only');
    // The tree files become durable first, so the nodes behind every signed root survive a crash.
    this.#tree.sync(this.#range.size);
    const bytes = Buffer.from(note, 'utf8');
    const record = Buffer.concat([Buffer.from(`${bytes.length}\n`), bytes]);
    writeSync(this.#checkpointsFd!, record);
    fdatasyncSync(this.#checkpointsFd!);
    atomicWrite(join(this.dir, 'checkpoint'), note);
    void size;
  }

  // --- data keys ---------------------------------------------------------------------------------

  #keysPath(): string {
    return join(this.dir, 'keys.jsonl');
  }

  #loadKeys(): void {
    this.#keys.clear();
    this.#rotatedAt = 0;
    let text = '';
    try {
      text = readFileSync(this.#keysPath(), 'utf8');
    } catch {
      /* no keys yet */
    }
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      let record: { op?: string; id?: string; subject?: string; kek?: string; wrapped?: string; created?: number; at?: number };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        break; // a torn last line: the key was never acknowledged
      }
      if (record.op === 'rotate' && typeof record.at === 'number') this.#rotatedAt = Math.max(this.#rotatedAt, record.at);
      else if (record.op === 'key' && record.id && record.subject !== undefined && record.kek && record.wrapped && typeof record.created === 'number') {
        this.#keys.set(record.id, { id: record.id, subject: record.subject, kekId: record.kek, wrapped: Buffer.from(record.wrapped, 'base64'), created: record.created });
      }
    }
  }

  #keyLine(record: DataKeyRecord): string {
    return `${JSON.stringify({ op: 'key', id: record.id, subject: record.subject, kek: record.kekId, wrapped: record.wrapped.toString('base64'), created: record.created })}\n`;
  }

  #appendKeyLine(line: string): void {
    if (this.readOnly) throw new LedgerError('usage', 'this ledger was opened read-only');
    this.#keysFd ??= openSync(this.#keysPath(), 'a', 0o600);
    writeSync(this.#keysFd, line);
    fdatasyncSync(this.#keysFd);
  }

  #rewriteKeys(): void {
    if (this.readOnly) throw new LedgerError('usage', 'this ledger was opened read-only');
    if (this.#keysFd !== undefined) closeSync(this.#keysFd);
    this.#keysFd = undefined;
    const lines = [...this.#keys.values()].map((r) => this.#keyLine(r));
    if (this.#rotatedAt > 0) lines.push(`${JSON.stringify({ op: 'rotate', at: this.#rotatedAt })}\n`);
    // A new file replaces the old one: erased keys are not left behind in it.
    atomicWrite(this.#keysPath(), lines.join(''), 0o600);
  }

  async keys(): Promise<DataKeyRecord[]> {
    if (this.readOnly) this.#loadKeys();
    return [...this.#keys.values()];
  }

  async key(id: string): Promise<DataKeyRecord | undefined> {
    if (this.readOnly && !this.#keys.has(id)) this.#loadKeys();
    return this.#keys.get(id);
  }

  async subjectKeys(subject: string): Promise<DataKeyRecord[]> {
    return [...this.#keys.values()].filter((r) => r.subject === subject);
  }

  async putKey(record: DataKeyRecord): Promise<void> {
    this.#appendKeyLine(this.#keyLine(record));
    this.#keys.set(record.id, record);
  }

  async deleteSubjectKeys(subject: string): Promise<number> {
    const doomed = [...this.#keys.values()].filter((r) => r.subject === subject);
    for (const r of doomed) this.#keys.delete(r.id);
    this.#rewriteKeys();
    return doomed.length;
  }

  async rewrapKeys(records: readonly DataKeyRecord[]): Promise<void> {
    for (const r of records) this.#keys.set(r.id, r);
    this.#rewriteKeys();
  }

  async rotatedAt(): Promise<number> {
    return this.#rotatedAt;
  }

  async setRotatedAt(time: number): Promise<void> {
    this.#appendKeyLine(`${JSON.stringify({ op: 'rotate', at: time })}\n`);
    this.#rotatedAt = time;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (!this.readOnly && this.#failed === undefined) this.#tree.markClean(this.#range.size);
    } finally {
      this.#release();
    }
  }

  #release(): void {
    for (const fd of [this.#fd, this.#keysFd, this.#checkpointsFd]) if (fd !== undefined) closeSync(fd);
    this.#fd = this.#keysFd = this.#checkpointsFd = undefined;
    this.#tree.close();
    if (this.#locked) releaseLock(join(this.dir, 'lock'));
    this.#locked = false;
  }
}

function listSegments(dir: string): Segment[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d{20}\.seg$/.test(name))
    .map((name) => ({ first: Number(name.slice(0, 20)), path: join(dir, name) }))
    .sort((a, b) => a.first - b.first);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockHolderAlive(path: string): boolean {
  const pid = lockHolder(path);
  return pid !== undefined && pidAlive(pid);
}

function acquireLock(path: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new LedgerError('io', `cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
      const pid = lockHolder(path);
      if (pid === process.pid) throw new LedgerError('locked', `the ledger is already open for writing in this process (${path})`);
      if (pid !== undefined && pidAlive(pid)) throw new LedgerError('locked', `the ledger is open for writing by process ${pid} (${path})`);
      // The holder died without releasing it (kill -9, power loss): take it over.
      unlinkSync(path);
    }
  }
  throw new LedgerError('locked', `cannot take the ledger lock ${path}`);
}

function releaseLock(path: string): void {
  if (lockHolder(path) === process.pid) unlinkSync(path);
}
