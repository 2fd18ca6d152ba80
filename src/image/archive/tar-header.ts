import { BulwarkError } from '../../core/index.ts';

/**
 * Decoding of one 512-byte tar header block (POSIX ustar, GNU and pax extensions), shared by the
 * streaming layer reader and the indexer of `docker save` archives. Pure functions over bytes.
 */

export const BLOCK = 512;

/**
 * Typeflags that never carry data, whatever their size field says (links, devices, directories,
 * fifos), as Go's archive/tar, which container runtimes use, reads them.
 */
export const HEADER_ONLY: ReadonlySet<string> = new Set(['1', '2', '3', '4', '5', '6']);

/** A decoded header block, before pax and GNU long-name records are applied. */
export interface RawTarHeader {
  name: string;
  /** The typeflag as a character: '0' regular, '5' directory, '2' symlink, 'x' pax, 'L' GNU long name, … */
  type: string;
  mode: number;
  size: number;
  linkname: string;
}

/** What pax extended headers may override. */
export interface PaxOverrides {
  path?: string;
  linkpath?: string;
  size?: number;
}

function cString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString('utf8');
}

/**
 * Octal (NUL- or space-terminated, leading spaces allowed), or GNU base-256 for values that do not
 * fit (sizes of 8 GiB and more). Read byte by byte: it runs for every member of every layer.
 */
export function numberField(block: Uint8Array, start: number, length: number, where: string): number {
  const first = block[start]!;
  if ((first & 0x80) !== 0) {
    // Base-256, two's complement; negative values (0xff prefix) are never valid sizes or modes.
    if (first === 0xff) throw new BulwarkError('E_PARSE', `${where}: negative numeric field`);
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    if (!Number.isSafeInteger(value)) throw new BulwarkError('E_PARSE', `${where}: numeric field overflows`);
    return value;
  }
  let i = start;
  const end = start + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c >= 0x30 && c <= 0x37) {
      value = value * 8 + (c - 0x30);
      digits++;
      continue;
    }
    if (c === 0 || c === 0x20) break;
    throw new BulwarkError('E_PARSE', `${where}: numeric field is not octal`);
  }
  // Only terminators may follow the digits.
  for (; i < end; i++) {
    if (block[i] !== 0 && block[i] !== 0x20) throw new BulwarkError('E_PARSE', `${where}: numeric field is not octal`);
  }
  return digits === 0 ? 0 : value;
}

/** The header checksum: the sum of the block's bytes with the checksum field read as spaces. */
export function checksumOk(block: Uint8Array): boolean {
  let stored: number;
  try {
    stored = numberField(block, 148, 8, '');
  } catch {
    return false;
  }
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < BLOCK; i++) sum += block[i]!;
  return sum === stored;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Decodes a header block whose checksum was verified. The ustar `prefix` is used only with the
 * POSIX magic: GNU tars keep access and change times in that area.
 */
export function decodeHeader(block: Uint8Array, where: string): RawTarHeader {
  const flag = block[156]!;
  const type = flag === 0 ? '0' : String.fromCharCode(flag);
  const posix = block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
  const base = cString(block, 0, 100);
  const prefix = posix && block[345] !== 0 ? cString(block, 345, 155) : '';
  return {
    name: prefix === '' ? base : `${prefix}/${base}`,
    type,
    mode: numberField(block, 100, 8, where) & 0o7777,
    size: numberField(block, 124, 12, where),
    linkname: block[157] === 0 ? '' : cString(block, 157, 100),
  };
}

/** The `path`, `linkpath` and `size` records of a pax extended header; malformed records end the parse. */
export function parsePax(data: Uint8Array): PaxOverrides {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: PaxOverrides = {};
  let i = 0;
  while (i < bytes.length) {
    const space = bytes.indexOf(0x20, i);
    if (space < 0 || space - i > 20) break;
    const length = Number(bytes.subarray(i, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= space - i + 1 || i + length > bytes.length) break;
    const record = bytes.subarray(space + 1, i + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) {
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') out.path = value;
      else if (key === 'linkpath') out.linkpath = value;
      else if (key === 'size' && /^\d{1,15}$/.test(value)) out.size = Number(value);
    }
    i += length;
  }
  return out;
}

/** A GNU long name or link record: the name, NUL-terminated. */
export function longNameOf(data: Uint8Array): string {
  return cString(data, 0, data.length);
}

/** Bytes occupied by a member's data, padding to the next block included. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
