import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatLocation } from '../core/index.ts';
import type { Diagnostic } from '../load/index.ts';

/**
 * Writes a rendered document to `--output FILE` or stdout as it is produced: large reports never
 * exist as one string.
 */
export async function emit(chunks: Iterable<string>, output: string | undefined): Promise<void> {
  const destination = output === undefined ? process.stdout : createWriteStream(output);
  await pipeline(Readable.from(chunks, { objectMode: false }), destination, { end: output !== undefined });
}

/** `file:line:col: error: message`, the form editors and CI logs turn into links. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WriteStream = process.stderr): void {
  for (const diagnostic of diagnostics) {
    stream.write(`${formatLocation(diagnostic.location)}${diagnostic.level}: ${diagnostic.message}\n`);
  }
}
