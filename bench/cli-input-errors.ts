// Benchmark of how long a user waits to be told their input is wrong: each case runs the real
// binary in fresh processes on bad input and prints the median wall time, CPU time (user + system,
// measured inside the child) and peak RSS. The errors should come before any expensive work.
//   db-import-missing   `bulwark db import missing.zip` (file named once, in words)
//   db-import-invalid   `bulwark db import invalid.jsonl` where no record is valid (exit 2)
//   lint-no-policies    `bulwark policy lint DIR` with no policy in DIR (exit 2)
//   admission-config    `bulwark admission install -c missing.yaml`
//   image-ca-file       `bulwark image scan REF --ca-file missing.pem` (before any network)
// Usage: node bench/cli-input-errors.ts [--runs 5]
// CPU time is the figure to compare on a shared machine; wall time mostly measures the others.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error('--runs is 1…100');

const bin = join(import.meta.dirname, '..', 'bin', 'bulwark.js');
const probe = 'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();writeSync(2,`\\nBENCH ${u.user+u.system} ${process.resourceUsage().maxRSS}\\n`)})';

const cases: [name: string, args: string[]][] = [
  ['db-import-missing', ['db', 'import', 'missing.zip', '--db', 'a.db']],
  ['db-import-invalid', ['db', 'import', 'invalid.jsonl', '--db', 'b.db']],
  ['lint-no-policies', ['policy', 'lint', 'empty']],
  ['admission-config', ['admission', 'install', '-c', 'missing.yaml']],
  ['image-ca-file', ['image', 'scan', 'registry.invalid/app:1', '--ca-file', 'missing.pem']],
];

const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const scratch = mkdtempSync(join(tmpdir(), 'bulwark-bench-cli-errors-'));
try {
  mkdirSync(join(scratch, 'empty'));
  writeFileSync(join(scratch, 'invalid.jsonl'), '{"a":1}\n'.repeat(1000));
  console.log(`cli input errors: ${runs} runs per case, median; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)} (shared machine)`);
  spawnSync(process.execPath, [bin, '--version'], { cwd: scratch });
  for (const [name, args] of cases) {
    const wall: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['--import', probe, bin, ...args], { cwd: scratch, encoding: 'utf8' });
      wall.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (result.status !== 2) throw new Error(`${name}: exit ${result.status}, expected 2: ${result.stderr}`);
      const match = /\nBENCH (\d+) (\d+)\n/.exec(result.stderr);
      if (match === null) throw new Error(`${name}: no CPU figure from the child`);
      cpu.push(Number(match[1]) / 1000);
      rss.push(Number(match[2]) / 1024);
    }
    console.log(`${name.padEnd(18)} wall ${median(wall).toFixed(0).padStart(5)} ms   cpu ${median(cpu).toFixed(0).padStart(5)} ms   peak rss ${median(rss).toFixed(0).padStart(4)} MiB`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
