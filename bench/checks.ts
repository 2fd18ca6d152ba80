// Benchmark of the per-object check catalog, in process, on the scan benchmark's corpus: objects are
// loaded once, then each group of checks runs over all of them several times. Prints, per group, the
// median time of the evaluation loop (pod views + checks + findings, sorted) and the findings it made,
// so that a change to one area's checks can be weighed against the whole-process budget of
// `bench/scan.ts`. Also times the image reference parser and the secret classifier on their own.
// With --process it also times whole `bulwark scan --format json` processes, interleaving three
// configurations so that a noisy machine weighs on each alike: these areas' controls disabled (the
// catalog without them), the defaults, and every opt-in control enabled.
// Usage: node bench/checks.ts [--objects 10000] [--runs 7] [--process]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Check, ScanSettings } from '../src/checks/check.ts';
import { allChecks } from '../src/checks/catalog.ts';
import { computeChecks } from '../src/checks/compute/index.ts';
import { distributeChecks } from '../src/checks/distribute/index.ts';
import { parseImageReference } from '../src/checks/distribute/image-reference.ts';
import { storageChecks } from '../src/checks/storage/index.ts';
import { classifySecret } from '../src/checks/storage/secret-patterns.ts';
import { runChecks } from '../src/engine/run.ts';
import { loadInputs } from '../src/load/index.ts';
import { pssChecks } from '../src/pss/catalog.ts';
import { writeCorpus } from './corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '7' },
    process: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const settings: ScanSettings = { pss: { level: 'restricted', version: 'latest' } };

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-checks-'));
try {
  writeCorpus(dir, { objects: Number(values.objects), files: 50, namespaces: 200 });
  const { objects } = await loadInputs([dir]);
  console.log(`# per-object checks — node ${process.version}, ${objects.length} objects`);
  const groups: [string, readonly Check[]][] = [
    ['pss', pssChecks],
    ['compute', computeChecks],
    ['distribute', distributeChecks],
    ['storage', storageChecks],
    ['all', allChecks],
  ];
  for (const [name, checks] of groups) {
    runChecks(objects, checks, { settings }); // warm up
    const times: number[] = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      findings = runChecks(objects, checks, { settings }).findings.length;
      times.push(performance.now() - started);
    }
    console.log(`group=${name} checks=${checks.length} findings=${findings} median_ms=${median(times).toFixed(1)} best_ms=${Math.min(...times).toFixed(1)}`);
  }

  const images = ['nginx', 'nginx:1.27', 'registry.example.com:5000/team/app:2.0.1-alpine', `ghcr.io/acme/app@sha256:${'a'.repeat(64)}`, 'Bad/Name'];
  let started = performance.now();
  const parses = 200_000;
  for (let i = 0; i < parses; i++) parseImageReference(`${images[i % images.length]}${i % 7 === 0 ? '' : String(i % 50)}`);
  console.log(`image_reference_parses=${parses} ns_per_parse=${(((performance.now() - started) * 1e6) / parses).toFixed(0)}`);

  const envs: [string, string][] = [
    ['LOG_LEVEL', 'info'],
    ['DB_PASSWORD', 's3cr3t-value'],
    ['GITHUB_TOKEN', `ghp_${'x1'.repeat(18)}`],
    ['API_URL', 'https://api.example.com/v1'],
    ['FEATURE_FLAGS', 'a,b,c,d,e,f,g,h,i,j,k,l'],
  ];
  started = performance.now();
  const classified = 500_000;
  for (let i = 0; i < classified; i++) {
    const [name, value] = envs[i % envs.length]!;
    classifySecret(name, value);
  }
  console.log(`secret_classifications=${classified} ns_per_classification=${(((performance.now() - started) * 1e6) / classified).toFixed(0)}`);

  if (values.process) {
    const bin = new URL('../bin/bulwark.js', import.meta.url).pathname;
    const mine = [...computeChecks, ...distributeChecks, ...storageChecks];
    const configs: [string, string][] = [
      ['without-compute-distribute-storage', `version: 1\ncontrols:\n  disable: [${mine.map((check) => check.id).join(', ')}]\n`],
      ['default', 'version: 1\n'],
      ['all-opt-in-enabled', `version: 1\ncontrols:\n  enable: [${mine.filter((check) => check.optIn).map((check) => check.id).join(', ')}]\n`],
    ];
    const walls = new Map<string, number[]>(configs.map(([name]) => [name, []]));
    const cpus = new Map<string, number[]>(configs.map(([name]) => [name, []]));
    const counts = new Map<string, number>();
    // CPU time (user + system, from GNU time) says what the process costs even when other work shares
    // the cores; wall time is what a user waits on an idle machine.
    const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    for (let i = 0; i <= runs; i++) {
      for (const [name, text] of configs) {
        const config = join(dir, '..', `${name}.bulwark.yaml`);
        const report = join(dir, '..', `${name}.report.json`);
        writeFileSync(config, text);
        const scan = [bin, 'scan', dir, '--format', 'json', '--output', report, '--config', config];
        const started = performance.now();
        const run = gnuTime
          ? spawnSync(gnuTime, ['-f', 'cpu=%U+%S', process.execPath, ...scan], { encoding: 'utf8' })
          : spawnSync(process.execPath, scan, { encoding: 'utf8' });
        const wall = performance.now() - started;
        if (run.status !== 0) throw new Error(`bulwark scan exited ${run.status} with ${name}: ${run.stderr}`);
        const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(run.stderr);
        if (i > 0) {
          // The first round warms the compile and page caches.
          walls.get(name)!.push(wall);
          if (cpu) cpus.get(name)!.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
        }
        counts.set(name, (JSON.parse(readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length);
        rmSync(report, { force: true });
        rmSync(config, { force: true });
      }
    }
    for (const [name] of configs) {
      const times = walls.get(name)!;
      const cpu = cpus.get(name)!;
      console.log(
        `process=${name} findings=${counts.get(name)} wall_median_ms=${median(times).toFixed(0)} wall_best_ms=${Math.min(...times).toFixed(0)}` +
          (cpu.length > 0 ? ` cpu_median_ms=${median(cpu).toFixed(0)} cpu_best_ms=${Math.min(...cpu).toFixed(0)}` : ''),
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
