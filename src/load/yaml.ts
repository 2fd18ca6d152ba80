// Initial implementation over js-yaml's event stream; the loader's owner replaces the internals
// (fast path, Kubernetes YAML 1.1 scalar resolution, per-document error recovery). The exported
// signature is what the rest of Bulwark depends on.
import { constructFromEvents, getScalarValue, parseEvents, YAML11_SCHEMA, type Event } from 'js-yaml';
import { BulwarkError, type FieldPath, type Position, type PositionLocator } from '../core/index.ts';

export interface ParsedDocument {
  /** 0-based index of the document in the stream. */
  index: number;
  value: unknown;
  /** Position of the document's root node. */
  line: number;
  column: number;
  /** Positions of fields, paths relative to `value`. */
  positions: PositionLocator;
}

export interface ParseOutcome {
  documents: ParsedDocument[];
  /** Syntax errors, duplicate keys, limits hit: each names file, line and column. Never thrown. */
  errors: BulwarkError[];
}

interface PosNode {
  offset: number;
  children?: Map<string | number, PosNode>;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function toPosition(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

export function parseYamlStream(text: string, file: string): ParseOutcome {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(text, { filename: file });
    values = constructFromEvents(events, { source: text, schema: YAML11_SCHEMA });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? String(error);
    return {
      documents: [],
      errors: [
        new BulwarkError('E_PARSE', reason, {
          location: mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file },
          cause: error,
        }),
      ],
    };
  }
  const starts = lineStarts(text);
  const roots: PosNode[] = [];
  let i = 0;
  const read = (): PosNode => {
    const event = events[i++]!;
    if (event.type === 4) return { offset: event.valueStart };
    if (event.type === 5) return { offset: event.anchorStart };
    if (event.type === 2 || event.type === 3) {
      const node: PosNode = { offset: event.start, children: new Map() };
      let index = 0;
      while (events[i]!.type !== 6) {
        if (event.type === 2) node.children!.set(index++, read());
        else {
          const keyEvent = events[i]!;
          const key = keyEvent.type === 4 ? getScalarValue(text, keyEvent) : String(index++);
          const keyNode = read();
          const valueNode = read();
          // A field's position is where its key is written: that is the line a reader looks at.
          valueNode.offset = keyNode.offset;
          node.children!.set(key, valueNode);
        }
      }
      i++;
      return node;
    }
    throw new Error(`unexpected event ${event.type}`);
  };
  while (i < events.length) {
    const event = events[i++]!;
    if (event.type === 1) {
      roots.push(events[i]!.type === 6 ? { offset: 0 } : read());
      i++; // document pop
    }
  }
  const documents: ParsedDocument[] = values.map((value, index) => {
    const root = roots[index] ?? { offset: 0 };
    const at = toPosition(starts, Math.max(root.offset, 0));
    return {
      index,
      value,
      line: at.line,
      column: at.column,
      positions: {
        locate(path: FieldPath): Position {
          let node = root;
          for (const segment of path) {
            const next = node.children?.get(segment);
            if (next === undefined) break;
            node = next;
          }
          return toPosition(starts, Math.max(node.offset, 0));
        },
      },
    };
  });
  return { documents, errors: [] };
}
