import { BulwarkError } from '../../core/index.ts';
import { BLOCK, checksumOk, decodeHeader, HEADER_ONLY, isZeroBlock, longNameOf, paddedSize, parsePax } from './tar-header.ts';

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

const DEFAULT_LIMITS: TarIndexLimits = { maxMembers: 100_000, maxHeaderData: 1024 * 1024 };

/** Reads `length` bytes at `position`; fewer at the end of the file. */
export type ReadAt = (position: number, length: number) => Buffer;

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
    if (isZeroBlock(block)) break; // end-of-archive marker
    const at = `${where}: tar header at byte ${position}`;
    if (!checksumOk(block)) throw new BulwarkError('E_PARSE', `${at}: bad checksum (not a tar, or corrupt)`);
    const raw = decodeHeader(block, at);
    const dataStart = position + BLOCK;
    if (!HEADER_ONLY.has(raw.type) && dataStart + raw.size > fileSize) throw new BulwarkError('E_PARSE', `${at}: member of ${raw.size} bytes runs past the end of the file (${fileSize} bytes)`);
    const next = dataStart + paddedSize(raw.size);
    if (raw.type === 'x' || raw.type === 'L' || raw.type === 'K') {
      if (raw.size > limits.maxHeaderData) throw new BulwarkError('E_TOO_LARGE', `${at}: extended header of ${raw.size} bytes`);
      const data = readAt(dataStart, raw.size);
      if (raw.type === 'x') {
        const pax = parsePax(data);
        if (pax.path !== undefined) longName = pax.path;
        if (pax.linkpath !== undefined) longLink = pax.linkpath;
        if (pax.size !== undefined) paxSize = pax.size;
      } else if (raw.type === 'L') longName = longNameOf(data);
      else longLink = longNameOf(data);
      position = next;
      continue;
    }
    if (raw.type === 'g') {
      position = next;
      continue;
    }
    const size = HEADER_ONLY.has(raw.type) ? 0 : (paxSize ?? raw.size);
    if (dataStart + size > fileSize) throw new BulwarkError('E_PARSE', `${at}: member of ${size} bytes runs past the end of the file`);
    members.push({ name: longName ?? raw.name, type: raw.type, offset: dataStart, size, linkname: longLink ?? raw.linkname });
    if (members.length > limits.maxMembers) throw new BulwarkError('E_TOO_LARGE', `${where}: more than ${limits.maxMembers} members`);
    longName = undefined;
    longLink = undefined;
    paxSize = undefined;
    position = dataStart + paddedSize(size);
  }
  return members;
}
