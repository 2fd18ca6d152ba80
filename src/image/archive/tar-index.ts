import { BulwarkError } from '../../core/index.ts';

/** Where a member's bytes lie inside an uncompressed tar. */
export interface TarMember {
  name: string;
  /** 0 regular, 5 directory, 2 symlink, …: the ustar typeflag as a character. */
  type: string;
  offset: number;
  size: number;
  linkname: string;
}

export interface TarIndexLimits {
  maxMembers: number;
  /** Bytes of one pax or GNU long-name header. */
  maxHeaderData: number;
}

const BLOCK = 512;
const DEFAULT_LIMITS: TarIndexLimits = { maxMembers: 100_000, maxHeaderData: 1024 * 1024 };

/** Reads `length` bytes at `position`; fewer at the end of the file. */
export type ReadAt = (position: number, length: number) => Buffer;

function cString(block: Buffer, start: number, length: number): string {
  const slice = block.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? slice.length : end).toString('utf8');
}

/** Octal, or GNU base-256 for sizes of 8 GiB and more. */
function numberField(block: Buffer, start: number, length: number, where: string): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new BulwarkError('E_PARSE', `${where}: size field overflows`);
    return value;
  }
  const text = cString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new BulwarkError('E_PARSE', `${where}: numeric field ${JSON.stringify(text)} is not octal`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = cString(block, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === parseInt(stored, 8);
}

function paxPath(data: Buffer): { path?: string; linkpath?: string; size?: number } {
  const out: { path?: string; linkpath?: string; size?: number } = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const length = Number(data.subarray(i, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0 || i + length > data.length) break;
    const record = data.subarray(space + 1, i + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) {
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') out.path = value;
      else if (key === 'linkpath') out.linkpath = value;
      else if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    }
    i += length;
  }
  return out;
}

/**
 * Lists the members of an uncompressed tar without reading their contents (a `docker save` archive is
 * opened once and its members read at their offsets). ustar, pax and GNU long names; a member or header
 * that runs past the end of the file, a bad checksum or too many members are errors.
 */
export function indexTar(readAt: ReadAt, fileSize: number, where: string, limits: TarIndexLimits = DEFAULT_LIMITS): TarMember[] {
  const members: TarMember[] = [];
  let position = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let paxSize: number | undefined;
  while (position + BLOCK <= fileSize) {
    const block = readAt(position, BLOCK);
    if (block.length < BLOCK) break;
    if (block.every((byte) => byte === 0)) break; // end-of-archive marker
    const at = `${where}: tar header at byte ${position}`;
    if (!checksumOk(block)) throw new BulwarkError('E_PARSE', `${at}: bad checksum (not a tar, or corrupt)`);
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
    let size = numberField(block, 124, 12, at);
    const dataStart = position + BLOCK;
    if (dataStart + size > fileSize) throw new BulwarkError('E_PARSE', `${at}: member of ${size} bytes runs past the end of the file (${fileSize} bytes)`);
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L' || type === 'K') {
      if (size > limits.maxHeaderData) throw new BulwarkError('E_TOO_LARGE', `${at}: extended header of ${size} bytes`);
      const data = readAt(dataStart, size);
      if (type === 'x') {
        const pax = paxPath(data);
        if (pax.path !== undefined) longName = pax.path;
        if (pax.linkpath !== undefined) longLink = pax.linkpath;
        if (pax.size !== undefined) paxSize = pax.size;
      } else if (type === 'L') longName = cString(data, 0, data.length);
      else longLink = cString(data, 0, data.length);
      position = next;
      continue;
    }
    if (type === 'g') {
      position = next;
      continue;
    }
    const magic = block.subarray(257, 263).toString('latin1');
    const prefix = magic.startsWith('ustar') ? cString(block, 345, 155) : '';
    const baseName = cString(block, 0, 100);
    const name = longName ?? (prefix === '' ? baseName : `${prefix}/${baseName}`);
    if (paxSize !== undefined) {
      size = paxSize;
      if (dataStart + size > fileSize) throw new BulwarkError('E_PARSE', `${at}: member of ${size} bytes runs past the end of the file`);
    }
    members.push({ name, type, offset: dataStart, size, linkname: longLink ?? cString(block, 157, 100) });
    if (members.length > limits.maxMembers) throw new BulwarkError('E_TOO_LARGE', `${where}: more than ${limits.maxMembers} members`);
    longName = undefined;
    longLink = undefined;
    position = paxSize === undefined ? next : dataStart + Math.ceil(size / BLOCK) * BLOCK;
    paxSize = undefined;
  }
  return members;
}
