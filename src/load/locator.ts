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

/** The offset of the deepest existing segment of `path` under `root` (whose own offset is `rootOffset`). */
export function locateOffset(table: PositionTable, root: unknown, rootOffset: number, path: FieldPath): number {
  let node = root;
  let offset = rootOffset;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') break;
    const entries = table.get(node);
    if (entries === undefined) break;
    let found = -1;
    if (Array.isArray(node)) {
      if (typeof segment !== 'number') break;
      const at = entries[segment];
      if (typeof at === 'number') found = at;
    } else {
      if (typeof segment !== 'string') break;
      for (let i = entries.length - 2; i >= 0; i -= 2) {
        if (entries[i] === segment) {
          found = entries[i + 1] as number;
          break;
        }
      }
    }
    if (found < 0) break;
    offset = found;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return offset;
}

export class TableLocator implements PositionLocator {
  private readonly table: PositionTable;
  private readonly root: unknown;
  private readonly rootOffset: number;
  private readonly lines: LineIndex;

  constructor(table: PositionTable, root: unknown, rootOffset: number, lines: LineIndex) {
    this.table = table;
    this.root = root;
    this.rootOffset = rootOffset;
    this.lines = lines;
  }

  locate(path: FieldPath): Position {
    return this.lines.position(locateOffset(this.table, this.root, this.rootOffset, path));
  }

  /** A locator for a value nested in this one (a List's item), sharing the same table. */
  nested(value: unknown, offset: number): TableLocator {
    return new TableLocator(this.table, value, offset, this.lines);
  }

  /** The 1-based line of an offset in the same text. */
  lineOf(offset: number): number {
    return this.lines.position(offset).line;
  }

  /** The offset of a field, for callers that need it raw. */
  offsetOf(path: FieldPath): number {
    return locateOffset(this.table, this.root, this.rootOffset, path);
  }
}
