import { accessSync, closeSync, constants, existsSync, openSync, statSync, write } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BulwarkError, formatLocation } from '../core/index.ts';
import type { Diagnostic } from '../load/index.ts';
import { systemErrorReason } from './failure.ts';

/**
 * Writes a rendered document to `--output FILE` or stdout as it is produced: large reports never
 * exist as one string.
 */
export async function emit(chunks: Iterable<string>, output: string | undefined): Promise<void> {
  if (output !== undefined) return writeFileChunks(chunks, output);
  // Streams are loaded only for stdout: a scan thread writing --output never needs them (~1.5 ms).
  const { Readable } = process.getBuiltinModule('node:stream');
  const { pipeline } = process.getBuiltinModule('node:stream/promises');
  await pipeline(Readable.from(chunks, { objectMode: false }), process.stdout, { end: false });
}

/**
 * A file is written through two reused buffers: one is filled with the next chunks' UTF-8 while the
 * other's bytes go to the file on libuv's thread pool, so copying the report into the page cache
 * (~40 ms for a 23 MB report) overlaps rendering it instead of following it. A write stream, tried
 * before, allocated a fresh Buffer per chunk (as many bytes of garbage as the report has).
 */
async function writeFileChunks(chunks: Iterable<string>, output: string): Promise<void> {
  const encoder = new TextEncoder();
  const buffers = [new Uint8Array(WRITE_BUFFER_BYTES), new Uint8Array(WRITE_BUFFER_BYTES)];
  const fd = openOutput(output);
  let current = 0;
  let filled = 0;
  // The write of the other buffer, if one is under way; it settles before that buffer is filled again.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    writing = writeAll(fd, buffers[current]!, filled, output);
    // Marked handled here: its failure is seen by the next await of `writing`, never lost.
    writing.catch(() => {});
    current ^= 1;
    filled = 0;
  };
  try {
    for (const chunk of chunks) {
      let rest = chunk;
      while (rest.length > 0) {
        const { read, written } = encoder.encodeInto(rest, buffers[current]!.subarray(filled));
        filled += written;
        rest = read === rest.length ? '' : rest.slice(read);
        // Full (or too full for the next character): hand it to the file and fill the other one.
        if (rest.length > 0) await flush();
      }
    }
    if (filled > 0) await flush();
    await writing;
  } finally {
    await writing.catch(() => {});
    closeSync(fd);
  }
}

/** Writes `length` bytes of `buffer` to `fd`, resuming after short writes. */
async function writeAll(fd: number, buffer: Uint8Array, length: number, output: string): Promise<void> {
  for (let offset = 0; offset < length; ) offset += await writeBytes(fd, buffer, offset, length - offset, output);
}

/** One write; a full disk or a failing device is the user's to fix, named with the flag's value. */
function writeBytes(fd: number, buffer: Uint8Array, offset: number, length: number, output: string): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, buffer, offset, length, null, (error, bytes) => {
      if (error) reject(outputError(output, systemErrorReason(error), error));
      else resolve(bytes);
    });
  });
}

/** `--output FILE` that cannot be created is the user's input error, named with the flag's value. */
function openOutput(output: string): number {
  try {
    return openSync(output, 'w');
  } catch (error) {
    throw outputError(output, systemErrorReason(error as NodeJS.ErrnoException), error);
  }
}

/** The one error for an output file that cannot be written, whatever the step that found it. */
function outputError(output: string, reason: string, cause?: unknown): BulwarkError {
  return new BulwarkError('E_IO', `cannot write the output file: ${reason}`, cause === undefined ? { location: { file: output } } : { location: { file: output }, cause });
}

/**
 * Fails before the work when `--output FILE` could not be written afterwards: a scan of a whole cluster
 * or image should not run for minutes only to lose its report. The file itself is not created yet, so a
 * scan that fails leaves no empty report behind.
 */
export function checkOutputWritable(output: string | undefined): void {
  if (output === undefined) return;
  const fail = (reason: string): never => {
    throw outputError(output, reason);
  };
  const target = resolve(output);
  try {
    if (existsSync(target)) {
      if (statSync(target).isDirectory()) fail('it is a directory');
      accessSync(target, constants.W_OK);
      return;
    }
    const parent = dirname(target);
    if (!existsSync(parent)) fail(`no such directory: ${dirname(output)}`);
    if (!statSync(parent).isDirectory()) fail(`${dirname(output)} is not a directory`);
    accessSync(parent, constants.W_OK);
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    fail(systemErrorReason(error as NodeJS.ErrnoException));
  }
}

/** Four times the renderers' chunk size: a chunk of up to 3-byte characters fits in one pass. */
const WRITE_BUFFER_BYTES = 256 * 1024;

/** `file:line:col: error: message`, the form editors and CI logs turn into links. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WriteStream = process.stderr): void {
  for (const diagnostic of diagnostics) {
    stream.write(`${formatLocation(diagnostic.location)}${diagnostic.level}: ${diagnostic.message}\n`);
  }
}
