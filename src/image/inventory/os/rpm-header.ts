import { BulwarkError } from '../../../core/index.ts';

/** Header tags read (rpmtag.h). */
export const RPMTAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  vendor: 1011,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
/** rpm's own bounds (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch: string;
  license?: string;
  vendor?: string;
  sourceRpm?: string;
}

/**
 * One package header as rpm stores it in its database: `il` and `dl` (big-endian), `il` index entries
 * of tag/type/offset/count, then `dl` bytes of data. Every offset is checked against the data store.
 */
export function parseRpmHeader(blob: Uint8Array, where: string): RpmHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.byteLength < 8) throw new BulwarkError('E_PARSE', `${where}: header blob of ${blob.byteLength} bytes is too short`);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il === 0 || il > MAX_INDEX_ENTRIES) throw new BulwarkError('E_PARSE', `${where}: header has ${il} index entries`);
  if (dl > MAX_DATA) throw new BulwarkError('E_PARSE', `${where}: header data of ${dl} bytes`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.byteLength) throw new BulwarkError('E_PARSE', `${where}: header declares ${dataStart + dl} bytes but the blob has ${blob.byteLength}`);
  const data = Buffer.from(blob.buffer, blob.byteOffset + dataStart, dl);
  const strings = new Map<number, string>();
  const ints = new Map<number, number>();
  const wanted = new Set<number>(Object.values(RPMTAG));
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = view.getUint32(at);
    if (!wanted.has(tag)) continue;
    const type = view.getUint32(at + 4);
    const offset = view.getInt32(at + 8);
    const count = view.getUint32(at + 12);
    if (offset < 0 || offset >= dl) throw new BulwarkError('E_PARSE', `${where}: tag ${tag} points outside the header data`);
    if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      const end = data.indexOf(0, offset);
      if (end < 0) throw new BulwarkError('E_PARSE', `${where}: tag ${tag} string is not terminated`);
      strings.set(tag, data.toString('utf8', offset, end));
    } else if (type === TYPE_INT32 && count >= 1) {
      if (offset + 4 > dl) throw new BulwarkError('E_PARSE', `${where}: tag ${tag} integer runs past the header data`);
      ints.set(tag, data.readInt32BE(offset));
    }
  }
  const name = strings.get(RPMTAG.name);
  const version = strings.get(RPMTAG.version);
  if (name === undefined || name === '' || version === undefined) throw new BulwarkError('E_PARSE', `${where}: header has no name or version`);
  const header: RpmHeader = { name, version, release: strings.get(RPMTAG.release) ?? '', arch: strings.get(RPMTAG.arch) ?? '' };
  const epoch = ints.get(RPMTAG.epoch);
  if (epoch !== undefined) header.epoch = epoch;
  const license = strings.get(RPMTAG.license);
  if (license !== undefined && license !== '') header.license = license;
  const vendor = strings.get(RPMTAG.vendor);
  if (vendor !== undefined && vendor !== '') header.vendor = vendor;
  const sourceRpm = strings.get(RPMTAG.sourceRpm);
  if (sourceRpm !== undefined && sourceRpm !== '' && sourceRpm !== '(none)') header.sourceRpm = sourceRpm;
  return header;
}

/** `bash-5.1.8-6.el9.src.rpm` → name `bash`, version `5.1.8`, release `6.el9`. */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | null {
  const base = file.replace(/\.(?:no)?src\.rpm$/, '');
  const lastDash = base.lastIndexOf('-');
  if (lastDash <= 0) return null;
  const secondDash = base.lastIndexOf('-', lastDash - 1);
  if (secondDash <= 0) return null;
  return { name: base.slice(0, secondDash), version: base.slice(secondDash + 1, lastDash), release: base.slice(lastDash + 1) };
}
