// The renderer of one report format, loaded on its own: a command writes one format, and loading
// the others' modules (XML, SARIF's hashing, the table's terminal handling) would only add start-up.
import { BulwarkError } from '../core/index.ts';
import type { ReportFormat, RenderOptions } from './index.ts';
import type { ScanReport } from './model.ts';

export type ReportRenderer = (report: ScanReport, options: RenderOptions) => Iterable<string>;

/** What `renderReportChunks(report, format, options)` renders, from the format's module alone. */
export async function loadReportRenderer(format: ReportFormat): Promise<ReportRenderer> {
  switch (format) {
    case 'json': {
      const { jsonChunks } = await import('./json.ts');
      return (report) => jsonChunks(report);
    }
    case 'table': {
      const { tableChunks } = await import('./table.ts');
      return (report, options) => tableChunks(report, options);
    }
    case 'sarif': {
      const { sarifChunks } = await import('./sarif.ts');
      return (report, options) => sarifChunks(report, options);
    }
    case 'junit': {
      const { junitChunks } = await import('./junit.ts');
      return (report) => junitChunks(report);
    }
    case 'policyreport': {
      const { policyReportChunks } = await import('./policyreport.ts');
      return (report) => policyReportChunks(report);
    }
    default:
      throw new BulwarkError('E_USAGE', `unknown report format "${String(format)}"; choose one of table, json, sarif, junit, policyreport`);
  }
}
