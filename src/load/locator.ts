// Turns offsets into 1-based line/column positions, lazily: most objects are never asked where a
// field is, so line starts are computed once per file on first use.
import type { FieldPath, Position, PositionLocator } from '../core/index.ts';
import type { PositionTable } from './tree.ts';

export class LineIndex {
  private starts: Int32Array | null = null;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  position(offset: number): Position {
    const starts = (this.starts ??= computeLineStarts(this.text));
    const target = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: target - starts[lo]! + 1 };
  }
}

function computeLineStarts(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
  return starts;
}

/** Where a value sits: its offset and its record in the table (-1 for a scalar). */
export interface Place {
  value: unknown;
  offset: number;
  record: number;
}

/** The deepest existing segment of `path` from `start`. */
export function walk(table: PositionTable, start: Place, path: FieldPath): Place {
  let { value, offset, record } = start;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') break;
    const found = table.member(record, value, segment);
    if (found < 0) break;
    offset = found;
    record = table.memberChild;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return { value, offset, record };
}

export class TableLocator implements PositionLocator {
  private readonly table: PositionTable;
  private readonly root: Place;
  private readonly lines: LineIndex;

  constructor(table: PositionTable, root: Place, lines: LineIndex) {
    this.table = table;
    this.root = root;
    this.lines = lines;
  }

  locate(path: FieldPath): Position {
    return this.lines.position(walk(this.table, this.root, path).offset);
  }

  /** A locator rooted at a value inside this one (a List's item), sharing the same table. */
  nested(path: FieldPath): TableLocator {
    return new TableLocator(this.table, walk(this.table, this.root, path), this.lines);
  }

  /** The 1-based line of an offset in the same text. */
  lineOf(offset: number): number {
    return this.lines.position(offset).line;
  }
}
