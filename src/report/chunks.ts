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
