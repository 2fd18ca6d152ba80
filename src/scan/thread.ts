// A scan thread: runs one `bulwark scan` (scan, render, and write --output) and reports back.
// Started by prestart.ts (through worker-start.ts), often before the command line is parsed: the
// static imports below load while the main thread does its part, then the scan arrives as a message.
import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { emit } from '../cli/output.ts';
import { BulwarkError } from '../core/index.ts';
import { scanDocument } from './document.ts';
import { tierForInput, useScanThreadTiers } from './prestart.ts';
import type { FromThread, ThreadSetup } from './threaded.ts';

useScanThreadTiers();
const port = parentPort!;
const post = (message: FromThread): void => port.postMessage(message);
const [{ request, settings, output, progress }] = (await once(port, 'message')) as [ThreadSetup];
/** The main thread redraws its indicator at most every 80 ms; more messages would only cost time here. */
const PROGRESS_INTERVAL_MS = 50;
let lastProgress = 0;
const onProgress = (done: number, total: number): void => {
  const now = performance.now();
  if (now - lastProgress < PROGRESS_INTERVAL_MS && done < total) return;
  lastProgress = now;
  post({ type: 'progress', done, total });
};

try {
  const document = await scanDocument({ ...request, onInputSize: (bytes) => tierForInput(bytes, (request.policies?.length ?? 0) > 0), onProgress: progress ? onProgress : undefined }, settings);
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
