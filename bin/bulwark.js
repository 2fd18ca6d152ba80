#!/usr/bin/env node
// Entry point of the `bulwark` command. In a source checkout Node 24 runs the TypeScript sources
// directly; the published package carries the compiled `dist/`.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

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
const source = new URL('../src/cli/main.ts', import.meta.url);
const entry = existsSync(source) && !source.pathname.includes('/node_modules/') ? source : new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

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
