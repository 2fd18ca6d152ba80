// Finding manifest files under the paths a user names, and reading them within bounds.
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { isAscii, isUtf8 } from 'node:buffer';
import { BulwarkError } from '../core/index.ts';

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

export type FileContent = { kind: 'text'; text: string } | { kind: 'binary'; reason: string };

const BINARY_PROBE = 8192;

/**
 * Reads a file as UTF-8 text, refusing files over `maxBytes` and recognising binary content.
 * `name` is how the file is named in errors (as the user wrote it).
 */
export async function readManifest(path: string, maxBytes: number, name = path): Promise<FileContent> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw ioError(name, error);
  }
  if (size > maxBytes) throw tooLarge(name, size, maxBytes);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioError(name, error);
  }
  // The file may have grown since it was measured.
  if (bytes.length > maxBytes) throw tooLarge(name, bytes.length, maxBytes);
  return decode(bytes);
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
  const probe = Math.min(bytes.length, BINARY_PROBE);
  for (let i = 0; i < probe; i++) {
    if (bytes[i] === 0) return { kind: 'binary', reason: 'it contains NUL bytes' };
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Manifests are nearly always ASCII, which decodes fastest as Latin-1 (the same text).
  if (isAscii(buffer)) return { kind: 'text', text: buffer.toString('latin1') };
  if (!isUtf8(buffer)) return { kind: 'binary', reason: 'it is not valid UTF-8' };
  return { kind: 'text', text: buffer.toString('utf8') };
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
