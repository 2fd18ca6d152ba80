// Benchmark of what a user waits for before any work starts: the `bulwark` process itself. Each case
// runs the real binary in fresh processes and prints, on one line, the median wall time, CPU time
// (user + system, measured inside the child) and peak RSS:
//   version        `bulwark --version` (loads every command module)
//   help           `bulwark --help`
//   help-ledger    `bulwark ledger --help` (loads the ledger command only)
//   usage-error    `bulwark ledger read --no-such-flag` (exit 2 path)
//   input-error    `bulwark audit detect missing.log` (exit 2 path through the audit module)
//   controls-json  `bulwark controls --format json` (the catalog, a short command that does work)
// Usage: node bench/cli.ts [--runs 7]
// CPU time is the figure to compare on a shared machine; wall time mostly measures the others.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error('--runs is 1…100');

const bin = join(import.meta.dirname, '..', 'bin', 'bulwark.js');
// Printed by the child at exit, so the figure is the child's own CPU, not the spawning's.
const probe = 'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();writeSync(2,`\\nBENCH ${u.user+u.system} ${process.resourceUsage().maxRSS}\\n`)})';

const cases: [name: string, args: string[], status: number][] = [
  ['version', ['--version'], 0],
  ['help', ['--help'], 0],
  ['help-ledger', ['ledger', '--help'], 0],
  ['usage-error', ['ledger', 'read', '--no-such-flag'], 2],
  ['input-error', ['audit', 'detect', 'missing.log'], 2],
  ['controls-json', ['controls', '--format', 'json'], 0],
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const scratch = mkdtempSync(join(tmpdir(), 'bulwark-bench-cli-'));
try {
  console.log(`cli startup: ${runs} runs per case, median; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)} (shared machine)`);
  // One untimed run fills Node's compile cache, as a user's second run would find it.
  spawnSync(process.execPath, [bin, '--version'], { cwd: scratch });
  for (const [name, args, status] of cases) {
    const wall: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['--import', probe, bin, ...args], { cwd: scratch, encoding: 'utf8', maxBuffer: 64 << 20 });
      wall.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status !== status) throw new Error(`${name}: exit ${result.status}, expected ${status}: ${result.stderr}`);
      const match = /\nBENCH (\d+) (\d+)\n/.exec(result.stderr);
      if (match === null) throw new Error(`${name}: no CPU figure from the child`);
      cpu.push(Number(match[1]) / 1000);
      rss.push(Number(match[2]) / 1024);
    }
    console.log(`${name.padEnd(14)} wall ${median(wall).toFixed(0).padStart(5)} ms   cpu ${median(cpu).toFixed(0).padStart(5)} ms   peak rss ${median(rss).toFixed(0).padStart(4)} MiB`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
