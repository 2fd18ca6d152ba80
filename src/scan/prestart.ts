// The scan thread, started before the command line is even parsed. Its module graph (the catalog,
// the loader, the reports: ~160 modules) takes longer to load than everything the main thread does
// before a scan can begin (the CLI, the options, the output check), so the entry point starts the
// thread first and both load side by side; the thread then waits for its scan (threaded.ts).
// Kept to a few imports: it runs before anything else is loaded.
import { setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './worker-start.ts';

/** Young generation of the scan thread: three 8 MiB semi-space equivalents (threaded.ts says why). */
export const SCAN_THREAD_YOUNG_GENERATION_MB = 24;

// In a source checkout the thread is TypeScript that Node strips; in the package it is compiled.
const threadUrl = new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js', import.meta.url);

let early: { worker: Worker; usable: boolean } | undefined;

/**
 * The young generation starts at this size instead of V8's 1 MiB (a thread's limits set only its
 * maximum): a scan allocates at ~300 MB/s from its first file, and the young generation otherwise
 * spends its first collections growing (24 instead of 17 minor and 2 instead of 1 full collections
 * on the 10,000-object benchmark).
 */
const SCAN_THREAD_MIN_SEMI_SPACE_MB = SCAN_THREAD_YOUNG_GENERATION_MB / 3;

/**
 * From this many bytes of manifests on, a scan runs long enough for TurboFan's code to repay compiling
 * it. Below, a scan is over before it does: TurboFan compiles on the core the scan thread does not use,
 * which V8's collector and the Maglev compiler need too, and most of its code arrives after the work.
 * Measured (docs/benchmarks.md): without TurboFan the 10,000-object scan takes 6 % less time (PSS only
 * 827 -> 777 ms, full catalog 1,405 -> 1,324 ms median) and the 100,000-object scan 5 % more; the
 * crossover is near 19 MiB (~27,000 objects).
 */
export const TURBOFAN_MIN_BYTES = 24 * 1024 * 1024;

/** A scan thread loading its modules, waiting for a ThreadSetup message. */
export function startScanThread(): Worker {
  // V8 reads this flag when it creates an isolate's heap: it applies to the threads started after
  // this, never to the main thread's heap, which exists already. (It is not one of the flags code
  // caches are keyed on; those wait for the thread's modules, see useScanThreadTiers.)
  setFlagsFromString(`--min-semi-space-size=${SCAN_THREAD_MIN_SEMI_SPACE_MB}`);
  return startModuleWorker(threadUrl, { resourceLimits: { maxYoungGenerationSizeMb: SCAN_THREAD_YOUNG_GENERATION_MB } });
}

/**
 * The scan thread's compiler and allocation settings, set by the thread once its modules are loaded.
 * Not before: V8 keys code caches on its flags, and Node's own modules, which a new thread compiles
 * from the cache built into Node, were compiled from source instead when these were set before the
 * thread started (the first thread's start took ~30 ms longer, docs/benchmarks.md).
 */
export function useScanThreadTiers(): void {
  // Read at each tier-up decision; tierForInput turns it back on for a large input.
  setFlagsFromString('--no-turbofan');
  // Allocation-site pretenuring sends a literal's later objects straight to the old generation once
  // most of those seen at a minor collection were alive. A scan meets that test by chance: when a
  // collection falls while one file's objects are all still in use, sites of per-object records
  // (the object, its source, its document) are tenured, and each of those records, dead a file
  // later but collected only by a full collection, keeps its young parse tree alive through every
  // minor one. Which builds and inputs hit it depended on where collections fell: PSS only promoted
  // 9 or 24 MB and took ~100 ms more in the second case (docs/benchmarks.md). Without pretenuring,
  // ~12 MB every time; the full catalog (41 vs 50 MB promoted) and 100,000 objects measured no slower.
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * Called on the scan thread once it knows how many bytes it reads: a long scan gets TurboFan back, and
 * so does one that evaluates the user's CEL policies (seconds of evaluation over 10,000 objects).
 */
export function tierForInput(bytes: number, evaluatesPolicies: boolean): void {
  if (evaluatesPolicies || bytes >= TURBOFAN_MIN_BYTES) setFlagsFromString('--turbofan');
}

/**
 * Starts the scan thread now, for a scan the command line has not confirmed yet. It holds the
 * process open only once a scan takes it; `--help`, a usage error or a stdin scan leave it behind.
 */
export function prestartScanThread(): void {
  if (early !== undefined) return;
  const worker = startScanThread();
  const state = { worker, usable: true };
  // A thread that failed to load is not handed out; the scan then starts its own and reports why.
  const unusable = (): void => {
    state.usable = false;
  };
  worker.on('error', unusable).on('exit', unusable);
  worker.unref();
  early = state;
}

/** The prestarted thread, once, when it is still alive; it holds the process open from now on. */
export function takeScanThread(): Worker | undefined {
  const taken = early;
  early = undefined;
  if (taken === undefined || !taken.usable) return undefined;
  taken.worker.ref();
  return taken.worker;
}

/** Stops a prestarted thread that no scan will use (a scan of standard input runs on the main thread). */
export function discardScanThread(): void {
  const taken = early;
  early = undefined;
  void taken?.worker.terminate();
}
