/**
 * Go build information embedded in executables (`go version -m`), read as the bytes stream past.
 *
 * The Go linker writes a 32-byte header starting with the magic `\xff Go buildinf:` at a 16-byte
 * aligned address in the binary's writable data, followed (since Go 1.18, flag bit 2) by two
 * varint-length-prefixed strings: the Go version and the module information. Go's debug/buildinfo
 * finds it by reading the executable's headers (ELF program headers, PE section table, Mach-O load
 * commands) and searching the writable data for the magic at 16-byte alignment; we do the same,
 * except that the headers come from the first bytes of the file and the writable ranges are searched
 * as they stream by, so a 100 MB binary is never held in memory. Searching only writable data keeps
 * us from matching the magic string constant inside binaries that import debug/buildinfo.
 */

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const ALIGN = 16;
const FLAG_VERSION_INLINE = 0x2;
/** Enough for every header table we read. */
export const HEAD_BYTES = 64 * 1024;
/** Module information of the largest real binaries is tens of KiB; more is refused. */
const MAX_CAPTURE = 1024 * 1024;
const MAX_RANGES = 64;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  path: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

export type GoScanResult = { kind: 'go'; info: GoBuildInfo } | { kind: 'go-unsupported'; reason: string } | { kind: 'not-go' };

interface Range {
  start: number;
  end: number;
}

const u16 = (b: Buffer, at: number, le: boolean): number => (at + 2 <= b.length ? (le ? b.readUInt16LE(at) : b.readUInt16BE(at)) : -1);
const u32 = (b: Buffer, at: number, le: boolean): number => (at + 4 <= b.length ? (le ? b.readUInt32LE(at) : b.readUInt32BE(at)) : -1);
const u64 = (b: Buffer, at: number, le: boolean): number => {
  if (at + 8 > b.length) return -1;
  const value = le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value);
};

function cName(b: Buffer, at: number, length: number): string {
  if (at + length > b.length) return '';
  const slice = b.subarray(at, at + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? length : nul).toString('latin1');
}

/** ELF: the file ranges of loadable segments that are writable and not executable. */
function elfRanges(head: Buffer): Range[] | null {
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  if (head[4] !== 1 && head[4] !== 2) return null;
  const phoff = is64 ? u64(head, 32, le) : u32(head, 28, le);
  const phentsize = u16(head, is64 ? 54 : 42, le);
  const phnum = u16(head, is64 ? 56 : 44, le);
  if (phoff <= 0 || phentsize <= 0 || phnum <= 0) return null;
  const ranges: Range[] = [];
  for (let i = 0; i < phnum && ranges.length < MAX_RANGES; i++) {
    const at = phoff + i * phentsize;
    if (at + (is64 ? 56 : 32) > head.length) break;
    const type = u32(head, at, le);
    const flags = is64 ? u32(head, at + 4, le) : u32(head, at + 24, le);
    const offset = is64 ? u64(head, at + 8, le) : u32(head, at + 4, le);
    const filesz = is64 ? u64(head, at + 32, le) : u32(head, at + 16, le);
    const PT_LOAD = 1;
    const PF_X = 1;
    const PF_W = 2;
    if (type === PT_LOAD && (flags & (PF_X | PF_W)) === PF_W && offset >= 0 && filesz > 0) ranges.push({ start: offset, end: offset + filesz });
  }
  return ranges;
}

/** PE: sections of initialised, readable, writable data (what debug/buildinfo treats as the data section). */
function peRanges(head: Buffer): Range[] | null {
  const pe = u32(head, 0x3c, true);
  if (pe < 0 || pe + 24 > head.length || head.toString('latin1', pe, pe + 4) !== 'PE\0\0') return null;
  const sections = u16(head, pe + 6, true);
  const optionalSize = u16(head, pe + 20, true);
  const table = pe + 24 + optionalSize;
  const ranges: Range[] = [];
  const DATA = 0x40 | 0x40000000 | 0x80000000;
  for (let i = 0; i < sections && ranges.length < MAX_RANGES; i++) {
    const at = table + i * 40;
    if (at + 40 > head.length) break;
    const virtualAddress = u32(head, at + 12, true);
    const rawSize = u32(head, at + 16, true);
    const rawPointer = u32(head, at + 20, true);
    const characteristics = u32(head, at + 36, true);
    if (virtualAddress !== 0 && rawSize > 0 && (characteristics & ~0x600000) >>> 0 === DATA >>> 0) ranges.push({ start: rawPointer, end: rawPointer + rawSize });
  }
  return ranges;
}

/** Mach-O: the `__go_buildinfo` section, else the `__DATA` segment. */
function machoRanges(head: Buffer): Range[] | null {
  const magic = head.readUInt32LE(0);
  const le = magic === 0xfeedface || magic === 0xfeedfacf;
  const is64 = magic === 0xfeedfacf || magic === 0xcffaedfe;
  const ncmds = u32(head, 16, le);
  let at = is64 ? 32 : 28;
  const sections: Range[] = [];
  const segments: Range[] = [];
  for (let i = 0; i < ncmds && i < 1024; i++) {
    const cmd = u32(head, at, le);
    const size = u32(head, at + 4, le);
    if (cmd < 0 || size < 8) break;
    const LC_SEGMENT = 0x1;
    const LC_SEGMENT_64 = 0x19;
    if (cmd === LC_SEGMENT_64 || cmd === LC_SEGMENT) {
      const segname = cName(head, at + 8, 16);
      const fileoff = cmd === LC_SEGMENT_64 ? u64(head, at + 40, le) : u32(head, at + 32, le);
      const filesize = cmd === LC_SEGMENT_64 ? u64(head, at + 48, le) : u32(head, at + 36, le);
      const nsects = u32(head, at + (cmd === LC_SEGMENT_64 ? 64 : 48), le);
      const first = at + (cmd === LC_SEGMENT_64 ? 72 : 56);
      const sectSize = cmd === LC_SEGMENT_64 ? 80 : 68;
      for (let s = 0; s < nsects && s < 256; s++) {
        const sect = first + s * sectSize;
        if (cName(head, sect, 16) !== '__go_buildinfo') continue;
        const bytes = cmd === LC_SEGMENT_64 ? u64(head, sect + 40, le) : u32(head, sect + 36, le);
        const offset = u32(head, sect + (cmd === LC_SEGMENT_64 ? 48 : 40), le);
        if (offset > 0 && bytes > 0) sections.push({ start: offset, end: offset + bytes });
      }
      if (segname === '__DATA' && fileoff >= 0 && filesize > 0) segments.push({ start: fileoff, end: fileoff + filesize });
    }
    at += size;
    if (at > head.length) break;
  }
  return sections.length > 0 ? sections : segments;
}

/** The ranges to search, or null when the head is not an executable format we know. */
export function executableDataRanges(head: Buffer): Range[] | null {
  if (head.length < 64) return null;
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return elfRanges(head);
  if (head[0] === 0x4d && head[1] === 0x5a) return peRanges(head);
  const magic = head.readUInt32LE(0);
  if (magic === 0xfeedface || magic === 0xfeedfacf || magic === 0xcefaedfe || magic === 0xcffaedfe) return machoRanges(head);
  return null;
}

function uvarint(b: Buffer, at: number): { value: number; next: number } | null {
  let value = 0;
  let shift = 0;
  for (let i = at; i < b.length && i < at + 10; i++) {
    const byte = b[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return Number.isSafeInteger(value) ? { value, next: i + 1 } : null;
    shift += 7;
  }
  return null;
}

/** Decodes the header and inline strings found at the magic; `null` when the bytes are incomplete. */
export function decodeBuildInfo(captured: Buffer): GoScanResult {
  if (captured.length < HEADER_SIZE || !captured.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) return { kind: 'not-go' };
  const flags = captured[15]!;
  if ((flags & FLAG_VERSION_INLINE) === 0) {
    return { kind: 'go-unsupported', reason: 'build info in the pre-Go 1.18 pointer format (rebuild with a current Go to inventory its modules)' };
  }
  const version = uvarint(captured, HEADER_SIZE);
  if (version === null || version.next + version.value > captured.length) return { kind: 'go-unsupported', reason: 'truncated Go version string' };
  const goVersion = captured.toString('utf8', version.next, version.next + version.value);
  const mod = uvarint(captured, version.next + version.value);
  if (mod === null || mod.next + mod.value > captured.length) return { kind: 'go-unsupported', reason: 'truncated module information' };
  let modinfo = captured.toString('latin1', mod.next, mod.next + mod.value);
  // The linker wraps the module information in 16-byte sentinels; debug/buildinfo strips them so.
  modinfo = modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n' ? Buffer.from(modinfo.slice(16, -16), 'latin1').toString('utf8') : '';
  return { kind: 'go', info: parseModInfo(goVersion, modinfo) };
}

/** The text format of runtime/debug.BuildInfo: `path`, `mod`, `dep`, `=>` (replaces the line before), `build`. */
export function parseModInfo(goVersion: string, text: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, path: '', deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split('\t');
    const module = (): GoModule => {
      const m: GoModule = { path: fields[1] ?? '', version: fields[2] ?? '' };
      if (fields[3] !== undefined && fields[3] !== '') m.sum = fields[3];
      return m;
    };
    switch (fields[0]) {
      case 'path':
        info.path = fields[1] ?? '';
        break;
      case 'mod':
        info.main = module();
        last = info.main;
        break;
      case 'dep':
        last = module();
        info.deps.push(last);
        break;
      case '=>':
        if (last !== undefined) last.replace = module();
        break;
      case 'build': {
        const setting = fields.slice(1).join('\t');
        const eq = setting.indexOf('=');
        if (eq > 0) info.settings[setting.slice(0, eq)] = setting.slice(eq + 1);
        break;
      }
    }
  }
  return info;
}

/**
 * Fed an executable's bytes in order; `result()` after the last chunk. Holds at most the head and,
 * once the magic is found, the bytes after it.
 */
export class GoBuildInfoScanner {
  #head: Buffer[] = [];
  #headLength = 0;
  #ranges: Range[] | null | undefined;
  #offset = 0;
  /** Up to 31 bytes before the current chunk, for a magic that straddles chunks. */
  #carry = Buffer.alloc(0);
  #capture: Buffer[] | null = null;
  #captureLength = 0;
  #done = false;

  write(chunk: Buffer): void {
    if (this.#done) return;
    if (this.#ranges === undefined) {
      this.#head.push(chunk);
      this.#headLength += chunk.length;
      if (this.#headLength < HEAD_BYTES) return;
      this.#startSearch();
      return;
    }
    this.#feed(chunk);
  }

  #startSearch(): void {
    const head = Buffer.concat(this.#head);
    this.#head = [];
    this.#ranges = executableDataRanges(head);
    if (this.#ranges === null || this.#ranges.length === 0) {
      this.#done = true;
      return;
    }
    this.#feed(head);
  }

  #feed(chunk: Buffer): void {
    const chunkStart = this.#offset;
    this.#offset += chunk.length;
    if (this.#capture !== null) {
      this.#capture.push(chunk);
      this.#captureLength += chunk.length;
      if (this.#captureLength >= MAX_CAPTURE) this.#done = true;
      return;
    }
    const ranges = this.#ranges!;
    const chunkEnd = chunkStart + chunk.length;
    if (!ranges.some((r) => r.start < chunkEnd && r.end > chunkStart - this.#carry.length)) {
      this.#carry = Buffer.alloc(0);
      return;
    }
    const windowStart = chunkStart - this.#carry.length;
    const window = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    let from = 0;
    for (;;) {
      const found = window.indexOf(BUILDINFO_MAGIC, from);
      if (found < 0) break;
      const absolute = windowStart + found;
      if (absolute % ALIGN === 0 && ranges.some((r) => absolute >= r.start && absolute < r.end)) {
        this.#capture = [window.subarray(found)];
        this.#captureLength = window.length - found;
        this.#carry = Buffer.alloc(0);
        return;
      }
      from = found + 1;
    }
    this.#carry = Buffer.from(window.subarray(Math.max(0, window.length - (BUILDINFO_MAGIC.length - 1))));
  }

  result(): GoScanResult {
    if (this.#ranges === undefined) this.#startSearch();
    if (this.#capture === null) return { kind: 'not-go' };
    return decodeBuildInfo(Buffer.concat(this.#capture));
  }
}
