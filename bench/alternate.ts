// Compares two commands on a machine whose speed drifts: runs them alternately (A B, B A, A B …) so
// both see the same minutes, and prints min, quartile, median and mean wall time of each.
// Usage: node bench/alternate.ts RUNS -- COMMAND A... -- COMMAND B...
// Example (the previous and the current package, staged with scripts/stage-package.ts):
//   node bench/alternate.ts 11 -- node old/bin/bulwark.js scan corpus -o a.json -- node new/bin/bulwark.js scan corpus -o b.json
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const runs = Number(args[0]);
const separators = args.flatMap((arg, index) => (arg === '--' ? [index] : []));
if (!Number.isInteger(runs) || runs < 1 || separators.length !== 2) {
  process.stderr.write('usage: node bench/alternate.ts RUNS -- COMMAND A... -- COMMAND B...\n');
  process.exit(2);
}
const commands = [args.slice(separators[0]! + 1, separators[1]), args.slice(separators[1]! + 1)];
const times: number[][] = [[], []];
for (let run = 0; run < runs; run++) {
  for (const which of run % 2 === 0 ? [0, 1] : [1, 0]) {
    const [command, ...rest] = commands[which]!;
    const started = performance.now();
    const result = spawnSync(command!, rest, { stdio: 'ignore' });
    if (result.error !== undefined) throw result.error;
    times[which]!.push(performance.now() - started);
  }
}
for (const [index, label] of ['A', 'B'].entries()) {
  const sorted = [...times[index]!].sort((a, b) => a - b);
  const at = (q: number): string => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(0);
  const mean = sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
  console.log(`${label} min ${at(0)} ms, p25 ${at(0.25)}, median ${at(0.5)}, mean ${mean.toFixed(0)} (${runs} runs): ${commands[index]!.join(' ')}`);
}
