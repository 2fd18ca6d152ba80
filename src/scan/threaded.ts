// `bulwark scan` on a thread of its own. A scan keeps most of what it parses alive until the
// cross-object checks have run, and with that much surviving, V8 grows the young generation of the
// main thread to 128 MiB: every minor collection then copies the kept objects through fresh, cold
// memory. A worker's young generation can be bounded (the main thread's only by a command-line flag),
// and at 8 MiB semi-spaces a full-catalog scan measured about a fifth less CPU time and 80 MiB less
// peak RSS, for the ~40 ms a worker takes to start (hidden: the entry point starts the thread
// before the CLI loads, prestart.ts). Standard input belongs to the main thread, so a scan that reads
// it runs there.
import type { Diagnostic, ErrorCode, ErrorLocation } from '../core/index.ts';
import { BulwarkError } from '../core/index.ts';
import { STDIN } from '../load/index.ts';
import type { DocumentSettings } from './document.ts';
import type { ScanRequest } from './run.ts';
import { discardScanThread, startScanThread, takeScanThread } from './prestart.ts';

/** What the thread is sent: the request without its callbacks, which cannot cross threads. */
export interface ThreadSetup {
  request: Omit<ScanRequest, 'onProgress' | 'readStdin' | 'onInputSize'>;
  settings: DocumentSettings;
  /** `--output FILE`, which the thread writes itself; undefined: the document comes back in pieces. */
  output: string | undefined;
  /** Whether the main thread shows progress; each message costs the scan thread time. */
  progress: boolean;
}

export type FromThread =
  | { type: 'progress'; done: number; total: number }
  | { type: 'scanned'; diagnostics: Diagnostic[]; exitCode: 0 | 1 | 2 }
  | { type: 'chunk'; text: string }
  | { type: 'done' }
  | { type: 'failed'; error: ThreadError };

type ThreadError =
  | { bulwark: true; code: ErrorCode; message: string; location: ErrorLocation | undefined }
  | { bulwark: false; message: string; stack: string | undefined };

export interface PrintableDocument {
  /** The document to write; undefined when it is already written to the output file. */
  chunks: Iterable<string> | undefined;
  diagnostics: Diagnostic[];
  exitCode: 0 | 1 | 2;
}

/**
 * Scans and renders as `bulwark scan` does, on a scan thread unless the scan reads standard input.
 * Errors are thrown as the scan threw them (a BulwarkError keeps its code and location).
 */
export async function scanForPrinting(request: ScanRequest, settings: DocumentSettings, output: string | undefined): Promise<PrintableDocument> {
  if (request.paths.includes(STDIN) || request.readStdin !== undefined) {
    discardScanThread();
    const { scanDocument } = await import('./document.ts');
    return scanDocument(request, settings);
  }
  const { onProgress, readStdin: _unused, onInputSize: _local, ...rest } = request;
  const setup: ThreadSetup = { request: rest, settings, output, progress: onProgress !== undefined };
  const worker = takeScanThread() ?? startScanThread();
  worker.postMessage(setup);
  return new Promise<PrintableDocument>((resolve, reject) => {
    let scanned: Extract<FromThread, { type: 'scanned' }> | undefined;
    const chunks: string[] = [];
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'progress':
          onProgress?.(message.done, message.total);
          break;
        case 'scanned':
          scanned = message;
          break;
        case 'chunk':
          chunks.push(message.text);
          break;
        case 'done':
          settle(() =>
            scanned === undefined
              ? reject(new BulwarkError('E_INTERNAL', 'the scan thread finished without a result'))
              : resolve({ chunks: output === undefined ? chunks : undefined, diagnostics: scanned.diagnostics, exitCode: scanned.exitCode }),
          );
          break;
        case 'failed':
          settle(() => reject(threadError(message.error)));
          break;
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new BulwarkError('E_INTERNAL', `the scan thread stopped (exit code ${code}) before the scan finished`))));
  });
}

function threadError(error: ThreadError): Error {
  if (error.bulwark) return new BulwarkError(error.code, error.message, { location: error.location });
  const rebuilt = new Error(error.message);
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
