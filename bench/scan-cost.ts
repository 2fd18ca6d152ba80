// What `bulwark scan --format json --output FILE` costs, in figures that hold on a shared machine:
// CPU time (user + system) and peak RSS of the whole process from GNU time, and the bytes it allocates
// from V8's sampling heap profiler. Wall time is not printed: other jobs on the machine decide it.
// Usage: node bench/scan-cost.ts [--objects 10000] [--runs 5] [--pss-only] [--top 15]
//   --pss-only  disables every control outside the Pod Security Standards (a .bulwark.yaml `controls.disable`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allControls } from '../src/checks/catalog.ts';
import { writeCorpus } from './corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    'pss-only': { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
  },
});

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'bulwark.js');
const gnuTime = '/usr/bin/time';
if (!existsSync(gnuTime)) throw new Error('GNU time (/usr/bin/time) is needed for CPU time and peak RSS');

// The allocation profile: the scan runs on a thread of its own in the CLI, which a profiler loaded
// into the process would not see, so this script runs the same scan (scanDocument, rendering
// included) in a process of its own under V8's sampling heap profiler (every ~16 KiB allocated,
// objects the GC already collected included) and prints the total and the functions that allocated most.
const PROFILER = `
import { Session } from 'node:inspector/promises';
const { scanDocument } = await import(${JSON.stringify(new URL('../src/scan/document.ts', import.meta.url).href)});
const [corpus, config] = process.argv.slice(2);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const request = { paths: [corpus], kustomize: [], cwd: process.cwd(), configPath: config || undefined, now: new Date(), toolVersion: 'bench' };
const document = await scanDocument(request, { format: 'json', color: false, width: undefined, baseDir: process.cwd(), threatModel: false });
let characters = 0;
for (const chunk of document.chunks) characters += chunk.length;
const { profile } = await session.post('HeapProfiler.stopSampling');
const self = new Map();
let total = 0;
const walk = (node) => {
  const f = node.callFrame;
  const key = (f.functionName || '(anonymous)') + ' ' + f.url.replace(/^.*\\/src\\//, 'src/') + ':' + (f.lineNumber + 1);
  self.set(key, (self.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  node.children.forEach(walk);
};
walk(profile.head);
process.stderr.write('ALLOC ' + JSON.stringify({ total, characters, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, ${Number(values.top)}) }) + '\\n');
`;

const dir = mkdtempSync(join(tmpdir(), 'bulwark-scan-cost-'));
try {
  const corpus = join(dir, 'corpus');
  writeCorpus(corpus, { objects: Number(values.objects), files: 50, namespaces: 200 });
  const args = [bin, 'scan', corpus, '--format', 'json', '--output', join(dir, 'report.json')];
  if (values['pss-only']) {
    const others = allControls.filter((control) => !control.id.startsWith('pss-')).map((control) => control.id);
    writeFileSync(join(dir, 'pss-only.yaml'), `version: 1\ncontrols:\n  disable: [${others.join(', ')}]\n`);
    args.push('--pss-level', 'restricted', '--config', join(dir, 'pss-only.yaml'));
  }
  const profiler = join(dir, 'profiler.mjs');
  writeFileSync(profiler, PROFILER);
  const config = values['pss-only'] ? join(dir, 'pss-only.yaml') : '';

  const run = (extra: string[]): { cpu: number; rssMiB: number; stderr: string } => {
    const result = spawnSync(gnuTime, ['-f', 'cost=%U %S %M', process.execPath, ...extra, ...args], { encoding: 'utf8' });
    const cost = /cost=([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
    if (cost === null || (result.status !== 0 && result.status !== 1)) throw new Error(`scan failed: ${result.stderr}`);
    return { cpu: Number(cost[1]) + Number(cost[2]), rssMiB: Number(cost[3]) / 1024, stderr: result.stderr };
  };

  run([]); // warms the compile cache and the page cache, as a second CI run would be
  const runs = Array.from({ length: Number(values.runs) }, () => run([]));
  const cpu = runs.map((r) => r.cpu).sort((a, b) => a - b);
  const rss = runs.map((r) => r.rssMiB).sort((a, b) => a - b);
  const median = (list: number[]) => list[Math.floor(list.length / 2)]!;
  const profiled = spawnSync(process.execPath, [profiler, corpus, config], { encoding: 'utf8', cwd: dir });
  const alloc = /ALLOC (.*)/.exec(profiled.stderr);
  if (alloc === null) throw new Error(`the allocation profile failed: ${profiled.stderr}`);
  const findings = (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: unknown[] }).findings.length;

  console.log(`# bulwark scan cost — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}`);
  console.log(
    `objects=${values.objects} catalog=${values['pss-only'] ? 'pss-only' : 'full'} findings=${findings} ` +
      `cpu_min=${cpu[0]!.toFixed(2)}s cpu_median=${median(cpu).toFixed(2)}s rss_median=${median(rss).toFixed(0)}MiB rss_max=${rss.at(-1)!.toFixed(0)}MiB`,
  );
  const { total, top } = JSON.parse(alloc[1]!) as { total: number; top: [string, number][] };
  console.log(`allocated=${(total / 2 ** 20).toFixed(0)}MB by the scan (sampled, collected objects included; one process, source); most by:`);
  for (const [where, bytes] of top) console.log(`  ${(bytes / 2 ** 20).toFixed(1).padStart(6)} MB  ${where}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
