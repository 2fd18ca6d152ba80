import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { BulwarkError } from '../../core/index.ts';
import { TarParser, type TarEntryHeader } from '../archive/tar-parser.ts';
import { ioReason } from '../../core/io-reason.ts';

/** A layer member, with its path normalised (relative to the image root, no leading `/`, no `.`/`..`). */
export type LayerEntry =
  | { type: 'file'; path: string; size: number; mode: number }
  | { type: 'directory'; path: string; mode: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string }
  /** `.wh.NAME`: NAME is deleted from the layers below. */
  | { type: 'whiteout'; path: string }
  /** `.wh..wh..opq`: everything below this directory in lower layers is hidden. */
  | { type: 'opaque'; path: string }
  | { type: 'special'; path: string; kind: string };

/**
 * Receives one file's bytes as they stream past; never the whole layer. Chunks are views into the
 * decompressor's output buffers: a sink that keeps bytes past `end` copies them, or a small file would
 * pin a whole output buffer in memory.
 */
export interface ContentSink {
  write(chunk: Buffer): void;
  end(): void;
}

/** Something odd about a layer, reported instead of acted on. */
export interface LayerProblem {
  code: 'path-traversal' | 'absolute-path' | 'device-file' | 'bad-path' | 'too-many-entries';
  path: string;
  message: string;
}

export interface WalkLimits {
  /** Uncompressed bytes of one layer. */
  maxLayerBytes: number;
  /** Uncompressed ÷ compressed, checked once `ratioAfterBytes` have been produced: zip bombs stop early. */
  maxRatio: number;
  ratioAfterBytes: number;
  maxEntries: number;
  maxPathLength: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = {
  maxLayerBytes: 16 * 1024 ** 3,
  maxRatio: 250,
  ratioAfterBytes: 256 * 1024 ** 2,
  maxEntries: 2_000_000,
  maxPathLength: 4096,
};

export interface WalkCallbacks {
  onEntry(entry: LayerEntry): ContentSink | null;
  onProblem(problem: LayerProblem): void;
}

export interface WalkResult {
  entries: number;
  uncompressedBytes: number;
  /** sha256 of the uncompressed tar (the layer's diff_id). */
  diffId: string;
}

/** Output chunks of the decompressors: 1 MiB measured no faster and raised peak RSS by ~60 MiB. */
const INFLATE_CHUNK = 128 * 1024;
/** Inflated bytes buffered ahead of the tar parser. */
const INFLATE_AHEAD = 8 * INFLATE_CHUNK;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Normalises a member name; `null` with a problem when it is absolute or climbs out of the root.
 * Such members are reported and skipped, never resolved against anything.
 */
export function normaliseMemberPath(name: string, limits: Pick<WalkLimits, 'maxPathLength'>): { path: string } | { problem: LayerProblem } {
  if (name.length > limits.maxPathLength) {
    return { problem: { code: 'bad-path', path: name.slice(0, 200), message: `member name of ${name.length} characters` } };
  }
  if (name.includes('\0')) return { problem: { code: 'bad-path', path: name.replaceAll('\0', '\\0'), message: 'member name contains NUL' } };
  if (name.startsWith('/')) {
    return { problem: { code: 'absolute-path', path: name, message: 'absolute member path (layers hold paths relative to the root); skipped' } };
  }
  // Most names are already clean apart from a leading "./" (mmdebstrap, docker): no split needed.
  let start = 0;
  while (name.startsWith('./', start)) start += 2;
  const rest = start === 0 ? name : name.slice(start);
  if (rest !== '.' && rest !== '..' && !rest.includes('//') && !rest.includes('./') && !rest.endsWith('/') && !rest.endsWith('/.') && !rest.endsWith('/..') && !rest.startsWith('/')) {
    return { path: rest };
  }
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) {
        return { problem: { code: 'path-traversal', path: name, message: 'member path climbs out of the image root ("..")' } };
      }
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: parts.join('/') };
}

const COMPRESSION_MAGIC_BYTES = 4;

function compressionOf(head: Buffer): 'gzip' | 'zstd' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The typeflags the scan understands; other members (sparse, volume labels, …) are skipped. */
function classify(header: TarEntryHeader, path: string, base: string, dir: string): LayerEntry | null {
  if (base === OPAQUE) return { type: 'opaque', path: dir };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const name = base.slice(WHITEOUT_PREFIX.length);
    return { type: 'whiteout', path: dir === '' ? name : `${dir}/${name}` };
  }
  switch (header.type) {
    case '0':
      // A pre-POSIX tar marks directories only by their trailing slash.
      if (header.name.endsWith('/')) return { type: 'directory', path, mode: header.mode };
      return { type: 'file', path, size: header.size, mode: header.mode };
    case '7':
      return { type: 'file', path, size: header.size, mode: header.mode };
    case '5':
      return { type: 'directory', path, mode: header.mode };
    case '2':
      return { type: 'symlink', path, target: header.linkname };
    case '1':
      return { type: 'hardlink', path, target: header.linkname };
    case '3':
      return { type: 'special', path, kind: 'character-device' };
    case '4':
      return { type: 'special', path, kind: 'block-device' };
    case '6':
      return { type: 'special', path, kind: 'fifo' };
    default:
      return null;
  }
}

/**
 * Streams one layer blob: decompresses (gzip, zstd or none), parses the tar as the bytes arrive and
 * hands each file's bytes to the sink the callbacks choose, never writing anything to disk. Members
 * nobody wants are skipped without copying. Bounded in bytes, compression ratio and entries; the
 * uncompressed digest is returned for checking against the config.
 */
export async function walkLayer(raw: Readable, what: string, callbacks: WalkCallbacks, limits: WalkLimits = DEFAULT_WALK_LIMITS): Promise<WalkResult> {
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  let entries = 0;
  let compression: 'gzip' | 'zstd' | 'none' = 'none';
  const diffHash = createHash('sha256');
  const parser = new TarParser((header) => {
    if (++entries > limits.maxEntries) {
      callbacks.onProblem({ code: 'too-many-entries', path: '', message: `more than ${limits.maxEntries} entries; the rest of the layer was not read` });
      throw new BulwarkError('E_TOO_LARGE', `${what}: more than ${limits.maxEntries} entries`);
    }
    const normalised = normaliseMemberPath(header.name, limits);
    if ('problem' in normalised) {
      callbacks.onProblem(normalised.problem);
      return null;
    }
    const path = normalised.path;
    if (path === '') return null;
    const slash = path.lastIndexOf('/');
    const classified = classify(header, path, slash < 0 ? path : path.slice(slash + 1), slash < 0 ? '' : path.slice(0, slash));
    if (classified === null) return null;
    if (classified.type === 'special' && (classified.kind === 'character-device' || classified.kind === 'block-device')) {
      callbacks.onProblem({ code: 'device-file', path: classified.path, message: `${classified.kind} in a layer (never created by the scan; a container runtime would)` });
    }
    return callbacks.onEntry(classified);
  }, what);
  const consume = (chunk: Buffer): void => {
    uncompressedBytes += chunk.length;
    if (uncompressedBytes > limits.maxLayerBytes) throw new BulwarkError('E_TOO_LARGE', `${what}: more than ${limits.maxLayerBytes} bytes uncompressed; stopped`);
    if (compression !== 'none' && uncompressedBytes > limits.ratioAfterBytes && uncompressedBytes > limits.maxRatio * Math.max(compressedBytes, 1)) {
      throw new BulwarkError('E_TOO_LARGE', `${what}: expands more than ${limits.maxRatio}× (${uncompressedBytes} bytes from ${compressedBytes}); decompression bomb? stopped`);
    }
    diffHash.update(chunk);
    parser.write(chunk);
  };
  try {
    const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // Sniff the magic bytes: media types are not always right.
    const head: Buffer[] = [];
    let headLength = 0;
    let exhausted = false;
    while (headLength < COMPRESSION_MAGIC_BYTES) {
      const next = await iterator.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      head.push(next.value);
      headLength += next.value.length;
    }
    compression = compressionOf(head.length === 1 ? head[0]! : Buffer.concat(head));
    const source = (async function* (): AsyncGenerator<Buffer> {
      for (const chunk of head) {
        compressedBytes += chunk.length;
        yield chunk;
      }
      while (!exhausted) {
        const next = await iterator.next();
        if (next.done === true) return;
        compressedBytes += next.value.length;
        yield next.value;
      }
    })();
    if (compression === 'none') {
      for await (const chunk of source) consume(chunk);
    } else {
      // A deep output buffer lets the thread pool inflate ahead while this thread parses, instead of
      // waiting for each chunk to be consumed before inflating the next.
      const options = { chunkSize: INFLATE_CHUNK, readableHighWaterMark: INFLATE_AHEAD };
      const inflater = compression === 'gzip' ? createGunzip(options) : createZstdDecompress(options);
      await pipeline(source, inflater, async (output: AsyncIterable<Buffer>) => {
        for await (const chunk of output) consume(chunk);
      });
    }
    parser.end();
  } catch (error) {
    // Stop reading (and fetching) the blob: nothing more of it will be used.
    raw.destroy();
    throw wrapError(error, what);
  }
  return { entries, uncompressedBytes, diffId: `sha256:${diffHash.digest('hex')}` };
}

function wrapError(error: unknown, what: string): BulwarkError {
  if (error instanceof BulwarkError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BulwarkError('E_PARSE', `${what}: not a readable layer (${message})`, { cause: error });
}

/**
 * A `dir:` root filesystem walked as if it were one layer: symlinks are reported as links, never
 * followed; only regular files are read.
 */
export async function walkDirectory(root: string, callbacks: WalkCallbacks, limits: WalkLimits = DEFAULT_WALK_LIMITS): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    let dir;
    try {
      dir = await opendir(join(root, relative));
    } catch (error) {
      if (relative === '') throw new BulwarkError('E_INPUT', `dir:${root}: cannot read: ${ioReason(error)}`);
      continue;
    }
    const names: string[] = [];
    for await (const dirent of dir) names.push(dirent.name);
    names.sort();
    for (const name of names) {
      const path = relative === '' ? name : `${relative}/${name}`;
      if (++entries > limits.maxEntries) {
        callbacks.onProblem({ code: 'too-many-entries', path: '', message: `more than ${limits.maxEntries} entries; the rest was not read` });
        return { entries, bytes };
      }
      const full = join(root, path);
      const info = await lstat(full).catch(() => null);
      if (info === null) continue;
      if (info.isSymbolicLink()) {
        callbacks.onEntry({ type: 'symlink', path, target: await readlink(full).catch(() => '') });
      } else if (info.isDirectory()) {
        callbacks.onEntry({ type: 'directory', path, mode: info.mode & 0o7777 });
        pending.push(path);
      } else if (info.isFile()) {
        const sink = callbacks.onEntry({ type: 'file', path, size: info.size, mode: info.mode & 0o7777 });
        if (sink !== null) {
          try {
            for await (const chunk of createReadStream(full, { highWaterMark: 256 * 1024 })) {
              bytes += (chunk as Buffer).length;
              sink.write(chunk as Buffer);
            }
          } catch {
            // unreadable file: what was read stands
          }
          sink.end();
        }
      } else {
        const kind = info.isCharacterDevice() ? 'character-device' : info.isBlockDevice() ? 'block-device' : info.isFIFO() ? 'fifo' : 'socket';
        callbacks.onEntry({ type: 'special', path, kind });
      }
    }
  }
  return { entries, bytes };
}
