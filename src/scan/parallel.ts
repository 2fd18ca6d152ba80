// Large scans use every core: the main thread and a few worker threads take files from one queue.
// Each file is loaded and evaluated where it is taken; only findings and diagnostics travel back.
// The main thread starts at once, so small scans never wait for a worker to boot.
import { availableParallelism } from 'node:os';
import type { Diagnostic } from '../core/index.ts';
import { streamInputs } from '../load/index.ts';
import type { EvaluationSettings, Evaluator, UnitResult } from './evaluate.ts';
import { startModuleWorker } from './worker-start.ts';

export interface WorkerSetup {
  settings: EvaluationSettings;
  cwd: string;
  maxFileBytes?: number;
}

export type ToWorker = { type: 'file'; index: number; file: string } | { type: 'finish' };
export type ToMain =
  | { type: 'ready' }
  | { type: 'result'; index: number; results: UnitResult[] }
  | { type: 'done'; diagnostics: Diagnostic[] };

/**
 * Below this many bytes of manifests, booting a worker (its own module loading and cold JIT) costs
 * more than it saves. Measured on 2 cores: one worker beside the main thread is slower at 7 MB
 * (650 vs 450 ms) and only even at 75 MB, because findings are copied back; hence also the core
 * floor below.
 */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
const MIN_CORES = 4;
/** Each worker gets this many files ahead, so it never waits for the main thread. */
const IN_FLIGHT = 2;

/** How many worker threads a scan of `bytes` deserves on this machine (0: main thread only). */
export function workerCount(bytes: number, cores: number = availableParallelism()): number {
  if (bytes < PARALLEL_MIN_BYTES || cores < MIN_CORES) return 0;
  return Math.min(cores - 1, 3, Math.ceil(bytes / (PARALLEL_MIN_BYTES / 2)) - 1);
}

// In a source checkout the worker is TypeScript that Node strips; in the package it is compiled.
const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

export interface ParallelOutcome {
  /** Per input file, in the order given. */
  results: UnitResult[][];
  /** Diagnostics the workers' exception checks produced (the main thread's stay in its evaluator). */
  diagnostics: Diagnostic[];
}

export async function evaluateFiles(
  files: readonly string[],
  setup: WorkerSetup,
  evaluator: Evaluator,
  workers: number,
  onProgress?: (done: number, total: number) => void,
): Promise<ParallelOutcome> {
  const results: UnitResult[][] = new Array(files.length);
  const diagnostics: Diagnostic[] = [];
  const queue: number[] = files.map((_, index) => index);
  let pending = files.length;
  // Wakes the main thread when it waits for workers: a file completed, or a failed worker's files came back.
  let wake: () => void = () => {};
  const signal = (): void => wake();
  const complete = (index: number, unitResults: UnitResult[]): void => {
    if (results[index] !== undefined) return;
    results[index] = unitResults;
    onProgress?.(files.length - pending + 1, files.length);
    pending--;
    signal();
  };

  const pool = Array.from({ length: workers }, () => startWorker());

  function startWorker() {
    const worker = startModuleWorker(workerUrl, { workerData: setup });
    const inFlight = new Set<number>();
    let ready = false;
    let closing = false;
    const closed = new Promise<void>((resolve) => {
      worker.on('message', (message: ToMain) => {
        if (message.type === 'ready') {
          ready = true;
          feed();
        } else if (message.type === 'result') {
          inFlight.delete(message.index);
          complete(message.index, message.results);
          feed();
        } else {
          diagnostics.push(...message.diagnostics);
        }
      });
      worker.on('error', (error) => {
        // A failed worker's files go back to the queue; the scan loses nothing.
        queue.unshift(...inFlight);
        inFlight.clear();
        signal();
        diagnostics.push({
          level: 'warning',
          code: 'E_INTERNAL',
          message: `a scan worker failed (${error.message}); its files were scanned again on the main thread`,
          location: { file: '<scan>' },
        });
        resolve();
      });
      worker.on('exit', () => {
        // An exit with files still out (never expected) must not leave the main thread waiting for them.
        if (inFlight.size > 0) {
          queue.unshift(...inFlight);
          inFlight.clear();
          signal();
        }
        resolve();
      });
    });
    const feed = (): void => {
      if (closing) return;
      while (ready && inFlight.size < IN_FLIGHT && queue.length > 0) {
        const index = queue.shift()!;
        inFlight.add(index);
        const message: ToWorker = { type: 'file', index, file: files[index]! };
        worker.postMessage(message);
      }
    };
    const finish = async (): Promise<void> => {
      closing = true;
      if (ready) worker.postMessage({ type: 'finish' } satisfies ToWorker);
      else await worker.terminate(); // it never got to work
      await closed;
    };
    return { finish, inFlight };
  }

  // The main thread takes files too, yielding between files so workers' messages are handled.
  while (pending > 0) {
    const index = queue.shift();
    if (index === undefined) {
      // Everything is handed out; wait for the workers, or for a failed worker's files to return.
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const unitResults: UnitResult[] = [];
    for await (const unit of streamInputs([files[index]!], { cwd: setup.cwd, maxFileBytes: setup.maxFileBytes })) {
      unitResults.push(evaluator.evaluate(unit));
    }
    complete(index, unitResults);
  }
  await Promise.all(pool.map((worker) => worker.finish()));
  return { results, diagnostics };
}
