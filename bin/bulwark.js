#!/usr/bin/env node
// Entry point of the `bulwark` command. In a source checkout Node 24 runs the TypeScript sources
// directly; the published package carries `dist/`, the same code bundled (scripts/bundle.ts), where
// each module started by URL is an entry point at the root under its own base name.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`bulwark: Node.js 24 or newer is required (this is ${process.version}).\n`);
  process.exit(2);
}
// Compiled code (and, in a checkout, the stripped TypeScript) is cached per user: a cache shared
// through the temporary directory could be filled by another user. An unwritable cache is skipped.
const cacheHome = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
const compileCache = join(cacheHome, 'bulwark', 'compile-cache');
if (makeDirectory(compileCache)) module.enableCompileCache?.(compileCache);
const args = process.argv.slice(2);
servingWithFixedYoungGeneration(args);
const source = new URL('../src/cli/main.ts', import.meta.url);
const fromSource = existsSync(source) && !source.pathname.includes('/node_modules/');
const code = (path) => new URL(fromSource ? `../src/${path}.ts` : `../dist/${basename(path)}.js`, import.meta.url).href;
// A scan's own thread loads its modules while the CLI loads here (src/scan/prestart.ts says why).
if (args[0] === 'scan') (await import(code('scan/prestart'))).prestartScanThread();
const { main } = await import(code('cli/main'));
process.exitCode = await main(args);

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

/**
 * `admission serve` answers the API server under a deadline, and its tail latency was set by minor GCs:
 * under load V8 grows and shrinks the young generation, and each resize stalled a collection for tens of
 * milliseconds. With the young generation fixed at 8 MiB semi-spaces, 1,000 reviews/s measured p99
 * 5.5–5.7 ms instead of 17–23 ms (docs/benchmarks.md). V8 reads heap sizes only at start-up and Node
 * refuses these flags in NODE_OPTIONS, so the process replaces itself (execve: same pid, no extra
 * process) with them set. Skipped when a size is already given, or where execve does not exist.
 */
function servingWithFixedYoungGeneration(args) {
  if (args[0] !== 'admission' || args[1] !== 'serve') return;
  if (typeof process.execve !== 'function' || process.execArgv.some((flag) => flag.includes('semi-space-size'))) return;
  // --expose-gc: the server collects its start-up garbage once before it listens (src/server/heap.ts).
  const flags = ['--min-semi-space-size=8', '--max-semi-space-size=8', '--expose-gc', ...process.execArgv];
  try {
    process.execve(process.execPath, [process.execPath, ...flags, fileURLToPath(import.meta.url), ...args], process.env);
  } catch {
    // The server still works with V8's default sizing; only its tail latency is worse.
  }
}
