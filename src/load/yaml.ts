// Reads a YAML (or JSON) stream into documents with positions, as the Kubernetes API server would
// decode them. Each document goes through the fast parser when it is in the subset that parser
// handles, and through the full parser otherwise; a broken document costs only itself.
import { BulwarkError, type ErrorLocation } from '../core/index.ts';
import { codeUnitsFor, parseFast, releaseCodeUnits } from './fast-parser.ts';
import { resetInterning } from './intern.ts';
import { parseFull } from './full-parser.ts';
import type { TextSegment } from './segments.ts';
import { looksLikeJson, parseJsonStream } from './json.ts';
import { LineIndex, scanLines } from './lines.ts';
import { TableLocator } from './locator.ts';
import { splitDocuments } from './split.ts';
import { PositionTable, type Issue } from './tree.ts';

export interface ParsedDocument {
  /** 0-based index of the document in the stream. */
  index: number;
  value: unknown;
  /** Position of the document's root node. */
  line: number;
  column: number;
  /** Positions of fields, paths relative to `value`. */
  positions: TableLocator;
  /** Offset of the root node in the (normalised) text. */
  offset: number;
  /** Which parser read it: the fast subset parser, the full YAML parser, or the JSON parser. */
  parser: 'fast' | 'full' | 'json';
}

export interface ParseOutcome {
  documents: ParsedDocument[];
  /** Syntax errors, duplicate keys, limits hit: each names file, line and column. Never thrown. */
  errors: BulwarkError[];
}

export interface ParseOptions {
  /** Use the fast parser where it applies (default true); off, every document takes the full parser. */
  fast?: boolean;
}

/**
 * Line breaks are normalised to `\n` (which moves no line or column) and a byte order mark is
 * dropped, so offsets index this text.
 */
export function normalizeText(text: string): string {
  let out = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (out.indexOf('\r\n') !== -1) out = out.replaceAll('\r\n', '\n');
  return out;
}

export function parseYamlStream(text: string, file: string, options: ParseOptions = {}): ParseOutcome {
  resetInterning();
  const source = normalizeText(text);

  if (looksLikeJson(source)) {
    const lines = new LineIndex(source);
    const table = new PositionTable(source.length);
    const errors: BulwarkError[] = [];
    const json = parseJsonStream(source, table);
    if (json.error === null) {
      const documents = json.documents.map((document, index) => {
        for (const issue of document.issues) errors.push(parseError(file, lines, issue));
        return makeDocument(index, document.value, document.offset, 0, document.record, table, lines, 'json');
      });
      return { documents, errors };
    }
    // Outside a .json file it may be YAML in flow style: read it as YAML, and keep the JSON
    // parser's message if YAML cannot read it either.
    if (!/\.json$/i.test(file)) {
      const asYaml = parseYamlDocuments(source, file, options);
      if (asYaml.errors.length === 0) return asYaml;
    }
    return { documents: [], errors: [parseError(file, lines, json.error)] };
  }
  return parseYamlDocuments(source, file, options);
}

/**
 * Parses a stream given as consecutive texts that each hold whole documents (see segments.ts):
 * the same documents, positions and errors as {@link parseYamlStream} on their concatenation.
 */
export function parseYamlSegments(segments: readonly TextSegment[], file: string, options: ParseOptions = {}): ParseOutcome {
  const errors: BulwarkError[] = [];
  const documents = [...streamYamlSegments(segments, file, errors, options)];
  return { documents, errors };
}

// An end marker line (`...`), as scanLines finds document markers.
const END_MARKER_LINE = /(?:^|\n)\.\.\.(?:[ \t\r\n]|$)/;

/**
 * The documents of {@link parseYamlSegments}, each yielded as soon as it is read, so that a caller
 * can evaluate and let go of it before the next is parsed: what is alive of a file is then the
 * document at hand rather than all of the file's parse trees (which every minor collection copied
 * while they were). Errors are appended to `errors` as they are found, in the same order.
 */
export function* streamYamlSegments(segments: readonly TextSegment[], file: string, errors: BulwarkError[], options: ParseOptions = {}): Generator<ParsedDocument> {
  if (segments.length > 1 && segments.some((segment) => END_MARKER_LINE.test(segment.text))) {
    // An end marker can carry a document's state across a cut: the stream is read whole.
    const outcome = parseYamlStream(segments.map((segment) => segment.text).join(''), file, options);
    errors.push(...outcome.errors);
    yield* outcome.documents;
    return;
  }
  resetInterning();
  let characters = 0;
  for (const segment of segments) characters += segment.text.length;
  const into = new Accumulator(characters, errors);
  for (const segment of segments) yield* documentsOf(segment.text, segment.offset, file, options, into);
}

/** {@link parseYamlStream}, document by document as {@link streamYamlSegments} reads them (JSON is read whole). */
export function* streamYamlText(text: string, file: string, errors: BulwarkError[], options: ParseOptions = {}): Generator<ParsedDocument> {
  const source = normalizeText(text);
  if (looksLikeJson(source)) {
    const outcome = parseYamlStream(text, file, options);
    errors.push(...outcome.errors);
    yield* outcome.documents;
    return;
  }
  resetInterning();
  yield* documentsOf(source, 0, file, options, new Accumulator(source.length, errors));
}

function parseYamlDocuments(source: string, file: string, options: ParseOptions): ParseOutcome {
  const into = new Accumulator(source.length, []);
  const documents = [...documentsOf(source, 0, file, options, into)];
  return { documents, errors: into.errors };
}

/** What reading a stream gathers, text after text. */
class Accumulator {
  readonly table: PositionTable;
  readonly errors: BulwarkError[];
  /** The next document's index. */
  index = 0;
  /** Lines before the next text. */
  lines = 0;

  constructor(characters: number, errors: BulwarkError[]) {
    this.table = new PositionTable(characters);
    this.errors = errors;
  }
}

/** The documents of `source`, which starts at offset `base` of the stream, one at a time. */
function* documentsOf(source: string, base: number, file: string, options: ParseOptions, into: Accumulator): Generator<ParsedDocument> {
  // One pass finds the line starts (every document's root needs a position) and the document markers.
  const scan = scanLines(source);
  const lines = new LineIndex(source, scan.starts, scan.count, into.lines);
  into.lines += scan.count - 1;
  const { table, errors } = into;
  // A lone carriage return is a line break in YAML; only the full parser knows that. Characters
  // YAML does not allow make the fast parser give up, and the full parser report them.
  const fastAllowed = options.fast !== false && source.indexOf('\r') === -1;
  const chunks = splitDocuments(source, scan.markers);
  try {
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      // Asked per document: the caller may have parsed another text since the last one.
      const fast = fastAllowed && !chunk.directives ? parseFast(source, chunk.start, chunk.marker, chunk.end, table, codeUnitsFor(source)) : null;
      if (fast !== null) {
        const issues = fast.issues;
        for (let i = 0; i < issues.length; i++) errors.push(parseError(file, lines, issues[i]!));
        yield makeDocument(into.index++, fast.value, fast.offset, base, fast.record, table, lines, 'fast');
        continue;
      }
      const full = parseFull(source, chunk.start, chunk.end, table);
      for (const issue of full.fatal) errors.push(parseError(file, lines, issue));
      // A document lost to an error still takes its place in the numbering.
      if (full.documents.length === 0) into.index++;
      for (const document of full.documents) {
        for (const issue of document.issues) errors.push(parseError(file, lines, issue));
        const offset = document.offset >= 0 ? document.offset : chunk.marker >= 0 ? chunk.marker : chunk.start;
        yield makeDocument(into.index++, document.value, offset, base, document.record, table, lines, 'full');
      }
    }
  } finally {
    releaseCodeUnits();
  }
}

/** `offset`: of the root in the text `lines` indexes, which starts at `base` in the stream. */
function makeDocument(
  index: number,
  value: unknown,
  offset: number,
  base: number,
  record: number,
  table: PositionTable,
  lines: LineIndex,
  parser: ParsedDocument['parser'],
): ParsedDocument {
  const line = lines.lineOf(offset);
  return {
    index,
    value,
    line,
    column: lines.columnIn(line, offset),
    positions: new TableLocator(table, lines, value, offset, record),
    offset: base + offset,
    parser,
  };
}

function parseError(file: string, lines: LineIndex, issue: Issue): BulwarkError {
  const at = lines.position(issue.offset);
  const location: ErrorLocation = { file, line: at.line, column: at.column };
  return new BulwarkError('E_PARSE', issue.message, { location });
}
