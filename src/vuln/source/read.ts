// Where OSV records come from: a directory of `.json` files, a `.zip` export, a JSON lines file, or
// a `.json` file holding one record or an array of records. Each record comes with a name that
// locates it (file, archive entry, line) for error messages.
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BulwarkError } from '../../core/index.ts';
import { OSV_LIMITS } from '../osv/record.ts';
import { DEFAULT_ZIP_LIMITS, ZipFile, type ZipLimits } from '../../image/archive/zip.ts';
import { ioReason } from '../../core/io-reason.ts';

export type SourceKind = 'directory' | 'zip' | 'jsonl' | 'json';

export interface RawRecord {
  where: string;
  /** JSON text of one record, or the already parsed value (records of a JSON array). */
  text?: string;
  value?: unknown;
}

export interface SourceLimits {
  zip: ZipLimits;
  /** Files read from a directory. */
  files: number;
  /** Bytes of a `.json` file read whole. */
  jsonFileBytes: number;
  /** Bytes of one JSON line. */
  lineBytes: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  zip: DEFAULT_ZIP_LIMITS,
  files: 2_000_000,
  jsonFileBytes: 512 * 1024 * 1024,
  lineBytes: OSV_LIMITS.recordBytes,
};

/** The kind of a path: by type and extension, else by its first bytes. */
export async function detectSourceKind(path: string): Promise<SourceKind> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new BulwarkError('E_INPUT', `cannot read: ${ioReason(error)}`, { location: { file: path }, cause: error });
  }
  if (info.isDirectory()) return 'directory';
  if (!info.isFile()) throw new BulwarkError('E_INPUT', 'not a file or directory', { location: { file: path } });
  const lower = path.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return 'zip';
    if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x06054b50) return 'zip';
    if (lower.endsWith('.json')) return 'json';
    const text = bytes.toString('utf8').trimStart();
    if (text.startsWith('[')) return 'json';
    if (text.startsWith('{')) {
      // A record per line, or one (pretty-printed) record.
      const firstLine = text.split('\n', 1)[0]!.trim();
      return firstLine.endsWith('}') && firstLine.length > 1 ? 'jsonl' : 'json';
    }
    throw new BulwarkError('E_INPUT', `not an OSV source (expected a directory, a .zip, JSON lines or a .json file)`, { location: { file: path } });
  } finally {
    await handle.close();
  }
}

export async function* readSource(path: string, kind: SourceKind, limits: SourceLimits = DEFAULT_SOURCE_LIMITS): AsyncGenerator<RawRecord> {
  switch (kind) {
    case 'directory':
      yield* readDirectory(path, limits);
      return;
    case 'zip':
      yield* readZip(path, limits);
      return;
    case 'jsonl':
      yield* readJsonLines(path, limits);
      return;
    case 'json':
      yield* readJsonFile(path, limits);
      return;
  }
}

async function* readZip(path: string, limits: SourceLimits): AsyncGenerator<RawRecord> {
  const zip = ZipFile.openFile(path, limits.zip);
  try {
    for (const entry of zip.entries) {
      if (!entry.name.toLowerCase().endsWith('.json')) continue;
      yield { where: `${path}!${entry.name}`, text: zip.read(entry).toString('utf8') };
    }
  } finally {
    zip.close();
  }
}

async function* readDirectory(root: string, limits: SourceLimits): AsyncGenerator<RawRecord> {
  const files: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      // Symbolic links are not followed: a database directory has none, and following them could loop.
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        files.push(full);
        if (files.length > limits.files) throw new BulwarkError('E_TOO_LARGE', `${root}: more than ${limits.files} files`);
      }
    }
  }
  files.sort();
  for (const file of files) {
    const info = await stat(file);
    if (info.size > limits.lineBytes) {
      throw new BulwarkError('E_TOO_LARGE', `${info.size} bytes exceeds the record limit of ${limits.lineBytes}`, { location: { file } });
    }
    yield { where: relative(process.cwd(), file) || file, text: await readFile(file, 'utf8') };
  }
}

async function* readJsonFile(path: string, limits: SourceLimits): AsyncGenerator<RawRecord> {
  const info = await stat(path);
  if (info.size > limits.jsonFileBytes) {
    throw new BulwarkError('E_TOO_LARGE', `${info.size} bytes exceeds the limit of ${limits.jsonFileBytes} for a .json file; use JSON lines or a .zip`, { location: { file: path } });
  }
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BulwarkError('E_PARSE', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { location: { file: path } });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield { where: `${path}[${i}]`, value: value[i] };
  } else yield { where: path, value };
}

/** One record per line; lines are split on bytes so that a huge line is refused before it is decoded. */
async function* readJsonLines(path: string, limits: SourceLimits): AsyncGenerator<RawRecord> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const emit = (chunk: Buffer): RawRecord | undefined => {
    line++;
    const text = chunk.toString('utf8').trim();
    return text === '' ? undefined : { where: `${path}:${line}`, text };
  };
  for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      if (pendingBytes + piece.length > limits.lineBytes) {
        throw new BulwarkError('E_TOO_LARGE', `${path}:${line + 1}: line longer than ${limits.lineBytes} bytes`, { location: { file: path, line: line + 1 } });
      }
      const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      const record = emit(whole);
      if (record !== undefined) yield record;
      start = nl + 1;
    }
    if (start < data.length) {
      const rest = data.subarray(start);
      pendingBytes += rest.length;
      if (pendingBytes > limits.lineBytes) {
        throw new BulwarkError('E_TOO_LARGE', `${path}:${line + 1}: line longer than ${limits.lineBytes} bytes`, { location: { file: path, line: line + 1 } });
      }
      pending.push(Buffer.from(rest));
    }
  }
  if (pending.length > 0) {
    const record = emit(Buffer.concat(pending));
    if (record !== undefined) yield record;
  }
}
