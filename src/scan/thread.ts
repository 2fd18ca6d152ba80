// A scan thread: runs one `bulwark scan` (scan, render, and write --output) and reports back.
// Started by threaded.ts through worker-start.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { emit } from '../cli/output.ts';
import { BulwarkError } from '../core/index.ts';
import { scanDocument } from './document.ts';
import type { FromThread, ThreadSetup } from './threaded.ts';

const port = parentPort!;
const post = (message: FromThread): void => port.postMessage(message);
const { request, settings, output } = workerData as ThreadSetup;

try {
  const document = await scanDocument({ ...request, onProgress: (done, total) => post({ type: 'progress', done, total }) }, settings);
  post({ type: 'scanned', diagnostics: document.diagnostics, exitCode: document.exitCode });
  if (output !== undefined) await emit(document.chunks, output);
  else for (const chunk of document.chunks) post({ type: 'chunk', text: chunk });
  post({ type: 'done' });
} catch (error) {
  post({
    type: 'failed',
    error:
      error instanceof BulwarkError
        ? { bulwark: true, code: error.code, message: error.message, location: error.location }
        : { bulwark: false, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined },
  });
}
