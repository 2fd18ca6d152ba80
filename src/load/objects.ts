// Parsed documents → Kubernetes objects: `List` kinds expanded, things that are not Kubernetes
// objects skipped with a note, identity (name, namespace) read from metadata.
import type { FieldPath, KubeObject, Position, PositionLocator } from '../core/index.ts';
import { note, type Diagnostic } from './diagnostic.ts';
import type { TableLocator } from './locator.ts';
import type { ParsedDocument } from './yaml.ts';

export interface ObjectsOutcome {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
}

/**
 * Where an object's positions are reported: the file name and a line offset, for streams whose
 * documents each stand for another file (a Helm template).
 */
export interface Provenance {
  file: string;
  /** Subtracted from every line (0 for ordinary files). */
  lineShift: number;
}

type Provenancer = (document: ParsedDocument) => Provenance;

/** Bounds List nesting (a List of Lists is legal; a hundred levels of it is not a manifest). */
const MAX_LIST_DEPTH = 8;

export function documentsToObjects(documents: readonly ParsedDocument[], file: string, provenance?: Provenancer): ObjectsOutcome {
  const objects: KubeObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const plain: Provenance = { file, lineShift: 0 };
  for (let i = 0; i < documents.length; i++) {
    const document = documents[i]!;
    const where = provenance?.(document) ?? plain;
    collect(document.value, document.positions, document.line, document.column, document.index, where, 0, objects, diagnostics);
  }
  return { objects, diagnostics };
}

/** The objects of one document of `where.file` (several for a List), appended to `objects`; notes to `diagnostics`. */
export function documentObjects(document: ParsedDocument, where: Provenance, objects: KubeObject[], diagnostics: Diagnostic[]): void {
  collect(document.value, document.positions, document.line, document.column, document.index, where, 0, objects, diagnostics);
}

/** `line`/`column`: where `value` itself is written (what `locator.locate([])` answers). */
function collect(
  value: unknown,
  locator: TableLocator,
  line: number,
  column: number,
  index: number,
  where: Provenance,
  depth: number,
  objects: KubeObject[],
  diagnostics: Diagnostic[],
): void {
  // Empty documents (a trailing `---`, comments only) are skipped silently.
  if (value === null) return;
  const atLine = shiftLine(line, where.lineShift);
  if (typeof value !== 'object' || Array.isArray(value)) {
    const shape = Array.isArray(value) ? 'a sequence' : `a ${typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean'}`;
    diagnostics.push(note('E_INPUT', `skipped: not a Kubernetes object (the document is ${shape})`, { file: where.file, line: atLine, column }));
    return;
  }
  const record = value as Record<string, unknown>;
  const { apiVersion, kind } = record;
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
    const missing = [typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : '', typeof kind !== 'string' || kind === '' ? 'kind' : '']
      .filter(Boolean)
      .join(' and ');
    diagnostics.push(note('E_INPUT', `skipped: not a Kubernetes object (no string ${missing})`, { file: where.file, line: atLine, column }));
    return;
  }
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(record.items)) {
    if (depth >= MAX_LIST_DEPTH) {
      diagnostics.push(note('E_INPUT', `skipped: Lists nested more than ${MAX_LIST_DEPTH} deep`, { file: where.file, line: atLine, column }));
      return;
    }
    record.items.forEach((item: unknown, i: number) => {
      const itemLocator = locator.nested(['items', i]);
      const itemAt = itemLocator.locate([]);
      // An item's index stands in for the document index, as ObjectSource documents.
      collect(item, itemLocator, itemAt.line, itemAt.column, i, where, depth + 1, objects, diagnostics);
    });
    return;
  }
  const metadata = record.metadata !== null && typeof record.metadata === 'object' && !Array.isArray(record.metadata)
    ? (record.metadata as Record<string, unknown>)
    : {};
  const name =
    typeof metadata.name === 'string' && metadata.name !== ''
      ? metadata.name
      : typeof metadata.generateName === 'string' && metadata.generateName !== ''
        ? `${metadata.generateName}*`
        : '';
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : null;
  objects.push({
    apiVersion,
    kind,
    namespace,
    name,
    raw: record,
    source: { file: where.file, document: index, line: atLine, column },
    positions: where.lineShift === 0 ? locator : new ShiftedLocator(locator, where.lineShift),
  });
}

function shift(position: Position, lines: number): Position {
  return lines === 0 ? position : { line: shiftLine(position.line, lines), column: position.column };
}

function shiftLine(line: number, lines: number): number {
  return lines === 0 ? line : Math.max(1, line - lines);
}

class ShiftedLocator implements PositionLocator {
  private readonly inner: PositionLocator;
  private readonly lines: number;

  constructor(inner: PositionLocator, lines: number) {
    this.inner = inner;
    this.lines = lines;
  }

  locate(path: FieldPath): Position {
    return shift(this.inner.locate(path), this.lines);
  }
}
