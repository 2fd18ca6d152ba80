// Answers "where is this field written?" for one document: walks the position table along a field
// path, then turns the offset found into a line and column.
import type { FieldPath, Position, PositionLocator } from '../core/index.ts';
import type { LineIndex } from './lines.ts';
import type { PositionTable } from './tree.ts';

// Where the last walkOffset ended, besides the offset it returns: registers, as locating a field
// should allocate nothing but the position it answers.
const walked = { value: null as unknown, record: -1 };

/** The offset of the deepest existing segment of `path` from a value (its value and record left in `walked`). */
function walkOffset(table: PositionTable, value: unknown, offset: number, record: number, path: FieldPath): number {
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== 'object') break;
    const segment = path[i]!;
    const found = table.member(record, value, segment);
    if (found < 0) break;
    offset = found;
    record = table.memberChild;
    value = (value as Record<string | number, unknown>)[segment];
  }
  walked.value = value;
  walked.record = record;
  return offset;
}

export class TableLocator implements PositionLocator {
  private readonly table: PositionTable;
  private readonly lines: LineIndex;
  private readonly value: unknown;
  private readonly offset: number;
  private readonly record: number;

  constructor(table: PositionTable, lines: LineIndex, value: unknown, offset: number, record: number) {
    this.table = table;
    this.lines = lines;
    this.value = value;
    this.offset = offset;
    this.record = record;
  }

  locate(path: FieldPath): Position {
    if (path.length === 0) return this.lines.position(this.offset);
    const offset = walkOffset(this.table, this.value, this.offset, this.record, path);
    walked.value = null; // holds nothing alive
    return this.lines.position(offset);
  }

  /** A locator rooted at a value inside this one (a List's item), sharing the same table. */
  nested(path: FieldPath): TableLocator {
    const offset = walkOffset(this.table, this.value, this.offset, this.record, path);
    const value = walked.value;
    walked.value = null;
    return new TableLocator(this.table, this.lines, value, offset, walked.record);
  }

  /** The 1-based line of an offset in the same text. */
  lineOf(offset: number): number {
    return this.lines.lineOf(offset);
  }
}
