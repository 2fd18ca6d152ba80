import type { Finding } from '../core/index.ts';

/**
 * Large reports are produced as a sequence of pieces rather than one string. A 50,000-finding JSON
 * report is about 35 MB; building it as one string means touching 35 MB of fresh memory, which on a
 * virtual machine costs more than producing the text. Pieces of about 64 KiB reuse the same young
 * memory, so a writer that consumes them as they come stays fast and small.
 *
 * Each format appends its text to a pending string and hands it out once it reaches `CHUNK_SIZE`.
 * V8 keeps such a string as a list of the appended parts and copies them out once, when the writer
 * encodes the piece; collecting the parts in an array and joining them measured no faster.
 */

/** Size of the pieces handed to writers: large enough to keep write calls few. */
export const CHUNK_SIZE = 64 * 1024;

/** The whole text at once, for callers that need a string. */
export function joinParts(parts: Iterable<string>): string {
  return Array.from(parts).join('');
}

/** A JSON number; non-finite values are not JSON, and JSON.stringify writes them as null. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** `JSON.stringify(value, null, 2)` nested at `indent` spaces, as a property value. */
export function indentedJson(value: unknown, indent: number): string {
  const text = JSON.stringify(value, null, 2);
  return indent === 0 ? text : text.replaceAll('\n', `\n${' '.repeat(indent)}`);
}

/**
 * A character beyond Latin-1. V8 stores a string holding one at two bytes a character, and a piece
 * into which such a text was appended is flattened that way as a whole when it is written, which
 * measured ten times slower than the same piece in one byte a character (300 ms instead of 30 for a
 * 22 MB report with an arrow in a few hundred messages). Renderers hand such lines out on their own.
 */
export const WIDE_CHARACTER = /[^\u0000-\u00ff]/;

/** Whether a finding's own texts (not its control's) hold a character beyond Latin-1. */
export function findingHoldsWide(finding: Finding): boolean {
  const { object, location } = finding;
  return (
    WIDE_CHARACTER.test(finding.message) ||
    WIDE_CHARACTER.test(location.path) ||
    WIDE_CHARACTER.test(location.file) ||
    WIDE_CHARACTER.test(object.name) ||
    (object.namespace !== null && WIDE_CHARACTER.test(object.namespace)) ||
    WIDE_CHARACTER.test(object.kind) ||
    WIDE_CHARACTER.test(object.apiVersion) ||
    WIDE_CHARACTER.test(finding.control)
  );
}

/** Writes one line per finding; each line starts with the `,` that separates it from the one before. */
export interface FindingLineWriter {
  next(finding: Finding): string;
  /** Whether the line `next` returned last holds a character beyond Latin-1. */
  readonly wide: boolean;
}

/**
 * `head` and then the findings' lines (the first without its leading comma), in pieces of about
 * CHUNK_SIZE; a wide line goes out as a piece of its own. Returns the text not yet handed out, which
 * the caller ends the document with, and whether there was any finding.
 */
export function* findingPieces(head: string, findings: readonly Finding[], lines: FindingLineWriter): Generator<string, { rest: string; any: boolean }> {
  let pending = head;
  for (let i = 0; i < findings.length; i++) {
    const line = lines.next(findings[i]!);
    const piece = i === 0 ? line.slice(1) : line;
    if (lines.wide) {
      if (pending.length > 0) yield pending;
      yield piece;
      pending = '';
      continue;
    }
    pending += piece;
    if (pending.length >= CHUNK_SIZE) {
      yield pending;
      pending = '';
    }
  }
  return { rest: pending, any: findings.length > 0 };
}
