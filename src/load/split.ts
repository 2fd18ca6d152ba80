// Splits a YAML stream into its documents before parsing, so that a broken document costs only
// itself and every position stays an offset into the whole file. A line that starts with `---` or
// `...` followed by a space, a tab or the end of the line is a document marker wherever it appears
// (YAML forbids such a line inside a document's content), which is what makes this safe.
import { scanLines } from './lines.ts';

export interface Chunk {
  /** Offset of the chunk's first line: its prologue (directives, comments) or its `---` line. */
  start: number;
  /** Offset of the `---` marker line, or -1 for a document without one. */
  marker: number;
  /** Offset just past the chunk (the next marker line, or the end of the text). */
  end: number;
  /** Has `%` directive lines, which only the full parser handles. */
  directives: boolean;
}

// What scanContent found, as bits.
const CONTENT = 1;
const DIRECTIVES = 2;

/** `markers`: the text's document marker lines, when a pass over it already found them. */
export function splitDocuments(text: string, markers: readonly number[] = scanLines(text).markers): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let marker = -1;
  let directives = false;
  for (let i = 0; i < markers.length; i++) {
    const at = markers[i]!;
    if (text.charCodeAt(at) === 0x2d) {
      const scan = scanContent(text, start, at, marker);
      if ((scan & CONTENT) !== 0 || marker !== -1) {
        chunks.push({ start, marker, end: at, directives: directives || (scan & DIRECTIVES) !== 0 });
        start = at;
        directives = false;
      } else {
        // Only comments and directives so far: they are the prologue of the document this marker starts.
        directives ||= (scan & DIRECTIVES) !== 0;
      }
      marker = at;
    } else {
      close(text, chunks, start, marker, at, directives);
      const newline = text.indexOf('\n', at);
      start = newline === -1 ? text.length : newline + 1;
      marker = -1;
      directives = false;
    }
  }
  close(text, chunks, start, marker, text.length, directives);
  return chunks;
}

function close(text: string, chunks: Chunk[], start: number, marker: number, end: number, directives: boolean): void {
  const scan = scanContent(text, start, end, marker);
  if ((scan & CONTENT) !== 0 || marker !== -1) chunks.push({ start, marker, end, directives: directives || (scan & DIRECTIVES) !== 0 });
}

/** Whether [start, end) holds anything but blank lines, comments, directives and the `---` marker (CONTENT), and directives. */
function scanContent(text: string, start: number, end: number, marker: number): number {
  let directives = 0;
  let p = start;
  while (p < end) {
    const lineStart = p;
    if (p === marker) p += 3; // content after the marker on its line (`--- value`) still counts below
    while (p < end && (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09)) p++;
    const c = p < end ? text.charCodeAt(p) : 0x0a;
    if (c === 0x25 && p === lineStart) directives = DIRECTIVES;
    else if (c !== 0x0a && c !== 0x0d && c !== 0x23) return CONTENT | directives;
    const newline = text.indexOf('\n', p);
    p = newline === -1 || newline >= end ? end : newline + 1;
  }
  return directives;
}
