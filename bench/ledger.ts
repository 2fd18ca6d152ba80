// Benchmark of the ledger. Prints, each on one line:
//   file_append   sustained appends/s to the file store (1 KiB entries, encrypted, fsync group commit)
//   pg_append     the same to PostgreSQL (needs scripts/setup-postgres.sh; skipped otherwise)
//   proof         inclusion proof time at 10 million entries (tree files of pre-hashed leaves)
//   verify        full verification of the appended log (1 million entries by default)
// Usage: node bench/ledger.ts [--entries 1000000] [--pg-entries 50000] [--proof-leaves 10000000]
//                              [--in-flight 4096] [--batch N] [--skip-pg] [--skip-proof] [--skip-file]
//                              [--tree-dir DIR]
// --batch N appends N entries per appendBatch call (as the audit receiver does with a webhook's event
// list) instead of one append() call per entry. --tree-dir keeps the proof benchmark's tree files there
// and reuses them on the next run (building 10 million leaves takes a while on a busy machine).
// Every figure comes with the CPU time it took: on a shared machine wall time mostly measures the
// other tenants, CPU time what this code costs.
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CompactRange, foldRange } from '../src/ledger/compact-range.ts';
import { initLedger, openLedger, verifyInclusion, verifyLedger, type Ledger } from '../src/ledger/index.ts';
import { assembleFetched, inclusionPlan, planNodes } from '../src/ledger/proof-plan.ts';
import { findTestPostgres } from '../src/ledger/testing.ts';
import { LevelRuns, TreeFiles } from '../src/ledger/tree-files.ts';
import { frontierNodes } from '../src/ledger/tree-math.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    'pg-entries': { type: 'string', default: '50000' },
    'proof-leaves': { type: 'string', default: '10000000' },
    'in-flight': { type: 'string', default: '4096' },
    batch: { type: 'string', default: '0' },
    'skip-pg': { type: 'boolean', default: false },
    'skip-proof': { type: 'boolean', default: false },
    'skip-file': { type: 'boolean', default: false },
    'tree-dir': { type: 'string' },
  },
});

const ENTRY_BYTES = 1024;
const TEMPLATE = Buffer.alloc(ENTRY_BYTES, 0x61);
Buffer.from('{"i":0000000000,"verb":"create","user":"user-00","body":"').copy(TEMPLATE);
Buffer.from('"}').copy(TEMPLATE, ENTRY_BYTES - 2);
const payload = (i: number): Buffer => {
  // A fresh 1 KiB JSON-ish event per entry, as a receiver would hand over; the index keeps every
  // entry distinct.
  const data = Buffer.allocUnsafe(ENTRY_BYTES);
  TEMPLATE.copy(data);
  data.write(String(i).padStart(10, '0'), 6, 'latin1');
  data.write(String(i % 100).padStart(2, '0'), 45, 'latin1');
  return data;
};
const cpuSeconds = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;

/**
 * CPU seconds used so far by every PostgreSQL process on this machine (Linux /proc), or undefined.
 * Best effort: the benchmark's server is local; other clients of it would be counted too.
 */
function postgresCpuSeconds(): number | undefined {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        /* the process ended */
      }
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** Appends `count` entries, one append() per entry with up to `inFlight` outstanding, as a busy receiver would. */
async function appendMany(ledger: Ledger, count: number, inFlight: number): Promise<number> {
  const batch = Number(values.batch);
  if (batch > 0) return appendBatches(ledger, count, batch, Math.max(2, Math.floor(inFlight / batch)));
  const started = performance.now();
  let next = 0;
  let outstanding = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (outstanding < inFlight && next < count) {
        const i = next++;
        outstanding++;
        ledger.append({ subject: `user-${i % 100}`, data: payload(i) }).then(() => {
          outstanding--;
          if (next === count && outstanding === 0) resolve();
          else if (outstanding < inFlight / 2) pump();
        }, reject);
      }
    };
    pump();
  });
  return performance.now() - started;
}

async function appendBatches(ledger: Ledger, count: number, size: number, inFlight: number): Promise<number> {
  const started = performance.now();
  const pending = new Set<Promise<unknown>>();
  for (let first = 0; first < count; first += size) {
    const inputs = [];
    for (let i = first; i < Math.min(count, first + size); i++) inputs.push({ subject: `user-${i % 100}`, data: payload(i) });
    const p: Promise<unknown> = ledger.appendBatch(inputs).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'bulwark-ledger-bench-'));
console.log(`# bulwark ledger benchmark — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(1)}`);
try {
  const entries = Number(values.entries);
  const inFlight = Number(values['in-flight']);
  if (!values['skip-file']) {
    const dir = join(root, 'file');
    await initLedger({ dir, checkpointEveryEntries: 100_000, checkpointEveryMs: 0 });
    let ledger = await openLedger({ dir });
    // What producing the events costs the benchmark itself, measured apart so it can be told from the ledger's share.
    let cpu = process.cpuUsage();
    for (let i = 0; i < 100_000; i++) payload(i);
    const payloadUs = ((cpuSeconds(process.cpuUsage(cpu)) * 1e6) / 100_000).toFixed(1);
    cpu = process.cpuUsage();
    const ms = await appendMany(ledger, entries, inFlight);
    await ledger.close();
    cpu = process.cpuUsage(cpu);
    const cpuUs = (cpu.user + cpu.system) / entries;
    console.log(
      `file_append entries=${entries} entry_bytes=${ENTRY_BYTES} durability=fsync in_flight=${inFlight} batch=${values.batch} wall=${(ms / 1000).toFixed(2)}s appends_per_s=${Math.round(entries / (ms / 1000))} cpu_us_per_entry=${cpuUs.toFixed(1)} (of which making the payload ${payloadUs}) one_core_appends_per_s=${Math.round(1e6 / cpuUs)}`,
    );

    ledger = await openLedger({ dir, readOnly: true });
    const verifyStarted = performance.now();
    cpu = process.cpuUsage();
    const report = await verifyLedger(ledger);
    const verifyMs = performance.now() - verifyStarted;
    cpu = process.cpuUsage(cpu);
    await ledger.close();
    console.log(`verify entries=${report.size} ok=${report.ok} checkpoints=${report.checkpointsMatched} wall=${(verifyMs / 1000).toFixed(2)}s entries_per_s=${Math.round(report.size / (verifyMs / 1000))} cpu=${cpuSeconds(cpu).toFixed(2)}s`);
    rmSync(dir, { recursive: true, force: true });
  }

  if (!values['skip-pg']) {
    const pg = await findTestPostgres();
    if ('missing' in pg) console.log(`pg_append skipped: ${pg.missing}`);
    else {
      const pgDir = join(root, 'pg');
      const schema = `bench_${process.pid}`;
      await initLedger({ dir: pgDir, store: 'postgres', schema, databaseUrl: pg.url, checkpointEveryEntries: 100_000, checkpointEveryMs: 0 });
      const pgLedger = await openLedger({ dir: pgDir, databaseUrl: pg.url });
      const count = Number(values['pg-entries']);
      const pgCpu = process.cpuUsage();
      const serverBefore = postgresCpuSeconds();
      const pgMs = await appendMany(pgLedger, count, inFlight);
      const pgUsed = process.cpuUsage(pgCpu);
      const serverAfter = postgresCpuSeconds();
      const serverUs = serverBefore === undefined || serverAfter === undefined ? 'n/a' : (((serverAfter - serverBefore) * 1e6) / count).toFixed(1);
      await (pgLedger.store as unknown as { dropSchema(): Promise<void> }).dropSchema();
      await pgLedger.close().catch(() => undefined);
      console.log(`pg_append entries=${count} entry_bytes=${ENTRY_BYTES} in_flight=${inFlight} batch=${values.batch} wall=${(pgMs / 1000).toFixed(2)}s appends_per_s=${Math.round(count / (pgMs / 1000))} client_cpu_us_per_entry=${((pgUsed.user + pgUsed.system) / count).toFixed(1)} server_cpu_us_per_entry=${serverUs}`);
    }
  }

  if (!values['skip-proof']) await proofBenchmark(Number(values['proof-leaves']), values['tree-dir'] ?? join(root, 'tree'));
} finally {
  rmSync(root, { recursive: true, force: true });
}

/**
 * Inclusion proofs at `leaves` entries, through the file store's tree files (levels of pre-hashed
 * leaves, built here as appends would build them) and the same plan/fetch/assemble code the ledger
 * uses. Reports wall and CPU percentiles per proof and whether slow proofs coincided with a GC.
 */
async function proofBenchmark(leaves: number, treeDir: string): Promise<void> {
  const marker = join(treeDir, 'bench-leaves');
  let buildNote = 'reused';
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== String(leaves)) {
    rmSync(treeDir, { recursive: true, force: true });
    mkdirSync(treeDir, { recursive: true });
    const tree = new TreeFiles(treeDir, false);
    const range = new CompactRange();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const index = Buffer.alloc(8);
    let runs = new LevelRuns();
    for (let i = 0; i < leaves; i++) {
      index.writeUInt32BE(Math.floor(i / 2 ** 32), 0);
      index.writeUInt32BE(i % 2 ** 32, 4);
      range.appendText(hash('sha256', index, 'binary'), runs.add);
      if ((i + 1) % 65_536 === 0) {
        tree.writeRuns(runs);
        runs = new LevelRuns();
      }
    }
    tree.writeRuns(runs);
    tree.close();
    writeFileSync(marker, String(leaves));
    buildNote = `${((performance.now() - started) / 1000).toFixed(1)}s (cpu ${cpuSeconds(process.cpuUsage(cpu)).toFixed(1)}s)`;
  }
  const tree = new TreeFiles(treeDir, true);
  const rootHash = foldRange(tree.nodes(frontierNodes(leaves)));
  const gcs: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const samples = 20_000;
  const wall: number[] = [];
  const cpuTimes: number[] = [];
  const starts: number[] = [];
  const totalCpu = process.cpuUsage();
  for (let s = 0; s < samples; s++) {
    const leaf = Math.floor(Math.random() * leaves);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const plan = inclusionPlan(leaf, leaves);
    const ids = planNodes(plan);
    const proof = assembleFetched(plan, ids, tree.nodes(ids));
    const [leafHash] = tree.nodes([{ level: 0, index: leaf }]);
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    wall.push(elapsed * 1000);
    cpuTimes.push(used.user + used.system);
    starts.push(started);
    if (s % 1000 === 0 && !verifyInclusion({ leafIdx: BigInt(leaf), treeSize: BigInt(leaves), root: rootHash, leafHash: leafHash!, proof }).valid) throw new Error('proof does not verify');
  }
  const total = process.cpuUsage(totalCpu);
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const pct = (values: number[], p: number): string => `${[...values].sort((a, b) => a - b)[Math.floor(values.length * p)]!.toFixed(0)}µs`;
  const slow = wall.flatMap((w, i) => (w > 1000 ? [{ start: starts[i]!, end: starts[i]! + w / 1000 }] : []));
  const duringGc = slow.filter((x) => gcs.some((g) => g.start < x.end && g.end > x.start)).length;
  console.log(
    `proof leaves=${leaves} build=${buildNote} samples=${samples} wall_p50=${pct(wall, 0.5)} wall_p99=${pct(wall, 0.99)} wall_max=${Math.max(...wall).toFixed(0)}µs cpu_p50=${pct(cpuTimes, 0.5)} cpu_p99=${pct(cpuTimes, 0.99)} cpu_us_per_proof=${((total.user + total.system) / samples).toFixed(0)} over_1ms=${slow.length} over_1ms_during_gc=${duringGc} gcs=${gcs.length}`,
  );
  tree.close();
}
