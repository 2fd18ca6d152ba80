// Finding manifest files under the paths a user names, and reading them within bounds.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import { BulwarkError } from '../core/index.ts';
import { segmentYaml, type TextSegment } from './segments.ts';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Version-control metadata never holds manifests and can be huge. */
const SKIPPED_DIRECTORIES = new Set(['.git']);

/** Bulwark's own configuration file sits among manifests but is not one. */
const SKIPPED_FILES = new Set(['.bulwark.yaml', '.bulwark.yml']);

export interface Discovery {
  files: string[];
  /** Paths that could not be listed, with why. */
  problems: BulwarkError[];
}

/**
 * The manifest files under `input`, in a deterministic order (entries sorted by name, depth first).
 * A named file is returned whatever its extension; in directories only `.yaml`, `.yml`, `.json`
 * files are taken. `exclude` prunes discovered files and directories (not the named input itself).
 * Symbolic links are followed, each real directory visited once, so link loops end.
 */
export async function discoverFiles(input: string, exclude?: (path: string) => boolean, cwd = process.cwd()): Promise<Discovery> {
  const files: string[] = [];
  const problems: BulwarkError[] = [];
  const onDisk = (path: string): string => resolve(cwd, path);
  let info;
  try {
    info = await stat(onDisk(input));
  } catch (error) {
    problems.push(ioError(input, error));
    return { files, problems };
  }
  if (!info.isDirectory()) {
    files.push(input);
    return { files, problems };
  }
  const visited = new Set<string>();
  // Paths keep the form the user wrote (relative stays relative); only file system calls resolve them.
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(onDisk(dir));
    } catch (error) {
      problems.push(ioError(dir, error));
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let names: string[];
    try {
      names = (await readdir(onDisk(dir))).sort(compareNames);
    } catch (error) {
      problems.push(ioError(dir, error));
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (exclude?.(path)) continue;
      let entry;
      try {
        entry = await lstat(onDisk(path));
        if (entry.isSymbolicLink()) entry = await stat(onDisk(path));
      } catch {
        continue; // a dangling link or a file removed meanwhile is not a manifest
      }
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(name)) await walk(path);
      } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase()) && !SKIPPED_FILES.has(name)) {
        files.push(path);
      }
    }
  };
  await walk(input);
  return { files, problems };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ioError(path: string, error: unknown): BulwarkError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new BulwarkError('E_IO', `cannot read ${path}: ${reason}`, { location: { file: path }, cause: error });
}

/**
 * A file's text: whole, or for a large ASCII file in segments of whole documents (see
 * segments.ts). Either way it is decoded once.
 */
export type FileContent = { kind: 'text'; text: string } | { kind: 'segments'; segments: TextSegment[] } | { kind: 'binary'; reason: string };

const BINARY_PROBE = 8192;

/**
 * Reads a file as UTF-8 text, refusing files over `maxBytes` and recognising binary content.
 * `name` is how the file is named in errors (as the user wrote it).
 */
export async function readManifest(path: string, maxBytes: number, name = path): Promise<FileContent> {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (error) {
    throw ioError(name, error);
  }
  if (info.size > maxBytes) throw tooLarge(name, info.size, maxBytes);
  if (info.isFile()) {
    const content = decode(readRegularFile(path, info.size, maxBytes, name));
    if (scratch.length > SCRATCH_KEPT) scratch = Buffer.allocUnsafeSlow(0); // an outsized file's buffer is not kept
    return content;
  }
  // Pipes and devices may block: they are read off the main thread.
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioError(name, error);
  }
  if (bytes.length > maxBytes) throw tooLarge(name, bytes.length, maxBytes);
  return decode(bytes);
}

/**
 * One buffer serves every regular file read: a fresh buffer per file costs a page fault per 4 KiB
 * on first touch, which adds up to more than the read itself. Decoding copies the bytes out.
 */
let scratch = Buffer.allocUnsafeSlow(0);
const SCRATCH_KEPT = 4 * 1024 * 1024;

/**
 * A regular file's bytes, read synchronously: from the page cache that is a memory copy, cheaper
 * than the thread-pool round trips of an asynchronous read. The view is valid until the next call.
 */
function readRegularFile(path: string, size: number, maxBytes: number, name: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(name, error);
  }
  try {
    let total = 0;
    for (;;) {
      // One byte more than expected, to see the end of the file (or that it grew).
      if (scratch.length < Math.max(total, size) + 1) {
        const grown = Buffer.allocUnsafeSlow(Math.max(size + 1, scratch.length * 2, 64 * 1024));
        scratch.copy(grown, 0, 0, total);
        scratch = grown;
      }
      let n: number;
      try {
        n = readSync(fd, scratch, total, scratch.length - total, null);
      } catch (error) {
        throw ioError(name, error);
      }
      if (n === 0) break;
      total += n;
      // The file may have grown since it was measured.
      if (total > maxBytes) throw tooLarge(name, total, maxBytes, true);
    }
    return scratch.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** Reads a stream (stdin) to its end as UTF-8 text, refusing more than `maxBytes`. */
export async function readStream(stream: NodeJS.ReadableStream, name: string, maxBytes: number): Promise<FileContent> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > maxBytes) throw tooLarge(name, total, maxBytes, true);
    chunks.push(buffer);
  }
  return decode(Buffer.concat(chunks));
}

export function decode(bytes: Uint8Array): FileContent {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A native search: a byte loop here runs in the interpreter on a cold start.
  const nul = buffer.indexOf(0);
  if (nul !== -1 && nul < BINARY_PROBE) return { kind: 'binary', reason: 'it contains NUL bytes' };
  // Manifests are nearly always ASCII, which decodes fastest as Latin-1 (the same text).
  if (isAscii(buffer)) return textContent(buffer, 'latin1');
  if (!isUtf8(buffer)) return { kind: 'binary', reason: 'it is not valid UTF-8' };
  return textContent(buffer, 'utf8');
}

function textContent(buffer: Buffer, encoding: 'latin1' | 'utf8'): FileContent {
  const segments = segmentYaml(buffer, encoding);
  return segments === null ? { kind: 'text', text: buffer.toString(encoding) } : { kind: 'segments', segments };
}

export function tooLarge(path: string, size: number, maxBytes: number, atLeast = false): BulwarkError {
  return new BulwarkError(
    'E_TOO_LARGE',
    `${path} is ${atLeast ? 'over ' : ''}${formatBytes(size)}, more than the ${formatBytes(maxBytes)} limit; it was not scanned (raise the limit to scan it)`,
    { location: { file: path } },
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
