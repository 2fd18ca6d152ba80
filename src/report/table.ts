import type { Finding, Severity } from '../core/index.ts';
import { groupByObject, objectLabel, SEVERITIES_DESCENDING, STDIN_FILE, type ScanReport, type ScanSummary } from './model.ts';
import { CHUNK_SIZE, joinParts } from './chunks.ts';
import { displayWidth, padEnd, terminalSafe, wrap } from './terminal.ts';

export interface TableOptions {
  /** ANSI colours; the CLI turns them on for a TTY without `NO_COLOR`. */
  color?: boolean | undefined;
  /**
   * Terminal width in columns. When set, a finding whose message does not fit on its line gets the
   * message on wrapped lines below; when absent (a pipe, a file) every finding stays on one line.
   */
  width?: number | undefined;
}

/** A message longer than this many wrapped lines is cut with an ellipsis. */
const MAX_MESSAGE_LINES = 6;
/** Below this many columns for the message, wrapping would hurt more than it helps. */
const MIN_MESSAGE_WIDTH = 30;
const INDENT = '  ';
const SEVERITY_WIDTH = 'CRITICAL'.length;
/** Wrapped messages start under the control id. */
const MESSAGE_INDENT = ' '.repeat(INDENT.length + SEVERITY_WIDTH + 2);

const SEVERITY_STYLE: Readonly<Record<Severity, string>> = {
  critical: '1;31',
  high: '31',
  medium: '33',
  low: '34',
  info: '2',
};

/**
 * Findings grouped by object, each under a header naming the object and its file:
 *
 *     Deployment shop/web  examples/web.yaml
 *       HIGH      pss-privileged  14:13  spec.template.spec.containers[0].securityContext.privileged  container "web" …
 *
 * then a summary with the count per severity.
 */
export function formatTable(report: ScanReport, options: TableOptions = {}): string {
  return joinParts(tableChunks(report, options));
}

/** The same text as `formatTable`, in pieces of about `CHUNK_SIZE` characters. */
export function* tableChunks(report: ScanReport, options: TableOptions = {}): Generator<string> {
  const paint = painter(options.color === true);
  const width = options.width !== undefined && options.width > 0 ? Math.floor(options.width) : undefined;
  let pending = '';
  for (const group of groupByObject(report.findings)) {
    const file = group.file === STDIN_FILE ? '(stdin)' : terminalSafe(group.file);
    pending += `${paint('1', terminalSafe(objectLabel(group.object)))}  ${paint('2', file)}\n`;
    pending += renderRows(group.findings, width, paint);
    pending += '\n';
    if (pending.length >= CHUNK_SIZE) {
      yield pending;
      pending = '';
    }
  }
  yield `${pending}${summaryLines(report.summary, paint).join('\n')}\n`;
}

interface Row {
  severity: Severity;
  control: string;
  controlWidth: number;
  at: string;
  path: string;
  pathWidth: number;
  message: string;
}

/** Severities as the table shows them, padded to one width. */
const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: 'CRITICAL',
  high: 'HIGH    ',
  medium: 'MEDIUM  ',
  low: 'LOW     ',
  info: 'INFO    ',
};

// What `trimEnd` would remove: a line needs trimming only when its last part ends with it.
const TRAILING_SPACE = /\s$/;

/** The rows of one object, each line ending with a newline. */
function renderRows(findings: readonly Finding[], width: number | undefined, paint: Paint): string {
  const rows: Row[] = [];
  let controlWidth = 0;
  let atWidth = 0;
  let pathWidth = 0;
  for (const finding of findings) {
    const control = terminalSafe(finding.control);
    const path = terminalSafe(finding.location.path);
    const row: Row = {
      severity: finding.severity,
      control,
      controlWidth: displayWidth(control),
      // Objects read from a cluster have no line (0): the column stays, empty, so rows still line up.
      at: finding.location.line >= 1 ? `${finding.location.line}:${finding.location.column}` : '',
      path,
      pathWidth: displayWidth(path),
      message: terminalSafe(finding.message),
    };
    rows.push(row);
    controlWidth = Math.max(controlWidth, row.controlWidth);
    atWidth = Math.max(atWidth, row.at.length);
    pathWidth = Math.max(pathWidth, row.pathWidth);
  }
  const prefixWidth = INDENT.length + SEVERITY_WIDTH + 2 + controlWidth + 2 + atWidth + 2;
  const messageColumn = prefixWidth + (pathWidth === 0 ? 0 : pathWidth + 2);
  // One layout per object, so that the rows of one object line up.
  const oneLine = width === undefined || rows.every((row) => messageColumn + displayWidth(row.message) <= width);
  let out = '';
  for (const row of rows) {
    const severity = SEVERITY_LABEL[row.severity] ?? padEnd(row.severity.toUpperCase(), SEVERITY_WIDTH);
    const prefix =
      INDENT +
      paint(SEVERITY_STYLE[row.severity] ?? '0', severity) +
      '  ' +
      row.control +
      spaces(controlWidth - row.controlWidth) +
      '  ' +
      paint('2', row.at + spaces(atWidth - row.at.length)) +
      '  ';
    if (oneLine) {
      const line = pathWidth === 0 ? prefix + row.message : prefix + row.path + spaces(pathWidth - row.pathWidth) + '  ' + row.message;
      out += (row.message === '' || TRAILING_SPACE.test(row.message) ? line.trimEnd() : line) + '\n';
      continue;
    }
    const line = prefix + row.path;
    out += (row.path === '' || TRAILING_SPACE.test(row.path) ? line.trimEnd() : line) + '\n';
    if (row.message === '') continue;
    const messageWidth = Math.max((width ?? 0) - MESSAGE_INDENT.length, MIN_MESSAGE_WIDTH);
    for (const wrapped of wrap(row.message, messageWidth, MAX_MESSAGE_LINES)) out += `${MESSAGE_INDENT}${wrapped}\n`;
  }
  return out;
}

function spaces(count: number): string {
  return count > 0 ? ' '.repeat(count) : '';
}

function summaryLines(summary: ScanSummary, paint: Paint): string[] {
  const scope = [`Scanned ${plural(summary.objects, 'object')} in ${plural(summary.files, 'file')}`];
  if (summary.suppressed > 0) scope.push(`${plural(summary.suppressed, 'finding')} suppressed by exceptions`);
  if (summary.errors > 0) {
    scope.push(paint('1;31', `${plural(summary.errors, 'input')} could not be read or parsed`));
  }
  const scopeLine = `${scope.join('; ')}.`;
  if (summary.findings === 0) return [paint('32', 'No findings.'), scopeLine];
  const counts = SEVERITIES_DESCENDING.map((severity) => {
    const count = summary.bySeverity[severity] ?? 0;
    const text = `${count} ${severity}`;
    return count > 0 ? paint(SEVERITY_STYLE[severity], text) : text;
  });
  return [`${plural(summary.findings, 'finding')}: ${counts.join(', ')}`, scopeLine];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

type Paint = (style: string, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `\u001b[${style}m${text}\u001b[0m` : (_style, text) => text;
}
