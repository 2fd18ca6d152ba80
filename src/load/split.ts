// Splits a YAML stream into its documents before parsing, so that a broken document costs only
// itself and every position stays an offset into the whole file. A line that starts with `---` or
// `...` followed by a space, a tab or the end of the line is a document marker wherever it appears
// (YAML forbids such a line inside a document's content), which is what makes this safe.

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

/**
 * Offsets of the lines that start with `---` or `...` followed by white space or the line's end, in
 * order. Found by plain substring search, far cheaper than a multi-line regular expression.
 */
function markerLines(text: string): number[] {
  const found: number[] = [];
  for (const marker of ['---', '...']) {
    const needle = `\n${marker}`;
    const first = text.indexOf(needle);
    let at = text.startsWith(marker) ? 0 : first === -1 ? -1 : first + 1;
    while (at !== -1) {
      const after = text.charCodeAt(at + 3);
      if (at + 3 >= text.length || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d) found.push(at);
      const next = text.indexOf(needle, at + 3);
      at = next === -1 ? -1 : next + 1;
    }
  }
  return found.sort((a, b) => a - b);
}

interface Scan {
  content: boolean;
  directives: boolean;
}

export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let marker = -1;
  let directives = false;
  const close = (end: number): void => {
    const scan = scanContent(text, start, end, marker);
    if (scan.content || marker !== -1) {
      chunks.push({ start, marker, end, directives: directives || scan.directives });
    }
  };
  for (const at of markerLines(text)) {
    if (text.charCodeAt(at) === 0x2d) {
      const scan = scanContent(text, start, at, marker);
      if (scan.content || marker !== -1) {
        chunks.push({ start, marker, end: at, directives: directives || scan.directives });
        start = at;
        directives = false;
      } else {
        // Only comments and directives so far: they are the prologue of the document this marker starts.
        directives ||= scan.directives;
      }
      marker = at;
    } else {
      close(at);
      const newline = text.indexOf('\n', at);
      start = newline === -1 ? text.length : newline + 1;
      marker = -1;
      directives = false;
    }
  }
  close(text.length);
  return chunks;
}

/** Whether [start, end) holds anything but blank lines, comments, directives and the `---` marker. */
function scanContent(text: string, start: number, end: number, marker: number): Scan {
  let directives = false;
  let p = start;
  while (p < end) {
    const lineStart = p;
    if (p === marker) p += 3; // content after the marker on its line (`--- value`) still counts below
    while (p < end && (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09)) p++;
    const c = p < end ? text.charCodeAt(p) : 0x0a;
    if (c === 0x25 && p === lineStart) directives = true;
    else if (c !== 0x0a && c !== 0x0d && c !== 0x23) return { content: true, directives };
    const newline = text.indexOf('\n', p);
    p = newline === -1 || newline >= end ? end : newline + 1;
  }
  return { content: false, directives };
}
