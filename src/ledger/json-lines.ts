// Appending JSON lines (one event per line) from a stream, as `bulwark ledger append` does: each line
// must be a JSON value; its subject is a fixed name or read from a field path of the line's object.
// Lines are appended in order, in batches, with several batches in flight for the group commit.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { LedgerError } from './errors.ts';
import type { AppendInput, Ledger } from './ledger.ts';
import { MAX_PLAINTEXT_BYTES } from './entry.ts';

export interface JsonLinesOptions {
  /** Subject of every line, or of lines without `subjectField`. */
  subject?: string;
  /** Dotted path of the subject inside each line's object, e.g. "user.username". */
  subjectField?: string;
  file?: string;
}

const BATCH = 1000;
const IN_FLIGHT = 4;

export function subjectOf(value: unknown, path: string): string | undefined {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === 'string' && current.length > 0 ? current : typeof current === 'number' ? String(current) : undefined;
}

export async function appendJsonLines(ledger: Ledger, input: Readable, options: JsonLinesOptions): Promise<{ first: number | undefined; count: number }> {
  const file = options.file ?? '<stdin>';
  if (options.subject === undefined && options.subjectField === undefined) throw new LedgerError('usage', 'give --subject NAME or --subject-field PATH');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let batch: AppendInput[] = [];
  const inFlight: Promise<unknown>[] = [];
  let first: number | undefined;
  let count = 0;
  const send = async (): Promise<void> => {
    const receipt = ledger.appendBatch(batch).then((r) => {
      first ??= r.first;
      first = Math.min(first, r.first);
      count += r.count;
    });
    batch = [];
    inFlight.push(receipt);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  };
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim().length === 0) continue;
      if (Buffer.byteLength(line) > MAX_PLAINTEXT_BYTES) throw new LedgerError('usage', `line is longer than ${MAX_PLAINTEXT_BYTES} bytes`, { location: { file, line: lineNumber } });
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new LedgerError('parse', `not a JSON value: ${(error as Error).message}`, { location: { file, line: lineNumber } });
      }
      const subject = (options.subjectField === undefined ? undefined : subjectOf(value, options.subjectField)) ?? options.subject;
      if (subject === undefined) throw new LedgerError('usage', `no subject: the line has no string at "${options.subjectField}" and no --subject was given`, { location: { file, line: lineNumber } });
      batch.push({ subject, data: line });
      if (batch.length >= BATCH) await send();
    }
  } catch (error) {
    // Lines before the bad one may already be durable: say so rather than leave the caller guessing.
    await Promise.allSettled(inFlight);
    if (error instanceof LedgerError) {
      throw new LedgerError(error.reason, `${error.message} (${count} earlier line(s) were appended and stay in the log)`, { ...(error.location ? { location: error.location } : {}), cause: error });
    }
    // The input itself failed (missing file, a directory, a read error): the user's input, not a bug.
    if (typeof (error as NodeJS.ErrnoException).code === 'string') {
      throw new LedgerError('io', `cannot read ${file}: ${(error as Error).message} (${count} earlier line(s) were appended and stay in the log)`, { cause: error });
    }
    throw error;
  }
  if (batch.length > 0) await send();
  await Promise.all(inFlight);
  return { first, count };
}
