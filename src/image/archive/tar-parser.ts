import { BulwarkError } from '../../core/index.ts';
import { BLOCK, checksumOk, decodeHeader, HEADER_ONLY, isZeroBlock, longNameOf, paddedSize, parsePax, type PaxOverrides } from './tar-header.ts';

/** One member of a tar, with pax and GNU long names applied. */
export interface TarEntryHeader {
  /** As written in the archive, not normalised. */
  name: string;
  /** The typeflag as a character: '0' regular, '1' hard link, '2' symlink, '3'/'4' devices, '5' directory, '6' fifo, '7' contiguous. */
  type: string;
  mode: number;
  size: number;
  linkname: string;
}

/** Receives a member's bytes in order. Chunks are views into the caller's buffers: copy what is kept. */
export interface TarBodySink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface TarParserLimits {
  /** Bytes of one pax or GNU long-name record. */
  maxHeaderData: number;
}

export const DEFAULT_TAR_PARSER_LIMITS: TarParserLimits = { maxHeaderData: 1024 * 1024 };

type State = 'header' | 'body' | 'padding' | 'extension' | 'ended';

/**
 * A push parser of tar streams: fed the uncompressed bytes in chunks of any size, it calls `onEntry`
 * for each member and hands that member's bytes to the sink it returns, as views of the fed chunks
 * (no copy, no stream per member); members nobody wants are skipped by arithmetic. ustar, GNU long
 * names and pax `path`/`linkpath`/`size`. Everything after the end-of-archive block is ignored.
 * Errors (bad checksum, bad numbers, oversized records, truncation) are BulwarkError E_PARSE or
 * E_TOO_LARGE, thrown from `write` or `end`.
 */
export class TarParser {
  readonly #onEntry: (header: TarEntryHeader) => TarBodySink | null;
  readonly #limits: TarParserLimits;
  readonly #where: string;
  #state: State = 'header';
  /** Bytes consumed so far, for messages. */
  #position = 0;
  /** A header block that straddles chunks. */
  readonly #block = Buffer.alloc(BLOCK);
  #blockFill = 0;
  /** Bytes left in the current body, padding or extension record. */
  #remaining = 0;
  #padding = 0;
  #sink: TarBodySink | null = null;
  #extension: { type: string; data: Buffer; fill: number } | null = null;
  #longName: string | undefined;
  #longLink: string | undefined;
  #pax: PaxOverrides | undefined;

  constructor(onEntry: (header: TarEntryHeader) => TarBodySink | null, where: string, limits: TarParserLimits = DEFAULT_TAR_PARSER_LIMITS) {
    this.#onEntry = onEntry;
    this.#where = where;
    this.#limits = limits;
  }

  /** True once the end-of-archive block was read. */
  get ended(): boolean {
    return this.#state === 'ended';
  }

  write(chunk: Buffer): void {
    let at = 0;
    const length = chunk.length;
    while (at < length) {
      switch (this.#state) {
        case 'ended':
          this.#position += length - at;
          return;
        case 'header': {
          if (this.#blockFill === 0 && length - at >= BLOCK) {
            this.#header(chunk.subarray(at, at + BLOCK));
            at += BLOCK;
            this.#position += BLOCK;
          } else {
            const take = Math.min(BLOCK - this.#blockFill, length - at);
            chunk.copy(this.#block, this.#blockFill, at, at + take);
            this.#blockFill += take;
            at += take;
            this.#position += take;
            if (this.#blockFill === BLOCK) {
              this.#blockFill = 0;
              this.#header(this.#block);
            }
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.#remaining, length - at);
          if (this.#sink !== null) this.#sink.write(chunk.subarray(at, at + take));
          at += take;
          this.#position += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#finishBody();
          break;
        }
        case 'extension': {
          const extension = this.#extension!;
          const take = Math.min(extension.data.length - extension.fill, length - at);
          chunk.copy(extension.data, extension.fill, at, at + take);
          extension.fill += take;
          at += take;
          this.#position += take;
          if (extension.fill === extension.data.length) this.#finishExtension();
          break;
        }
        case 'padding': {
          const take = Math.min(this.#padding, length - at);
          at += take;
          this.#position += take;
          this.#padding -= take;
          if (this.#padding === 0) this.#state = 'header';
          break;
        }
      }
    }
  }

  /** The input is over: a member cut short is an error; a missing end-of-archive marker is not. */
  end(): void {
    if (this.#state === 'ended') return;
    if (this.#state === 'header' && this.#blockFill === 0 && this.#extension === null && this.#longName === undefined && this.#longLink === undefined && this.#pax === undefined) {
      this.#state = 'ended';
      return;
    }
    if (this.#state === 'padding' && this.#longName === undefined && this.#longLink === undefined && this.#pax === undefined) {
      this.#state = 'ended';
      return;
    }
    this.#sink = null;
    throw new BulwarkError('E_PARSE', `${this.#where}: the tar ends in the middle of a member (at byte ${this.#position}); truncated?`);
  }

  #header(block: Uint8Array): void {
    const where = `${this.#where}: tar header at byte ${this.#position - BLOCK}`;
    if (isZeroBlock(block)) {
      this.#state = 'ended';
      return;
    }
    if (!checksumOk(block)) throw new BulwarkError('E_PARSE', `${where}: bad checksum (not a tar, or corrupt)`);
    const raw = decodeHeader(block, where);
    if (raw.type === 'x' || raw.type === 'L' || raw.type === 'K' || raw.type === 'g') {
      if (raw.size > this.#limits.maxHeaderData) throw new BulwarkError('E_TOO_LARGE', `${where}: extended header of ${raw.size} bytes (more than ${this.#limits.maxHeaderData})`);
      this.#extension = { type: raw.type, data: Buffer.alloc(raw.size), fill: 0 };
      this.#padding = paddedSize(raw.size) - raw.size;
      if (raw.size === 0) this.#finishExtension();
      else this.#state = 'extension';
      return;
    }
    const pax = this.#pax;
    const size = HEADER_ONLY.has(raw.type) ? 0 : (pax?.size ?? raw.size);
    const header: TarEntryHeader = {
      name: pax?.path ?? this.#longName ?? raw.name,
      type: raw.type,
      mode: raw.mode,
      size,
      linkname: pax?.linkpath ?? this.#longLink ?? raw.linkname,
    };
    this.#pax = undefined;
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#sink = this.#onEntry(header);
    this.#remaining = size;
    this.#padding = paddedSize(size) - size;
    if (size === 0) this.#finishBody();
    else this.#state = 'body';
  }

  #finishBody(): void {
    const sink = this.#sink;
    this.#sink = null;
    this.#state = this.#padding === 0 ? 'header' : 'padding';
    sink?.end();
  }

  #finishExtension(): void {
    const extension = this.#extension!;
    this.#extension = null;
    if (extension.type === 'x') this.#pax = { ...this.#pax, ...parsePax(extension.data) };
    else if (extension.type === 'L') this.#longName = longNameOf(extension.data);
    else if (extension.type === 'K') this.#longLink = longNameOf(extension.data);
    // 'g' (global pax) sets defaults for the whole archive; nothing the scan reads depends on them.
    this.#state = this.#padding === 0 ? 'header' : 'padding';
  }
}
