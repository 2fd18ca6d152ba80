// Builds the published package's code: `dist/`, the TypeScript sources bundled into a few ES modules.
// Usage: node scripts/bundle.ts [--outdir DIR]
//
// Why a bundle and not one compiled file per source file: Node loads each ES module separately
// (resolve, stat, read, compile-cache lookup, link), about 1 ms apiece on the 2-core benchmark
// machine, and a scan loads ~160 of ours on its thread before reading a single manifest. Bundled,
// the same code loads in under half the time (10,000-object scan: 0.85 s instead of 0.97 s,
// docs/benchmarks.md). Dynamic imports stay separate chunks, so each command still loads only what
// it uses, and dependencies stay in node_modules (some read their own files at run time).
//
// The entry points sit side by side at the root of the output, with the shared chunks: code that
// starts a worker names its module relative to itself (`new URL('./thread.js', import.meta.url)`),
// which then resolves from whichever chunk that code lands in.
import { readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { rewriteBuiltinImports } from './builtin-imports.ts';

const root = new URL('..', import.meta.url);
const { values } = parseArgs({ options: { outdir: { type: 'string', default: new URL('dist', root).pathname } } });
const outdir = values.outdir!;

/** Modules the package starts by URL: the CLI, and the modules of its worker threads. */
export const ENTRY_POINTS = ['src/cli/main.ts', 'src/scan/prestart.ts', 'src/scan/thread.ts', 'src/scan/worker.ts'];

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root.pathname,
  entryPoints: ENTRY_POINTS,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  packages: 'external',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  // Names stay readable in stack traces (BULWARK_DEBUG=1) and profiles.
  minify: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [builtinModules()],
});
/** The sources as bundled: their built-in imports rewritten (scripts/builtin-imports.ts says why). */
function builtinModules(): Plugin {
  return {
    name: 'builtin-modules',
    setup(plugin) {
      plugin.onLoad({ filter: /\/src\/.*\.ts$/ }, ({ path }) => ({ contents: rewriteBuiltinImports(readFileSync(path, 'utf8')), loader: 'ts' }));
    },
  };
}

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
process.stdout.write(`bundled ${ENTRY_POINTS.length} entry points into ${outputs.length} modules (${(bytes / 1024).toFixed(0)} KiB) in ${outdir}\n`);
