import { BulwarkError } from '../core/index.ts';
import { joinParts } from './chunks.ts';
import { jsonChunks } from './json.ts';
import { junitChunks } from './junit.ts';
import type { ScanReport } from './model.ts';
import { policyReportChunks } from './policyreport.ts';
import { sarifChunks, type SarifOptions } from './sarif.ts';
import { tableChunks, type TableOptions } from './table.ts';

export * from './model.ts';
export { CHUNK_SIZE } from './chunks.ts';
export { formatJson, jsonChunks, JSON_SCHEMA_VERSION } from './json.ts';
export { formatSarif, sarifChunks, FINGERPRINT_KEY, SARIF_SCHEMA_URI, SRCROOT, type SarifOptions } from './sarif.ts';
export { formatJunit, junitChunks } from './junit.ts';
export { policyReportChunks, POLICY_REPORT_API_VERSION } from './policyreport.ts';
export { formatTable, tableChunks, type TableOptions } from './table.ts';
export {
  CONTROLS_DOC_COMMAND,
  formatControlsJson,
  formatControlsMarkdown,
  formatControlsTable,
  sortControls,
  type ControlsTableOptions,
} from './controls.ts';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit', 'policyreport'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Options of every format; each format reads only its own. */
export interface RenderOptions extends TableOptions, SarifOptions {}

/** The whole document for `--format`, ending with a newline. */
export function renderReport(report: ScanReport, format: ReportFormat, options: RenderOptions = {}): string {
  return joinParts(renderReportChunks(report, format, options));
}

/**
 * The same document in pieces of about 64 KiB, for writers: a large report then never exists as
 * one string (see chunks.ts for why that matters).
 */
export function renderReportChunks(
  report: ScanReport,
  format: ReportFormat,
  options: RenderOptions = {},
): Iterable<string> {
  switch (format) {
    case 'table':
      return tableChunks(report, options);
    case 'json':
      return jsonChunks(report);
    case 'sarif':
      return sarifChunks(report, options);
    case 'junit':
      return junitChunks(report);
    case 'policyreport':
      return policyReportChunks(report);
    default:
      throw new BulwarkError(
        'E_USAGE',
        `unknown report format "${String(format)}"; choose one of ${REPORT_FORMATS.join(', ')}`,
      );
  }
}
