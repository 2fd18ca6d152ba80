import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { writeCorpus } from '../../bench/corpus.ts';
import { BulwarkError } from '../core/index.ts';
import { scanDocument, type DocumentSettings } from './document.ts';
import type { ScanRequest } from './run.ts';
import { prestartScanThread, takeScanThread } from './prestart.ts';
import { scanForPrinting } from './threaded.ts';
import { startModuleWorker } from './worker-start.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-threaded-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const corpus = join(scratch, 'corpus');
writeCorpus(corpus, { objects: 300, files: 4, namespaces: 5, seed: 11 });

function request(overrides: Partial<ScanRequest> = {}): ScanRequest {
  return { paths: [corpus], kustomize: [], cwd: scratch, now: new Date('2026-06-01T12:00:00Z'), toolVersion: 'test', ...overrides };
}
const settings = (overrides: Partial<DocumentSettings> = {}): DocumentSettings => ({
  format: 'json',
  color: false,
  width: undefined,
  baseDir: scratch,
  threatModel: false,
  ...overrides,
});

describe('scanForPrinting: a scan on its own thread', () => {
  it('prints exactly what the same scan prints on the main thread, in every format', async () => {
    for (const format of ['json', 'table', 'sarif', 'junit'] as const) {
      const here = await scanDocument(request(), settings({ format }));
      const there = await scanForPrinting(request(), settings({ format }), undefined);
      assert.ok(there.chunks !== undefined);
      assert.equal([...there.chunks].join(''), [...here.chunks].join(''), format);
      assert.deepEqual(there.diagnostics, here.diagnostics);
      assert.equal(there.exitCode, here.exitCode);
    }
  });

  it('writes --output itself and reports progress through the main thread', async () => {
    const output = join(scratch, 'report.json');
    const progress: number[] = [];
    const there = await scanForPrinting(request({ onProgress: (done) => progress.push(done) }), settings(), output);
    assert.equal(there.chunks, undefined);
    const here = await scanDocument(request(), settings());
    assert.equal(readFileSync(output, 'utf8'), [...here.chunks].join(''));
    // Throttled on the thread (the indicator redraws at most every 80 ms), but always ends complete.
    assert.ok(progress.length >= 1 && progress.at(-1) === 4, String(progress));
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  });

  it('keeps the exit code and the threat model view', async () => {
    const failing = await scanForPrinting(request({ failOn: 'low' }), settings(), undefined);
    assert.equal(failing.exitCode, 1);
    const view = await scanForPrinting(request(), settings({ threatModel: true }), undefined);
    const viewHere = await scanDocument(request(), settings({ threatModel: true }));
    assert.equal([...view.chunks!].join(''), [...viewHere.chunks].join(''));
  });

  it('throws what the scan throws, with its code and location', async () => {
    const config = join(scratch, 'bad.yaml');
    writeFileSync(config, 'version: 1\nfailOn: hgh\n');
    const inline = await scanDocument(request({ configPath: config }), settings()).catch((error: unknown) => error);
    const threaded = await scanForPrinting(request({ configPath: config }), settings(), undefined).catch((error: unknown) => error);
    assert.ok(threaded instanceof BulwarkError && inline instanceof BulwarkError);
    assert.equal(threaded.code, 'E_CONFIG');
    assert.equal(threaded.toString(), inline.toString());
    await assert.rejects(scanForPrinting(request(), settings({ format: 'sarif', threatModel: true }), undefined), (error: unknown) => error instanceof BulwarkError && error.code === 'E_USAGE');
    await assert.rejects(scanForPrinting(request(), settings(), join(scratch, 'missing', 'out.json')), (error: unknown) => error instanceof BulwarkError && error.code === 'E_IO');
  });

  it('reads standard input on the main thread', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: i, securityContext: {privileged: true}}]\n';
    const document = await scanForPrinting(request({ paths: ['-'], readStdin: async () => pod }), settings(), undefined);
    assert.match([...document.chunks!].join(''), /pss-privileged/);
  });
});

describe('a scan thread started before the command line is parsed', () => {
  it('is the one the scan uses, and prints what the main thread prints', async () => {
    prestartScanThread();
    const there = await scanForPrinting(request(), settings(), undefined);
    assert.equal(takeScanThread(), undefined, 'the scan took the prestarted thread');
    const here = await scanDocument(request(), settings());
    assert.equal([...there.chunks!].join(''), [...here.chunks].join(''));
  });

  it('is stopped when the scan reads standard input instead', async () => {
    prestartScanThread();
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: i}]\n';
    const document = await scanForPrinting(request({ paths: ['-'], readStdin: async () => pod }), settings(), undefined);
    assert.match([...document.chunks!].join(''), /pss-run-as-non-root/);
    assert.equal(takeScanThread(), undefined);
  });

  it('starts with Node\'s built-in code caches accepted: its compiler flags wait for its modules', () => {
    // V8 keys code caches on its flags; flags changed before the thread started made it compile Node's
    // own modules from source (~30 ms of every scan). Node reports each cache it accepts or rejects.
    const bin = new URL('../../bin/bulwark.js', import.meta.url).pathname;
    const output = join(scratch, 'code-cache.json');
    const child = spawnSync(process.execPath, [bin, 'scan', corpus, '--format', 'json', '--output', output], {
      encoding: 'utf8',
      env: { ...process.env, NODE_DEBUG_NATIVE: 'CODE_CACHE' },
      timeout: 60_000,
    });
    assert.ok(child.status === 0 || child.status === 1, child.stderr);
    assert.match(child.stderr, /is accepted/, 'Node reports its code cache');
    assert.doesNotMatch(child.stderr, /is rejected/);
  });

  it('does not keep a process alive that never scans (--help, a usage error)', () => {
    const prestart = new URL('./prestart.ts', import.meta.url).href;
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `(await import(${JSON.stringify(prestart)})).prestartScanThread();`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.ok(performance.now() - started < 15_000);
  });
});

describe('startModuleWorker', () => {
  it('gives the worker the compile cache of the main thread', async () => {
    const cache = join(scratch, 'compile-cache');
    if (module.getCompileCacheDir?.() === undefined) module.enableCompileCache?.(cache);
    const expected = module.getCompileCacheDir?.();
    const entry = join(scratch, 'probe.mjs');
    writeFileSync(entry, "import module from 'node:module';\nimport { parentPort } from 'node:worker_threads';\nparentPort.postMessage(module.getCompileCacheDir?.() ?? null);\n");
    const worker = startModuleWorker(pathToFileURL(entry));
    const seen = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    assert.equal(seen, expected ?? null);
  });
});
