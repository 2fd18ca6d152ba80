// Reads a YAML (or JSON) stream into documents with positions, as the Kubernetes API server would
// decode them. Each document goes through the fast parser when it is in the subset that parser
// handles, and through the full parser otherwise; a broken document costs only itself.
import { BulwarkError, type ErrorLocation } from '../core/index.ts';
import { parseFast } from './fast-parser.ts';
import { resetInterning } from './intern.ts';
import { parseFull } from './full-parser.ts';
import { looksLikeJson, parseJsonStream } from './json.ts';
import { LineIndex, TableLocator } from './locator.ts';
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
  const lines = new LineIndex(source);
  const table = new PositionTable();
  const errors: BulwarkError[] = [];
  const report = (issue: Issue): void => {
    errors.push(parseError(file, lines, issue));
  };

  if (looksLikeJson(source)) {
    const json = parseJsonStream(source, table);
    if (json.error === null) {
      const documents = json.documents.map((document, index) => {
        for (const issue of document.issues) report(issue);
        return makeDocument(index, document, table, lines, 'json');
      });
      return { documents, errors };
    }
    // Outside a .json file it may be YAML in flow style: read it as YAML, and keep the JSON
    // parser's message if YAML cannot read it either.
    if (!/\.json$/i.test(file)) {
      const asYaml = parseYamlDocuments(source, file, lines, options);
      if (asYaml.errors.length === 0) return asYaml;
    }
    return { documents: [], errors: [parseError(file, lines, json.error)] };
  }
  return parseYamlDocuments(source, file, lines, options);
}

function parseYamlDocuments(source: string, file: string, lines: LineIndex, options: ParseOptions): ParseOutcome {
  const table = new PositionTable();
  const documents: ParsedDocument[] = [];
  const errors: BulwarkError[] = [];
  const report = (issue: Issue): void => {
    errors.push(parseError(file, lines, issue));
  };
  // A lone carriage return is a line break in YAML; only the full parser knows that.
  const fastAllowed = options.fast !== false && source.indexOf('\r') === -1;
  const unprintable = unprintableOffsets(source);
  let next = 0;
  let index = 0;
  for (const chunk of splitDocuments(source)) {
    // Characters YAML does not allow make the document an error, which the full parser reports.
    while (next < unprintable.length && unprintable[next]! < chunk.start) next++;
    const clean = next >= unprintable.length || unprintable[next]! >= chunk.end;
    const fast = fastAllowed && clean && !chunk.directives ? parseFast(source, chunk.start, chunk.marker, chunk.end, table) : null;
    if (fast !== null) {
      for (const issue of fast.issues) report(issue);
      documents.push(makeDocument(index++, fast, table, lines, 'fast'));
      continue;
    }
    const full = parseFull(source, chunk.start, chunk.end, table);
    for (const issue of full.fatal) report(issue);
    for (const document of full.documents) {
      for (const issue of document.issues) report(issue);
      const offset = document.offset >= 0 ? document.offset : chunk.marker >= 0 ? chunk.marker : chunk.start;
      documents.push(makeDocument(index++, { ...document, offset }, table, lines, 'full'));
    }
    // A document lost to an error still takes its place in the numbering.
    if (full.documents.length === 0) index++;
  }
  return { documents, errors };
}

// Outside YAML's printable set: C0 controls but tab and line breaks, DEL, C1 controls but NEL,
// U+FFFE/U+FFFF, and unpaired surrogates.
const UNPRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// A superset as one character class, which the regular expression engine scans far faster.
const MAYBE_UNPRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Offsets of characters YAML does not allow, in order. */
export function unprintableOffsets(text: string): number[] {
  const offsets: number[] = [];
  if (!MAYBE_UNPRINTABLE.test(text)) return offsets;
  UNPRINTABLE.lastIndex = 0;
  for (let m = UNPRINTABLE.exec(text); m !== null; m = UNPRINTABLE.exec(text)) offsets.push(m.index);
  return offsets;
}

function makeDocument(
  index: number,
  root: { value: unknown; offset: number; record: number },
  table: PositionTable,
  lines: LineIndex,
  parser: ParsedDocument['parser'],
): ParsedDocument {
  const at = lines.position(root.offset);
  return {
    index,
    value: root.value,
    line: at.line,
    column: at.column,
    positions: new TableLocator(table, { value: root.value, offset: root.offset, record: root.record }, lines),
    offset: root.offset,
    parser,
  };
}

function parseError(file: string, lines: LineIndex, issue: Issue): BulwarkError {
  const at = lines.position(issue.offset);
  const location: ErrorLocation = { file, line: at.line, column: at.column };
  return new BulwarkError('E_PARSE', issue.message, { location });
}
