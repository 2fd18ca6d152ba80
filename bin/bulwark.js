#!/usr/bin/env node
// Entry point of the `bulwark` command. In a source checkout Node 24 runs the TypeScript sources
// directly; the published package carries `dist/`, the same code bundled (scripts/bundle.ts), where
// each module started by URL is an entry point at the root under its own base name.
import { heapFlagsFor } from './heap-flags.js';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`bulwark: Node.js 24 or newer is required (this is ${process.version}).\n`);
  process.exit(2);
}
// Built-ins through getBuiltinModule rather than `import`: an ES import of node:fs reads every export,
// which loads Node's file streams, and a scan's thread starts only after these lines (~10 ms).
const { existsSync, mkdirSync, statSync } = process.getBuiltinModule('node:fs');
const module = process.getBuiltinModule('node:module');
const { homedir } = process.getBuiltinModule('node:os');
const { basename, dirname, join } = process.getBuiltinModule('node:path');
const { fileURLToPath } = process.getBuiltinModule('node:url');
// Compiled code (and, in a checkout, the stripped TypeScript) is cached per user: a cache shared
// through the temporary directory could be filled by another user. An unwritable cache is skipped.
const cacheHome = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
const compileCache = join(cacheHome, 'bulwark', 'compile-cache');
if (makeDirectory(compileCache)) module.enableCompileCache?.(compileCache);
const args = process.argv.slice(2);
withHeapFlags(args);
const source = new URL('../src/cli/main.ts', import.meta.url);
const fromSource = existsSync(source) && !source.pathname.includes('/node_modules/');
const code = (path) => new URL(fromSource ? `../src/${path}.ts` : `../dist/${basename(path)}.js`, import.meta.url).href;
// A scan's own thread loads its modules while the CLI loads here (src/scan/prestart.ts says why).
if (args[0] === 'scan') (await import(code('scan/prestart'))).prestartScanThread();
const { main } = await import(code('cli/main'));
const exitCode = await main(args);
// A scan is over once its report is written; what would follow is freeing the scan thread and both
// heaps (~40-50 ms of a 10,000-object scan, docs/benchmarks.md) for a process that is ending anyway.
// (The scan thread writes nothing to stdio, whose output would reach the main thread late: its report
// and diagnostics come as messages, or it writes --output itself before it says it is done.)
// Other commands end as Node ends them: they may leave a server, a child or their own writes behind.
if (args[0] === 'scan') exitOnceWritten(exitCode);
else process.exitCode = exitCode;

/**
 * Creates `dir` one level at a time; false when it cannot be. (A recursive mkdir, which the compile
 * cache would do, spins forever where mkdir fails with ENOENT under an existing directory, as in /proc.)
 */
function makeDirectory(dir) {
  const missing = [];
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    if (dirname(at) === at) return false;
    missing.push(at);
  }
  try {
    for (const level of missing.reverse()) mkdirSync(level);
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Exits with `code` once everything written to stdout and stderr is out (write callbacks run in order). */
function exitOnceWritten(code) {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * Replaces the process with itself under the V8 flags its command needs (heap-flags.js says which and
 * why): execve keeps the pid and starts no extra process. Skipped when a heap size is already given,
 * or where execve does not exist (the command then runs with V8's default sizing).
 */
function withHeapFlags(args) {
  const flags = heapFlagsFor(args);
  if (flags === undefined) return;
  if (typeof process.execve !== 'function' || process.execArgv.some((flag) => flag.includes('semi-space-size'))) return;
  try {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...args], process.env);
  } catch {
    // The command still works with V8's default sizing; only slower.
  }
}
