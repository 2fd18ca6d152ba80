// Segment files of the file store. A segment starts with a 20-byte header, then records:
//   header  "BWLSEG01" ‖ index of its first entry u64 BE ‖ CRC-32 of the previous 16 bytes (u32 BE)
//   record  type u8 ‖ payload length u32 BE ‖ CRC-32 of (type ‖ length ‖ payload) u32 BE ‖ payload
// Type 1 is an entry (the payload is the leaf, see entry.ts); type 2 is a commit marker whose payload
// is the log size (u64 BE) after the batch it ends. A batch is written with one write and made durable
// with one fdatasync (group commit); only entries followed by their commit marker were ever
// acknowledged, so what follows the last marker after a crash is a torn tail, never lost data.
// CRCs find damage, they do not authenticate: the Merkle tree and signed checkpoints do.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { MAX_LEAF_BYTES } from './entry.ts';

export const SEGMENT_MAGIC = Buffer.from('BWLSEG01', 'ascii');
export const SEGMENT_HEADER_BYTES = 20;
export const RECORD_HEADER_BYTES = 9;
export const RECORD_ENTRY = 1;
export const RECORD_COMMIT = 2;
const COMMIT_BYTES = RECORD_HEADER_BYTES + 8;
const CHUNK_BYTES = 8 << 20;

export function encodeSegmentHeader(first: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeBigUInt64BE(BigInt(first), 8);
  header.writeUInt32BE(crc32(header.subarray(0, 16)), 16);
  return header;
}

export function decodeSegmentHeader(header: Buffer): number | undefined {
  if (header.length < SEGMENT_HEADER_BYTES || !header.subarray(0, 8).equals(SEGMENT_MAGIC)) return undefined;
  if (header.readUInt32BE(16) !== crc32(header.subarray(0, 16))) return undefined;
  const first = Number(header.readBigUInt64BE(8));
  return Number.isSafeInteger(first) ? first : undefined;
}

/**
 * CRC-32 of a record's type and length: the first part of its checksum. Entries of one log mostly
 * share a few lengths, so it is remembered instead of costing a native call per record.
 */
const headerCrcs = new Map<number, number>();
const headerScratch = Buffer.alloc(5);

function headerCrc(type: number, length: number): number {
  const key = length * 4 + type;
  let crc = headerCrcs.get(key);
  if (crc === undefined) {
    headerScratch[0] = type;
    headerScratch.writeUInt32BE(length, 1);
    crc = crc32(headerScratch);
    if (headerCrcs.size >= 4096) headerCrcs.clear();
    headerCrcs.set(key, crc);
  }
  return crc;
}

function writeRecordHeader(target: Buffer, offset: number, type: number, payload: Uint8Array): void {
  target[offset] = type;
  target.writeUInt32BE(payload.length, offset + 1);
  target.writeUInt32BE(crc32(payload, headerCrc(type, payload.length)), offset + 5);
}

/** The bytes `encodeBatch` needs for these entries. */
export function batchBytes(leaves: readonly Uint8Array[]): number {
  let total = COMMIT_BYTES;
  for (const leaf of leaves) total += RECORD_HEADER_BYTES + leaf.length;
  return total;
}

/**
 * One batch: its entry records and the commit marker that acknowledges them, written into `target`
 * when it is large enough (a writer reuses one buffer rather than faulting in fresh pages per batch).
 */
export function encodeBatch(leaves: readonly Uint8Array[], sizeAfter: number, target?: Buffer): Buffer {
  const total = batchBytes(leaves);
  const out = target !== undefined && target.length >= total ? target.subarray(0, total) : Buffer.allocUnsafe(total);
  let offset = 0;
  for (const leaf of leaves) {
    writeRecordHeader(out, offset, RECORD_ENTRY, leaf);
    out.set(leaf, offset + RECORD_HEADER_BYTES);
    offset += RECORD_HEADER_BYTES + leaf.length;
  }
  const size = out.subarray(offset + RECORD_HEADER_BYTES, offset + COMMIT_BYTES);
  writeUint64(size, 0, sizeAfter);
  writeRecordHeader(out, offset, RECORD_COMMIT, size);
  return out;
}

function writeUint64(target: Buffer, offset: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  target.writeUInt32BE(value % 0x1_0000_0000, offset + 4);
}

function readUint64(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * 0x1_0000_0000 + source.readUInt32BE(offset + 4);
}

export type ScanItem =
  | { kind: 'entry'; index: number; offset: number; leaf: Buffer }
  | { kind: 'commit'; size: number; end: number };

export interface ScanEnd {
  /** Entries covered by the last commit marker. */
  committedSize: number;
  /** Byte offset just after the last commit marker (the header's end when there is none). */
  committedEnd: number;
  fileSize: number;
  /** Why scanning stopped before the end of the file, if it did. */
  problem?: { offset: number; message: string };
}

/**
 * Two chunk buffers used in turn: a chunk's views stay valid while the next chunk is read, so a
 * reader of batches can finish one chunk's batch after the cursor moved on. Reusing buffers matters:
 * fresh memory costs page faults, which on a virtual machine cost more than checksumming the data.
 */
export class ChunkBuffers {
  readonly #buffers: (Buffer | undefined)[] = [undefined, undefined];
  #turn = 0;

  take(size: number): Buffer {
    this.#turn ^= 1;
    let buffer = this.#buffers[this.#turn];
    if (buffer === undefined || buffer.length < size) this.#buffers[this.#turn] = buffer = Buffer.allocUnsafe(Math.max(size, CHUNK_BYTES));
    return buffer.subarray(0, size);
  }
}

/**
 * A cursor over a segment's records, read in large chunks (records may straddle them). `next()`
 * moves to the next valid record and exposes it through the fields, so reading a million entries
 * allocates nothing per entry. With `chunks`, chunk buffers are reused: a view of the chunk stays
 * valid until `generation` has advanced twice.
 */
export class SegmentReader {
  readonly path: string;
  readonly fileSize: number;
  /** The current record: an entry (its payload is `chunk[start, end)`, its index `index`) or a commit marker. */
  kind: 'entry' | 'commit' | undefined;
  index: number;
  /** Byte offset of the current record in the file. */
  offset = 0;
  chunk: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** The size a commit marker names. */
  size = 0;
  committedSize: number;
  committedEnd = SEGMENT_HEADER_BYTES;
  problem: { offset: number; message: string } | undefined;
  /** Incremented whenever the chunk is replaced. */
  generation = 0;
  readonly #first: number;
  readonly #chunks: ChunkBuffers | undefined;
  #fd: number | undefined;
  #chunkStart = 0;
  #next = SEGMENT_HEADER_BYTES;
  #started = false;
  #done = false;

  constructor(path: string, first: number, options: { chunks?: ChunkBuffers } = {}) {
    this.path = path;
    this.#first = first;
    this.#chunks = options.chunks;
    this.index = first - 1;
    this.committedSize = first;
    this.#fd = openSync(path, 'r');
    try {
      this.fileSize = fstatSync(this.#fd).size;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The current entry's payload (a view of the chunk). */
  get leaf(): Buffer {
    return this.chunk.subarray(this.start, this.end);
  }

  /** Makes bytes [offset, offset + length) available in the chunk; false when the file is shorter. */
  #ensure(offset: number, length: number, from: number): boolean {
    if (offset + length > this.fileSize) return false;
    if (offset >= this.#chunkStart && offset + length <= this.#chunkStart + this.chunk.length) return true;
    // Reload from `from` (the record's start), so a record and its header share one chunk.
    const want = Math.min(Math.max(CHUNK_BYTES, offset + length - from), this.fileSize - from);
    const chunk = this.#chunks?.take(want) ?? Buffer.allocUnsafe(want);
    this.generation++;
    let read = 0;
    while (read < want) {
      const n = readSync(this.#fd!, chunk, read, want - read, from + read);
      if (n === 0) break;
      read += n;
    }
    this.chunk = chunk.subarray(0, read);
    this.#chunkStart = from;
    return offset + length <= from + read;
  }

  #stop(problem?: { offset: number; message: string }): false {
    this.problem = problem;
    this.kind = undefined;
    this.#done = true;
    this.close();
    return false;
  }

  next(): boolean {
    if (this.#done) return false;
    if (!this.#started) {
      this.#started = true;
      if (!this.#ensure(0, SEGMENT_HEADER_BYTES, 0)) return this.#stop({ offset: 0, message: 'segment header is incomplete' });
      if (decodeSegmentHeader(Buffer.from(this.chunk.subarray(0, SEGMENT_HEADER_BYTES))) !== this.#first) {
        return this.#stop({ offset: 0, message: `segment header is damaged or does not start at entry ${this.#first}` });
      }
    }
    const offset = this.#next;
    if (offset >= this.fileSize) return this.#stop();
    if (!this.#ensure(offset, RECORD_HEADER_BYTES, offset)) return this.#stop({ offset, message: 'record header is cut short' });
    let at = offset - this.#chunkStart;
    const type = this.chunk[at]!;
    const length = this.chunk.readUInt32BE(at + 1);
    const expected = this.chunk.readUInt32BE(at + 5);
    if ((type !== RECORD_ENTRY && type !== RECORD_COMMIT) || length > MAX_LEAF_BYTES || (type === RECORD_COMMIT && length !== 8)) {
      return this.#stop({ offset, message: `record header is damaged (type ${type}, length ${length})` });
    }
    if (!this.#ensure(offset + RECORD_HEADER_BYTES, length, offset)) return this.#stop({ offset, message: 'record is cut short' });
    at = offset - this.#chunkStart;
    const start = at + RECORD_HEADER_BYTES;
    const end = start + length;
    const entryIndex = this.index + 1;
    if (crc32(this.chunk.subarray(start, end), headerCrc(type, length)) !== expected) {
      return this.#stop({ offset, message: `checksum mismatch in the record of entry ${entryIndex}: the file was modified or damaged` });
    }
    this.offset = offset;
    this.start = start;
    this.end = end;
    this.#next = offset + RECORD_HEADER_BYTES + length;
    if (type === RECORD_ENTRY) {
      this.kind = 'entry';
      this.index = entryIndex;
      return true;
    }
    const size = readUint64(this.chunk, start);
    if (size !== entryIndex) return this.#stop({ offset, message: `commit marker says ${size} entries but ${entryIndex} precede it: an entry was removed or inserted` });
    this.kind = 'commit';
    this.size = size;
    this.committedSize = size;
    this.committedEnd = this.#next;
    return true;
  }

  result(): ScanEnd {
    return { committedSize: this.committedSize, committedEnd: this.committedEnd, fileSize: this.fileSize, ...(this.problem ? { problem: this.problem } : {}) };
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Reads a segment's records in order. Yields entries and commit markers and returns where the
 * committed data ends and the first problem, if any.
 */
export function* scanSegment(path: string, first: number): Generator<ScanItem, ScanEnd, void> {
  const reader = new SegmentReader(path, first);
  try {
    while (reader.next()) {
      if (reader.kind === 'entry') yield { kind: 'entry', index: reader.index, offset: reader.offset, leaf: reader.leaf };
      else yield { kind: 'commit', size: reader.size, end: reader.committedEnd };
    }
    return reader.result();
  } finally {
    reader.close();
  }
}

/** Runs a scan to its end, ignoring the records. */
export function scanSegmentEnd(path: string, first: number): ScanEnd {
  const reader = new SegmentReader(path, first);
  try {
    while (reader.next());
    return reader.result();
  } finally {
    reader.close();
  }
}

/**
 * The largest log size named by a valid commit marker at or after `offset` (0 when there is none).
 * After a crash only the last batch can be torn; a valid marker beyond the damage means the damage is
 * inside acknowledged data, which must never be "repaired" away.
 */
export function committedSizeAfter(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const pattern = Buffer.from([RECORD_COMMIT, 0, 0, 0, 8]);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES + COMMIT_BYTES);
    let largest = 0;
    for (let start = offset; start < fileSize; start += CHUNK_BYTES) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, fileSize - start), start);
      const view = buffer.subarray(0, n);
      for (let at = view.indexOf(pattern); at >= 0 && at + COMMIT_BYTES <= n; at = view.indexOf(pattern, at + 1)) {
        const payload = view.subarray(at + RECORD_HEADER_BYTES, at + COMMIT_BYTES);
        if (crc32(payload, headerCrc(RECORD_COMMIT, 8)) !== view.readUInt32BE(at + 5)) continue;
        largest = Math.max(largest, readUint64(payload, 0));
      }
    }
    return largest;
  } finally {
    closeSync(fd);
  }
}
