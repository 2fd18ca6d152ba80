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

function writeRecordHeader(target: Buffer, offset: number, type: number, payload: Uint8Array): void {
  target[offset] = type;
  target.writeUInt32BE(payload.length, offset + 1);
  const crc = crc32(payload, crc32(target.subarray(offset, offset + 5)));
  target.writeUInt32BE(crc, offset + 5);
}

/** One batch: its entry records and the commit marker that acknowledges them. */
export function encodeBatch(leaves: readonly Buffer[], sizeAfter: number): Buffer {
  let total = COMMIT_BYTES;
  for (const leaf of leaves) total += RECORD_HEADER_BYTES + leaf.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const leaf of leaves) {
    writeRecordHeader(out, offset, RECORD_ENTRY, leaf);
    leaf.copy(out, offset + RECORD_HEADER_BYTES);
    offset += RECORD_HEADER_BYTES + leaf.length;
  }
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(sizeAfter));
  writeRecordHeader(out, offset, RECORD_COMMIT, size);
  size.copy(out, offset + RECORD_HEADER_BYTES);
  return out;
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
 * Reads a segment's records in order (chunked; records may straddle chunks). Yields entries and
 * commit markers and returns where the committed data ends and the first problem, if any.
 */
export function* scanSegment(path: string, first: number): Generator<ScanItem, ScanEnd, void> {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    let chunk = Buffer.alloc(0);
    let chunkStart = 0;
    const ensure = (offset: number, length: number): Buffer | undefined => {
      if (offset + length > fileSize) return undefined;
      if (offset >= chunkStart && offset + length <= chunkStart + chunk.length) return chunk.subarray(offset - chunkStart, offset - chunkStart + length);
      const want = Math.min(Math.max(CHUNK_BYTES, length), fileSize - offset);
      chunk = Buffer.allocUnsafe(want);
      let read = 0;
      while (read < want) {
        const n = readSync(fd, chunk, read, want - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      chunk = chunk.subarray(0, read);
      chunkStart = offset;
      return read >= length ? chunk.subarray(0, length) : undefined;
    };
    let offset = SEGMENT_HEADER_BYTES;
    let index = first;
    let committedSize = first;
    let committedEnd = SEGMENT_HEADER_BYTES;
    const end = (problem?: { offset: number; message: string }): ScanEnd => ({ committedSize, committedEnd, fileSize, ...(problem ? { problem } : {}) });
    const header = ensure(0, SEGMENT_HEADER_BYTES);
    if (header === undefined) return end({ offset: 0, message: 'segment header is incomplete' });
    if (decodeSegmentHeader(Buffer.from(header)) !== first) return end({ offset: 0, message: `segment header is damaged or does not start at entry ${first}` });
    while (offset < fileSize) {
      const head = ensure(offset, RECORD_HEADER_BYTES);
      if (head === undefined) return end({ offset, message: 'record header is cut short' });
      const type = head[0]!;
      const length = head.readUInt32BE(1);
      const expected = head.readUInt32BE(5);
      if ((type !== RECORD_ENTRY && type !== RECORD_COMMIT) || length > MAX_LEAF_BYTES || (type === RECORD_COMMIT && length !== 8)) {
        return end({ offset, message: `record header is damaged (type ${type}, length ${length})` });
      }
      const typeAndLength = Buffer.from(head.subarray(0, 5));
      const payload = ensure(offset + RECORD_HEADER_BYTES, length);
      if (payload === undefined) return end({ offset, message: 'record is cut short' });
      if (crc32(payload, crc32(typeAndLength)) !== expected) return end({ offset, message: `checksum mismatch in the record of entry ${index}: the file was modified or damaged` });
      if (type === RECORD_ENTRY) {
        yield { kind: 'entry', index, offset, leaf: payload };
        index++;
      } else {
        const size = Number(payload.readBigUInt64BE(0));
        if (size !== index) return end({ offset, message: `commit marker says ${size} entries but ${index} precede it: an entry was removed or inserted` });
        committedSize = size;
        committedEnd = offset + COMMIT_BYTES;
        yield { kind: 'commit', size, end: committedEnd };
      }
      offset += RECORD_HEADER_BYTES + length;
    }
    return end();
  } finally {
    closeSync(fd);
  }
}

/** Runs a scan to its end, ignoring the records. */
export function scanSegmentEnd(path: string, first: number): ScanEnd {
  const scan = scanSegment(path, first);
  for (;;) {
    const step = scan.next();
    if (step.done) return step.value;
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
        if (crc32(payload, crc32(view.subarray(at, at + 5))) !== view.readUInt32BE(at + 5)) continue;
        largest = Math.max(largest, Number(payload.readBigUInt64BE(0)));
      }
    }
    return largest;
  } finally {
    closeSync(fd);
  }
}
