import { inflateRawSync } from 'node:zlib';
import { BulwarkError } from '../../../core/index.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_ENTRIES = 200_000;
const MAX_COMMENT = 0xffff;

function fail(where: string, why: string): BulwarkError {
  return new BulwarkError('E_PARSE', `${where}: ${why}`);
}

/**
 * The central directory of a zip (a jar): found from the end-of-central-directory record (zip64 too),
 * every offset and length checked against the buffer before it is read.
 */
export function readZipDirectory(zip: Buffer, where: string): ZipEntry[] {
  const minimum = 22;
  if (zip.length < minimum) throw fail(where, 'too short to be a zip');
  let eocd = -1;
  for (let i = zip.length - minimum; i >= Math.max(0, zip.length - minimum - MAX_COMMENT); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail(where, 'no end-of-central-directory record (not a zip, or truncated)');
  let count = zip.readUInt16LE(eocd + 10);
  let size = zip.readUInt32LE(eocd + 12);
  let offset = zip.readUInt32LE(eocd + 16);
  if ((count === 0xffff || size === 0xffffffff || offset === 0xffffffff) && eocd >= 20 && zip.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const record = Number(zip.readBigUInt64LE(eocd - 20 + 8));
    if (!Number.isSafeInteger(record) || record + 56 > zip.length || zip.readUInt32LE(record) !== ZIP64_EOCD) throw fail(where, 'bad zip64 end-of-central-directory record');
    count = Number(zip.readBigUInt64LE(record + 32));
    size = Number(zip.readBigUInt64LE(record + 40));
    offset = Number(zip.readBigUInt64LE(record + 48));
  }
  if (count > MAX_ENTRIES) throw new BulwarkError('E_TOO_LARGE', `${where}: ${count} entries`);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset + size > zip.length) throw fail(where, 'central directory lies outside the file');
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw fail(where, `central directory entry ${i} is malformed`);
    const method = zip.readUInt16LE(at + 10);
    let compressedSize = zip.readUInt32LE(at + 20);
    let uncompressedSize = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    let localHeaderOffset = zip.readUInt32LE(at + 42);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > zip.length) throw fail(where, `central directory entry ${i} runs past the end`);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // zip64 extended information: the 0xffffffff fields, in order, as 8-byte values.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = zip.readUInt16LE(extra);
      const length = zip.readUInt16LE(extra + 2);
      if (extra + 4 + length > extraEnd) break;
      if (id === 0x0001) {
        let p = extra + 4;
        const next = (): number => {
          if (p + 8 > extra + 4 + length) throw fail(where, `entry ${name}: short zip64 field`);
          const value = Number(zip.readBigUInt64LE(p));
          p += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      extra += 4 + length;
    }
    entries.push({ name, method, compressedSize, size: uncompressedSize, localHeaderOffset });
    at = end;
  }
  return entries;
}

/** One entry's bytes: stored or deflated, never more than `max` bytes out. */
export function readZipEntry(zip: Buffer, entry: ZipEntry, max: number, where: string): Buffer {
  const at = entry.localHeaderOffset;
  if (!Number.isSafeInteger(at) || at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) throw fail(where, `${entry.name}: local header is missing`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (!Number.isSafeInteger(end) || end > zip.length) throw fail(where, `${entry.name}: data runs past the end of the file`);
  if (entry.size > max) throw new BulwarkError('E_TOO_LARGE', `${where}: ${entry.name} declares ${entry.size} bytes, more than ${max}`);
  const data = zip.subarray(start, end);
  if (entry.method === 0) return data;
  if (entry.method === 8) {
    try {
      return inflateRawSync(data, { maxOutputLength: max });
    } catch (error) {
      throw fail(where, `${entry.name}: cannot inflate (${(error as Error).message})`);
    }
  }
  throw fail(where, `${entry.name}: compression method ${entry.method} is not supported`);
}
