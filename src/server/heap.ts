// A server's heap after start-up: loading modules, compiling policies and the catalog leave tens of
// megabytes of garbage in the old generation, which V8 otherwise collects with a full mark-compact
// (14-19 ms, on this workload) at some point while requests are being answered. Collected once
// before the port opens, that pause is taken when nobody waits for it; while serving, reviews promote
// next to nothing, so the next full collection is far away.

/** Runs a full collection when the process was started with `--expose-gc` (bin/bulwark.js does, for servers). */
export function collectStartupGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}
