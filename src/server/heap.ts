// A server's heap after start-up: loading modules, compiling policies and the catalog leave tens of
// megabytes of garbage in the old generation, which V8 otherwise collects with a full mark-compact
// (14-19 ms, on this workload) at some point while requests are being answered. Collected once
// before the port opens, that pause is taken when nobody waits for it; while serving, reviews promote
// next to nothing, so the next full collection is far away.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Runs one full collection. `gc` is exposed for that call only, in a context of its own, rather than
 * with `--expose-gc` on the command line: V8 keys code caches on its flags, and with that flag Node
 * compiled every built-in module the server loads after start-up from source instead of from the
 * cache built into it (docs/benchmarks.md). The flag is back to its default before anything else runs.
 */
export function collectStartupGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  // Started with --expose-gc (as the admission benchmark is): the flags stay as they are.
  if (typeof gc === 'function') return gc();
  setFlagsFromString('--expose-gc');
  try {
    gc = runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  gc();
}
