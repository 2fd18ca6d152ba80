// What `bulwark scan` prints: the report in the chosen format, or the threat model view, from one
// scan. The same code runs on the main thread and on a scan thread (threaded.ts).
import type { Diagnostic } from '../core/index.ts';
import type { ReportFormat } from '../report/index.ts';
import { loadReportRenderer } from '../report/render.ts';
import { runScan, type ScanRequest } from './run.ts';

/** How the document is rendered. Terminal facts (colour, width) are the main thread's to find out. */
export interface DocumentSettings {
  format: ReportFormat;
  color: boolean;
  width: number | undefined;
  baseDir: string;
  threatModel: boolean;
}

export interface ScannedDocument {
  /** The document in pieces (see report/chunks.ts). */
  chunks: Iterable<string>;
  diagnostics: Diagnostic[];
  exitCode: 0 | 1 | 2;
}

export async function scanDocument(request: ScanRequest, settings: DocumentSettings): Promise<ScannedDocument> {
  // The threat model view's module is loaded only for --threat-model; a format it cannot print is
  // refused before anything is scanned.
  const threatView = settings.threatModel ? await import('../report/threat-model.ts') : undefined;
  const threatFormat = threatView?.threatModelFormat(settings.format);
  const outcome = await runScan({ ...request, threatModel: settings.threatModel });
  const chunks =
    threatView !== undefined && threatFormat !== undefined && outcome.threatModel !== undefined
      ? threatView.threatModelChunks(outcome.threatModel, threatFormat)
      : (await loadReportRenderer(settings.format))(outcome.report, { color: settings.color, width: settings.width, baseDir: settings.baseDir });
  return { chunks, diagnostics: outcome.diagnostics, exitCode: outcome.exitCode };
}
