// Starting a worker thread whose code is one of our modules. Workers do not inherit the main
// thread's compile cache, and in a source checkout our modules are TypeScript: without the cache a
// worker strips every module again, after loading the stripper itself (about as long as the whole
// module graph takes from the cache). So the worker first turns the cache on, in a few lines of
// plain JavaScript, and only then imports its module.
import module from 'node:module';
import { dirname } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker running `entry` (a module URL), with the main thread's compile cache when it has one. */
export function startModuleWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  // getCompileCacheDir names the cache's version subdirectory; enableCompileCache takes its parent.
  const cache = module.getCompileCacheDir?.();
  const base = cache === undefined ? null : dirname(cache);
  const code = [
    `const base = ${JSON.stringify(base)};`,
    `if (base !== null) require('node:module').enableCompileCache?.(base);`,
    `import(${JSON.stringify(entry.href)});`,
  ].join('\n');
  return new Worker(code, { ...options, eval: true });
}
