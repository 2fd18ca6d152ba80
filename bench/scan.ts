// Benchmark of `bulwark scan --format json` as a user runs it: a whole process on a generated corpus.
// Usage: node bench/scan.ts [--objects 10000] [--files 50] [--namespaces 200] [--runs 5] [--pss-only] [--from package|source]
// Prints wall time (best and median of the runs), CPU time (user + system, every thread), objects/s
// and peak RSS; add --scale to also run 10x the objects and check growth is linear. --pss-only
// disables every control outside the Pod Security Standards (a .bulwark.yaml `controls.disable`).
// --from package (the default) measures what users install: the checkout built, packed and unpacked
// (scripts/stage-package.ts); --from source runs the checkout's TypeScript as developers do.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { allControls } from '../src/checks/catalog.ts';
import { benchBinary } from './binary.ts';
import { writeCorpus } from './corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    files: { type: 'string', default: '50' },
    namespaces: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    scale: { type: 'boolean', default: false },
    'pss-only': { type: 'boolean', default: false },
    from: { type: 'string', default: 'package' },
  },
});

const root = new URL('..', import.meta.url).pathname;
const { bin, origin } = benchBinary(values.from);

interface Run {
  wallMs: number;
  /** User + system CPU time of the process, every thread; NaN without GNU time. */
  cpuMs: number;
  rssKiB: number;
  exit: number | null;
  findings: number;
}

// The report goes to a file, as `--output` does in CI, so the figure is the scanner's and not how fast
// this script drains a pipe. Peak RSS comes from GNU time (`/usr/bin/time -f %M`) around the process:
// loading a probe into it with `node --import` was measured to slow the scan itself by ~0.1 s.
const gnuTime = '/usr/bin/time';

function runOnce(dir: string, config: string | undefined): Promise<Run> {
  const report = join(dir, '..', `${basename(dir)}.report.json`);
  const scan = [bin, 'scan', dir, '--format', 'json', '--output', report, ...(config === undefined ? [] : ['--config', config])];
  const [command, args] = existsSync(gnuTime)
    ? [gnuTime, ['-f', 'maxrss=%M cpu=%U %S', process.execPath, ...scan]]
    : [process.execPath, scan];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const findings = (JSON.parse(readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
      rmSync(report, { force: true });
      const rss = /maxrss=(\d+)/.exec(stderr);
      const cpu = /cpu=([\d.]+) ([\d.]+)/.exec(stderr);
      const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN;
      resolve({ wallMs, cpuMs, rssKiB: rss ? Number(rss[1]) : Number.NaN, exit: code, findings });
    });
  });
}

async function measure(objects: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-'));
  try {
    const { bytes } = writeCorpus(dir, {
      objects,
      files: Number(values.files),
      namespaces: Number(values.namespaces),
    });
    let config: string | undefined;
    if (values['pss-only']) {
      config = join(dir, '..', `${basename(dir)}.pss-only.yaml`);
      const others = allControls.filter((control) => !control.id.startsWith('pss-')).map((control) => control.id);
      writeFileSync(config, `version: 1\ncontrols:\n  disable: [${others.join(', ')}]\n`);
    }
    await runOnce(dir, config); // warm the compile cache and the page cache, as a second CI run would be
    const runs: Run[] = [];
    for (let i = 0; i < Number(values.runs); i++) runs.push(await runOnce(dir, config));
    if (config !== undefined) rmSync(config, { force: true });
    const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
    const best = walls[0]!;
    const median = walls[Math.floor(walls.length / 2)]!;
    const rss = Math.max(...runs.map((r) => r.rssKiB)) / 1024;
    const cpus = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
    const fileCount = readdirSync(dir).length;
    const mb = bytes / 1048576;
    console.log(
      `objects=${objects} catalog=${values['pss-only'] ? 'pss-only' : 'full'} from=${origin} files=${fileCount} yaml=${mb.toFixed(1)}MiB findings=${runs[0]!.findings} ` +
        `wall_best=${best.toFixed(0)}ms wall_median=${median.toFixed(0)}ms ` +
        `cpu_min=${cpus[0]!.toFixed(0)}ms cpu_median=${cpus[Math.floor(cpus.length / 2)]!.toFixed(0)}ms ` +
        `objects_per_s=${Math.round(objects / (median / 1000))} peak_rss=${rss.toFixed(0)}MiB exit=${runs[0]!.exit}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`# bulwark scan benchmark — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}`);
if (!existsSync(join(root, 'src')) || !statSync(bin).isFile()) throw new Error('run from a checkout');
await measure(Number(values.objects));
if (values.scale) await measure(Number(values.objects) * 10);
