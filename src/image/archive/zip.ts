// ZIP archives (APPNOTE.TXT), read from memory (a jar met in an image layer, a jar nested in a jar)
// or from a file through a read-ahead window (osv.dev's per-ecosystem exports): the central
// directory is located from its end record (ZIP64 too) and read first, then each entry at its offset,
// inflated with node:zlib and checked against its declared size and CRC-32. Archives are untrusted:
// every count, offset and size is checked against the bytes and against limits before use.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { BulwarkError } from '../../core/index.ts';
import { ioReason } from '../../core/io-reason.ts';

export interface ZipLimits {
  /** Entries in the central directory. */
  entries: number;
  /** Bytes of the central directory. */
  centralDirectory: number;
  /** Uncompressed bytes of one entry (the default of `read`). */
  entryBytes: number;
  /** Uncompressed bytes of all entries together, as declared. */
  totalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  entries: 2_000_000,
  centralDirectory: 512 * 1024 * 1024,
  entryBytes: 16 * 1024 * 1024,
  totalBytes: 16 * 1024 * 1024 * 1024,
};

/** A file entry of the central directory (directories are not listed). */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Random access to the archive's bytes: `length` bytes at `position`, fewer at the end. */
export interface ZipBytes {
  readonly size: number;
  read(position: number, length: number): Buffer;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
const STORED = 0;
const DEFLATED = 8;

function zipError(where: string, reason: string): BulwarkError {
  return new BulwarkError('E_PARSE', `${where}: not a readable ZIP archive: ${reason}`);
}

function u64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** An archive held in memory. */
export function bytesOf(buffer: Buffer): ZipBytes {
  return { size: buffer.length, read: (position, length) => buffer.subarray(position, Math.min(position + length, buffer.length)) };
}

/** Entries are stored one after the other: reading ahead in large windows serves most entries from memory. */
const WINDOW = 8 * 1024 * 1024;

/**
 * An archive read from an open file. Reads are synchronous: an import reads entries one after the
 * other, and a thread-pool round trip per entry cost more than the reads themselves (measured: 2 of
 * 5 s for 20,000 entries).
 */
class FileBytes implements ZipBytes {
  readonly size: number;
  readonly #fd: number;
  #window: Buffer = Buffer.alloc(0);
  #windowStart = 0;

  constructor(fd: number) {
    this.#fd = fd;
    this.size = fstatSync(fd).size;
  }

  #readAt(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const bytesRead = readSync(this.#fd, buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buffer : buffer.subarray(0, done);
  }

  read(position: number, length: number): Buffer {
    const end = Math.min(position + length, this.size);
    if (position >= end) return Buffer.alloc(0);
    if (position < this.#windowStart || end > this.#windowStart + this.#window.length) {
      this.#window = this.#readAt(position, Math.min(Math.max(WINDOW, end - position), this.size - position));
      this.#windowStart = position;
    }
    return this.#window.subarray(position - this.#windowStart, end - this.#windowStart);
  }
}

export class ZipArchive {
  /** How messages name the archive: a file path, `app.jar!/BOOT-INF/lib/x.jar`. */
  readonly where: string;
  readonly entries: readonly ZipEntry[];
  readonly #bytes: ZipBytes;
  readonly #limits: ZipLimits;

  protected constructor(bytes: ZipBytes, where: string, limits: ZipLimits) {
    this.#bytes = bytes;
    this.where = where;
    this.#limits = limits;
    this.entries = readCentralDirectory(bytes, where, limits);
  }

  /** Reads the central directory of an archive in memory or behind `ZipBytes`. */
  static open(bytes: Buffer | ZipBytes, where: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipArchive {
    return new ZipArchive(Buffer.isBuffer(bytes) ? bytesOf(bytes) : bytes, where, limits);
  }

  /**
   * The uncompressed bytes of one entry, checked against its declared size and CRC-32; never more
   * than `max` bytes are inflated (an entry that lies about its size is caught one byte past it).
   */
  read(entry: ZipEntry, max: number = this.#limits.entryBytes): Buffer {
    const where = `${this.where}!${entry.name}`;
    if (entry.size > max) throw new BulwarkError('E_TOO_LARGE', `${where}: entry of ${entry.size} bytes exceeds the limit of ${max}`);
    if ((entry.flags & FLAG_ENCRYPTED) !== 0) throw zipError(this.where, `${entry.name}: encrypted entries are not supported`);
    if (entry.method !== STORED && entry.method !== DEFLATED) throw zipError(this.where, `${entry.name}: compression method ${entry.method} is not supported (only stored and deflate)`);
    // The local header repeats name and extra field with lengths of its own; read it with some slack.
    const guess = 30 + Buffer.byteLength(entry.name) + 64 + entry.compressedSize;
    let chunk = this.#bytes.read(entry.localHeaderOffset, guess);
    if (chunk.length < 30 || chunk.readUInt32LE(0) !== LOCAL) throw zipError(this.where, `${entry.name}: bad local header`);
    const dataStart = 30 + chunk.readUInt16LE(26) + chunk.readUInt16LE(28);
    const dataEnd = dataStart + entry.compressedSize;
    if (entry.localHeaderOffset + dataEnd > this.#bytes.size) throw zipError(this.where, `${entry.name}: data runs past the end of the file`);
    if (dataEnd > chunk.length) chunk = this.#bytes.read(entry.localHeaderOffset, dataEnd);
    const compressed = chunk.subarray(dataStart, dataEnd);
    let data: Buffer;
    if (entry.method === STORED) {
      if (entry.compressedSize !== entry.size) throw zipError(this.where, `${entry.name}: stored entry with two sizes`);
      data = compressed;
    } else {
      try {
        data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.size + 1) });
      } catch (error) {
        throw zipError(this.where, `${entry.name}: cannot inflate (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    if (data.length !== entry.size) throw zipError(this.where, `${entry.name}: ${data.length} bytes, ${entry.size} declared`);
    if (crc32(data) !== entry.crc) throw zipError(this.where, `${entry.name}: CRC-32 mismatch`);
    return data;
  }
}

/** An archive on disk, read through a window; `close` releases the file. */
export class ZipFile extends ZipArchive {
  readonly #fd: number;

  private constructor(fd: number, file: string, limits: ZipLimits) {
    super(new FileBytes(fd), file, limits);
    this.#fd = fd;
  }

  static openFile(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipFile {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      throw new BulwarkError('E_INPUT', `cannot open: ${ioReason(error)}`, { location: { file } });
    }
    try {
      return new ZipFile(fd, file, limits);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

function readCentralDirectory(bytes: ZipBytes, where: string, limits: ZipLimits): ZipEntry[] {
  const size = bytes.size;
  if (size < 22) throw zipError(where, 'too short');
  // The end record is within the last 22 + 65,535 (comment) bytes, the ZIP64 locator 20 before it.
  const tailLength = Math.min(size, 22 + 0xffff + 20);
  const tail = bytes.read(size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw zipError(where, 'no end of central directory record (not a zip, or truncated)');
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) throw zipError(where, 'multi-disk archives are not supported');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR) throw zipError(where, 'ZIP64 values without a ZIP64 locator');
    const zip64Offset = u64(tail, locator + 8);
    if (zip64Offset + 56 > size) throw zipError(where, 'ZIP64 end record outside the file');
    const record = bytes.read(zip64Offset, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw zipError(where, 'bad ZIP64 end record');
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (count > limits.entries) throw new BulwarkError('E_TOO_LARGE', `${where}: ${count} entries exceed the limit of ${limits.entries}`);
  if (cdSize > limits.centralDirectory) throw new BulwarkError('E_TOO_LARGE', `${where}: central directory of ${cdSize} bytes exceeds the limit`);
  if (cdOffset + cdSize > size) throw zipError(where, 'central directory outside the file');
  // Copied out of any read-ahead window: the window moves while entries are read.
  const cd = Buffer.from(bytes.read(cdOffset, cdSize));
  if (cd.length !== cdSize) throw zipError(where, 'truncated central directory');
  const entries: ZipEntry[] = [];
  let pos = 0;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (pos + 46 > cd.length || cd.readUInt32LE(pos) !== CENTRAL) throw zipError(where, `central directory entry ${n} is damaged`);
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const crc = cd.readUInt32LE(pos + 16);
    let compressedSize = cd.readUInt32LE(pos + 20);
    let uncompressed = cd.readUInt32LE(pos + 24);
    const nameLength = cd.readUInt16LE(pos + 28);
    const extraLength = cd.readUInt16LE(pos + 30);
    const commentLength = cd.readUInt16LE(pos + 32);
    let offset = cd.readUInt32LE(pos + 42);
    const end = pos + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) throw zipError(where, `central directory entry ${n} runs past the directory`);
    // Without the UTF-8 flag names are CP437; latin1 keeps ASCII names right and never throws.
    const name = cd.toString((flags & FLAG_UTF8) !== 0 ? 'utf8' : 'latin1', pos + 46, pos + 46 + nameLength);
    // ZIP64 extended information: only the fields whose 32-bit value is saturated are present, in order.
    let extra = pos + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = cd.readUInt16LE(extra);
      const length = cd.readUInt16LE(extra + 2);
      if (extra + 4 + length > extraEnd) break;
      if (id === 0x0001) {
        let field = extra + 4;
        const take = (): number => {
          if (field + 8 > extra + 4 + length) throw zipError(where, `${name}: short ZIP64 field`);
          const value = u64(cd, field);
          field += 8;
          return value;
        };
        if (uncompressed === 0xffffffff) uncompressed = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (offset === 0xffffffff) offset = take();
      }
      extra += 4 + length;
    }
    pos = end;
    if (name.endsWith('/')) continue;
    if (offset + 30 + compressedSize > size) throw zipError(where, `${name}: entry outside the file`);
    total += uncompressed;
    if (total > limits.totalBytes) throw new BulwarkError('E_TOO_LARGE', `${where}: entries inflate to more than ${limits.totalBytes} bytes`);
    entries.push({ name, method, flags, crc, compressedSize, size: uncompressed, localHeaderOffset: offset });
  }
  return entries;
}
