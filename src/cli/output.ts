import { writeFile } from 'node:fs/promises';
import { formatLocation } from '../core/index.ts';
import type { Diagnostic } from '../load/index.ts';

/** Writes a rendered document to `--output FILE` or stdout. */
export async function emit(text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
  } else {
    await writeFile(output, text);
  }
}

/** `file:line:col: error: message`, the form editors and CI logs turn into links. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], stream: NodeJS.WriteStream = process.stderr): void {
  for (const diagnostic of diagnostics) {
    stream.write(`${formatLocation(diagnostic.location)}${diagnostic.level}: ${diagnostic.message}\n`);
  }
}
