import type { Finding, Severity } from '../core/index.ts';
import { groupByObject, objectLabel, SEVERITIES_DESCENDING, STDIN_FILE, type ScanReport, type ScanSummary } from './model.ts';
import { batched, joinParts } from './chunks.ts';
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
  return joinParts(tableParts(report, options));
}

/** The same text as `formatTable`, in pieces of about 64 KiB. */
export function tableChunks(report: ScanReport, options: TableOptions = {}): Generator<string> {
  return batched(tableParts(report, options));
}

function* tableParts(report: ScanReport, options: TableOptions): Generator<string> {
  const paint = painter(options.color === true);
  const width = options.width !== undefined && options.width > 0 ? Math.floor(options.width) : undefined;
  for (const group of groupByObject(report.findings)) {
    const file = group.file === STDIN_FILE ? '(stdin)' : terminalSafe(group.file);
    const lines = [`${paint('1', terminalSafe(objectLabel(group.object)))}  ${paint('2', file)}`];
    renderRows(group.findings, width, paint, lines);
    lines.push('', '');
    yield lines.join('\n');
  }
  yield `${summaryLines(report.summary, paint).join('\n')}\n`;
}

interface Row {
  severity: Severity;
  control: string;
  at: string;
  path: string;
  message: string;
}

function renderRows(findings: readonly Finding[], width: number | undefined, paint: Paint, out: string[]): void {
  const rows: Row[] = findings.map((finding) => ({
    severity: finding.severity,
    control: terminalSafe(finding.control),
    at: `${finding.location.line}:${finding.location.column}`,
    path: terminalSafe(finding.location.path),
    message: terminalSafe(finding.message),
  }));
  let controlWidth = 0;
  let atWidth = 0;
  let pathWidth = 0;
  for (const row of rows) {
    controlWidth = Math.max(controlWidth, displayWidth(row.control));
    atWidth = Math.max(atWidth, row.at.length);
    pathWidth = Math.max(pathWidth, displayWidth(row.path));
  }
  const prefixWidth = INDENT.length + SEVERITY_WIDTH + 2 + controlWidth + 2 + atWidth + 2;
  const messageColumn = prefixWidth + (pathWidth === 0 ? 0 : pathWidth + 2);
  // One layout per object, so that the rows of one object line up.
  const oneLine = width === undefined || rows.every((row) => messageColumn + displayWidth(row.message) <= width);
  for (const row of rows) {
    const prefix =
      INDENT +
      paint(SEVERITY_STYLE[row.severity] ?? '0', padEnd(row.severity.toUpperCase(), SEVERITY_WIDTH)) +
      '  ' +
      padEnd(row.control, controlWidth) +
      '  ' +
      paint('2', padEnd(row.at, atWidth)) +
      '  ';
    if (oneLine) {
      const path = pathWidth === 0 ? '' : `${padEnd(row.path, pathWidth)}  `;
      out.push(`${prefix}${path}${row.message}`.trimEnd());
      continue;
    }
    out.push(`${prefix}${row.path}`.trimEnd());
    if (row.message === '') continue;
    const messageWidth = Math.max((width ?? 0) - MESSAGE_INDENT.length, MIN_MESSAGE_WIDTH);
    for (const line of wrap(row.message, messageWidth, MAX_MESSAGE_LINES)) out.push(MESSAGE_INDENT + line);
  }
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
