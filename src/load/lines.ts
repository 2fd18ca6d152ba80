// Turns offsets into 1-based line/column positions. Every document's root needs a position, so the
// line starts of a text are found up front, in the same pass that finds its document markers: one
// native substring search per line, which costs the same in a cold process as in a warm one.
import type { Position } from '../core/index.ts';

export class LineIndex {
  private starts: Int32Array | null;
  private count: number;
  /**
   * Only until the line starts are found: a locator lives as long as its object, and an object kept
   * for the cross-object checks would otherwise keep its whole text alive.
   */
  private text: string | null;
  private readonly length: number;
  private readonly firstLine: number;

  /**
   * `starts`/`count`: the line starts when already known (see {@link scanLines}); else found on
   * first use. `linesBefore`: lines of the stream before `text` (a segment of it, see segments.ts).
   */
  constructor(text: string, starts: Int32Array | null = null, count = 0, linesBefore = 0) {
    this.text = starts === null ? text : null;
    this.length = text.length;
    this.starts = starts;
    this.count = count;
    this.firstLine = linesBefore + 1;
  }

  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, column: this.columnIn(line, offset) };
  }

  /** The 1-based line of an offset. */
  lineOf(offset: number): number {
    if (this.starts === null) {
      const scan = scanLines(this.text!, false);
      this.starts = scan.starts;
      this.count = scan.count;
      this.text = null;
    }
    const starts = this.starts;
    const target = clamp(offset, this.length);
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo + this.firstLine;
  }

  /** The 1-based column of an offset on its (1-based) line, as {@link lineOf} found it. */
  columnIn(line: number, offset: number): number {
    return clamp(offset, this.length) - this.starts![line - this.firstLine]! + 1;
  }
}

function clamp(offset: number, length: number): number {
  return offset < 0 ? 0 : offset > length ? length : offset;
}

export interface LineScan {
  /** Offsets of line starts (`\n` ends a line), in [0, count). */
  starts: Int32Array;
  count: number;
  /**
   * Offsets of the lines that start with `---` or `...` followed by white space or the line's end:
   * document markers, in order (empty when not asked for).
   */
  markers: number[];
}

/** Line starts, and with `markers` the document marker lines, of `text` in one pass. */
export function scanLines(text: string, markers = true): LineScan {
  // About 20 characters a line in manifests; the array doubles when that guess is short.
  let starts = new Int32Array((text.length >> 4) + 16);
  let count = 1;
  const found: number[] = [];
  if (markers && isMarker(text, 0)) found.push(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (count === starts.length) {
      const grown = new Int32Array(count * 2);
      grown.set(starts);
      starts = grown;
    }
    const next = i + 1;
    starts[count++] = next;
    if (markers && next < text.length) {
      const c = text.charCodeAt(next);
      if ((c === 0x2d || c === 0x2e) && isMarker(text, next)) found.push(next);
    }
  }
  return { starts, count, markers: found };
}

/** Whether a document marker line starts at `at` (a line start). */
function isMarker(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c !== 0x2d && c !== 0x2e) return false;
  if (text.charCodeAt(at + 1) !== c || text.charCodeAt(at + 2) !== c) return false;
  if (at + 3 >= text.length) return true;
  const after = text.charCodeAt(at + 3);
  return after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d;
}
