// Decodes a large YAML file as several texts, each holding whole documents. A string longer than
// about 128 KiB is a "large object" to V8: it gets freshly mapped memory of its own, and the first
// touch of that memory costs a page fault per 4 KiB, far more than the copy itself. Texts below
// that size live in the young generation, whose memory is reused. The parser reads a stream
// document by document anyway, so nothing but the splitting changes.
import type { Buffer } from 'node:buffer';

/** A text holding whole documents of a stream, and where it starts in the stream. */
export interface TextSegment {
  text: string;
  offset: number;
}

/**
 * Bytes of an ASCII file per text: below V8's large-object threshold for strings (131,056 bytes
 * of characters, one byte each for Latin-1 text), with room to spare.
 */
export const SEGMENT_CHARACTERS = 120 * 1024;

/** Bytes of UTF-8 per text: at most as many characters, which may take two bytes each. */
const SEGMENT_UTF8_BYTES = SEGMENT_CHARACTERS / 2;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/**
 * The texts of a YAML stream (valid ASCII or UTF-8 `bytes`, as `encoding` says), each as long as
 * whole documents allow up to `limit` bytes; null when it is short, or not certain to split the
 * same way the whole text does (carriage returns, a byte order mark, JSON, no `---` line), in
 * which case the caller decodes it whole. Cuts fall on ASCII line starts, never inside a UTF-8
 * sequence, so each text decodes to exactly its part of the whole.
 *
 * Cuts are made only at a `---` line that follows another `---` line, where reading the whole text
 * also ends one document and starts the next with nothing carried over, provided the stream has no
 * `...` end marker line (which the reader of the segments checks: streamYamlSegments in yaml.ts).
 */
export function segmentYaml(
  bytes: Buffer,
  encoding: 'latin1' | 'utf8',
  limit = encoding === 'latin1' ? SEGMENT_CHARACTERS : SEGMENT_UTF8_BYTES,
): TextSegment[] | null {
  const length = bytes.length;
  if (length <= limit) return null;
  if (bytes.indexOf(CR) !== -1 || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return null;
  if (firstNonBlank(bytes) === 0x7b) return null; // read as JSON first
  const first = startsWithMarker(bytes, 0) ? 0 : nextMarker(bytes, 0);
  if (first < 0) return null;
  const segments: TextSegment[] = [];
  let start = 0;
  let offset = 0; // in characters (UTF-16 code units), as positions count them
  const add = (end: number): void => {
    const text = bytes.toString(encoding, start, end);
    segments.push({ text, offset });
    offset += text.length;
    start = end;
  };
  while (length - start > limit) {
    const cut = lastMarkerBefore(bytes, start + limit, Math.max(start, first) + 1);
    if (cut >= 0) {
      add(cut);
      continue;
    }
    // One document longer than the limit: it still needs a text of its own.
    const next = nextMarker(bytes, Math.max(start + limit, first + 1));
    if (next < 0) break;
    add(next);
  }
  add(length);
  return segments;
}

/** Whether a `---` marker line starts at `at`. */
function startsWithMarker(bytes: Buffer, at: number): boolean {
  if (bytes[at] !== DASH || bytes[at + 1] !== DASH || bytes[at + 2] !== DASH) return false;
  const after = bytes[at + 3];
  return after === undefined || after === 0x20 || after === 0x09 || after === LF || after === CR;
}

/** The offset of the first `---` marker line starting after `from`, or -1. */
function nextMarker(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf('\n---', from); at !== -1; at = bytes.indexOf('\n---', at + 1)) {
    if (startsWithMarker(bytes, at + 1)) return at + 1;
  }
  return -1;
}

/** The offset of the last `---` marker line starting in [min, before], or -1. */
function lastMarkerBefore(bytes: Buffer, before: number, min: number): number {
  for (let at = bytes.lastIndexOf('\n---', before - 1); at !== -1 && at + 1 >= min; at = bytes.lastIndexOf('\n---', at - 1)) {
    if (startsWithMarker(bytes, at + 1)) return at + 1;
  }
  return -1;
}

function firstNonBlank(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== LF && c !== CR) return c;
  }
  return -1;
}
