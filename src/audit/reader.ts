// Reading audit events from files or stdin for offline replay (`bulwark audit detect`): a JSON
// document (an Event, an EventList, or an array of events, as `kubectl` or a test suite writes
// them) or JSON lines (what the API server's log backend writes, one Event per line). Whatever is
// wrong is reported with the file and line, and the rest is still read.
import { createReadStream, statSync } from 'node:fs';
import { AuditError } from './errors.ts';
import { eventsOfDocument, parseJson, type AuditEvent, type ParseProblem } from './event.ts';
import { LineSplitter } from './lines.ts';

export interface ReadOptions {
  /** Longest accepted line of a JSON-lines file (default 8 MiB). */
  maxLineBytes?: number;
  /** Largest file read as one JSON document (default 64 MiB); larger ones are read as JSON lines. */
  maxDocumentBytes?: number;
}

export interface EventBatch {
  events: AuditEvent[];
  problems: ParseProblem[];
}

export const DEFAULT_MAX_LINE_BYTES = 8 << 20;
const DEFAULT_MAX_DOCUMENT_BYTES = 64 << 20;
const BATCH_EVENTS = 1024;

/**
 * The size of an input file, or the input error a user should see: callers check every file this
 * way before the slow start (compiling the rules), so a mistyped name is reported at once.
 */
export function sizeOfSource(source: string): number {
  let stats;
  try {
    stats = statSync(source);
  } catch (error) {
    const reason = /^[A-Z]+: ([^,]+)/.exec((error as Error).message)?.[1] ?? (error as Error).message;
    throw new AuditError('io', `cannot read: ${reason}`, { location: { file: source }, cause: error });
  }
  if (stats.isDirectory()) throw new AuditError('io', 'is a directory: give the audit log files in it', { location: { file: source } });
  return stats.size;
}

/** The events of `source` (a path, or `-` for stdin), in batches. */
export async function* readAuditEvents(source: string, options: ReadOptions = {}): AsyncGenerator<EventBatch> {
  const name = source === '-' ? '<stdin>' : source;
  const maxDocument = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const size = source === '-' ? Number.POSITIVE_INFINITY : sizeOfSource(source);
  const stream = source === '-' ? process.stdin : createReadStream(source);
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  // The start of the input is kept until it is known whether the whole input is one JSON document
  // (only for inputs small enough to be one).
  let head: Buffer[] | undefined = size <= maxDocument || source === '-' ? [] : undefined;
  let headBytes = 0;
  const lineItems: ReturnType<LineSplitter['push']> = [];
  let batch: EventBatch = { events: [], problems: [] };
  const takeLines = (items: ReturnType<LineSplitter['push']>): void => {
    for (const item of items) {
      if (item.kind === 'overlong') {
        batch.problems.push({ where: `${name}:${item.line}`, message: `line of ${item.bytes} bytes is longer than the ${splitter.maxLineBytes} accepted; skipped` });
        continue;
      }
      if (item.text.trim() === '') continue;
      const where = `${name}:${item.line}`;
      const parsed = parseJson(item.text, where);
      if (!parsed.ok) {
        batch.problems.push(parsed.problem);
        continue;
      }
      const found = eventsOfDocument(parsed.value, where);
      batch.events.push(...found.events);
      batch.problems.push(...found.problems);
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (head !== undefined) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes <= maxDocument) continue;
        // Too large to be one document: from here on, JSON lines.
        for (const part of head) lineItems.push(...splitter.push(part));
        head = undefined;
      } else lineItems.push(...splitter.push(chunk));
      takeLines(lineItems.splice(0));
      if (batch.events.length >= BATCH_EVENTS || batch.problems.length >= BATCH_EVENTS) {
        yield batch;
        batch = { events: [], problems: [] };
      }
    }
  } catch (error) {
    throw new AuditError('io', `cannot read ${name}: ${(error as Error).message}`, { location: { file: name }, cause: error });
  }
  if (head !== undefined) {
    const text = Buffer.concat(head, headBytes).toString('utf8');
    const whole = parseJson(text, name);
    if (whole.ok && typeof whole.value === 'object' && whole.value !== null) {
      // One JSON document (possibly spread over many lines).
      yield eventsOfDocument(whole.value, name);
      return;
    }
    for (const part of head) lineItems.push(...splitter.push(part));
  }
  lineItems.push(...splitter.end());
  takeLines(lineItems.splice(0));
  yield batch;
}
