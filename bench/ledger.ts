// Benchmark of the ledger. Prints, each on one line:
//   file_append   sustained appends/s to the file store (1 KiB entries, encrypted, fsync group commit)
//   pg_append     the same to PostgreSQL (needs scripts/setup-postgres.sh; skipped otherwise)
//   proof         inclusion proof time at 10 million entries (tree files of pre-hashed leaves)
//   verify        full verification of the appended log (1 million entries by default)
// Usage: node bench/ledger.ts [--entries 1000000] [--pg-entries 50000] [--proof-leaves 10000000]
//                              [--in-flight 4096] [--batch N] [--skip-pg] [--skip-proof]
// --batch N appends N entries per appendBatch call (as the audit receiver does with a webhook's event
// list) instead of one append() call per entry.
import { hash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CompactRange, type NewNode } from '../src/ledger/compact-range.ts';
import { initLedger, openLedger, verifyInclusion, verifyLedger, type Ledger } from '../src/ledger/index.ts';
import { assemblePlan, inclusionPlan } from '../src/ledger/proof-plan.ts';
import { findTestPostgres } from '../src/ledger/testing.ts';
import { TreeFiles } from '../src/ledger/tree-files.ts';
import { frontierNodes } from '../src/ledger/tree-math.ts';
import { foldRange } from '../src/ledger/compact-range.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    'pg-entries': { type: 'string', default: '50000' },
    'proof-leaves': { type: 'string', default: '10000000' },
    'in-flight': { type: 'string', default: '4096' },
    batch: { type: 'string', default: '0' },
    'skip-pg': { type: 'boolean', default: false },
    'skip-proof': { type: 'boolean', default: false },
  },
});

const ENTRY_BYTES = 1024;
const payload = (i: number): Buffer => {
  // A 1 KiB JSON-ish event; the index keeps every entry distinct.
  const head = Buffer.from(`{"i":${i},"verb":"create","user":"user-${i % 100}","body":"`);
  return Buffer.concat([head, Buffer.alloc(ENTRY_BYTES - head.length - 2, 0x61), Buffer.from('"}')]);
};

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
console.log(`# bulwark ledger benchmark — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}`);
try {
  const entries = Number(values.entries);
  const inFlight = Number(values['in-flight']);
  const dir = join(root, 'file');
  await initLedger({ dir, checkpointEveryEntries: 100_000, checkpointEveryMs: 0 });
  let ledger = await openLedger({ dir });
  // CPU time is printed beside wall time: on a shared machine the wall figure mostly measures the
  // other tenants; CPU µs per entry is what this code costs.
  let cpu = process.cpuUsage();
  const ms = await appendMany(ledger, entries, inFlight);
  await ledger.close();
  cpu = process.cpuUsage(cpu);
  console.log(`file_append entries=${entries} entry_bytes=${ENTRY_BYTES} durability=fsync in_flight=${inFlight} batch=${values.batch} wall=${(ms / 1000).toFixed(2)}s appends_per_s=${Math.round(entries / (ms / 1000))} cpu_us_per_entry=${((cpu.user + cpu.system) / entries).toFixed(1)}`);

  ledger = await openLedger({ dir, readOnly: true });
  const verifyStarted = performance.now();
  cpu = process.cpuUsage();
  const report = await verifyLedger(ledger);
  const verifyMs = performance.now() - verifyStarted;
  cpu = process.cpuUsage(cpu);
  await ledger.close();
  console.log(`verify entries=${report.size} ok=${report.ok} checkpoints=${report.checkpointsMatched} wall=${(verifyMs / 1000).toFixed(2)}s entries_per_s=${Math.round(report.size / (verifyMs / 1000))} cpu=${((cpu.user + cpu.system) / 1e6).toFixed(2)}s`);

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
      const pgMs = await appendMany(pgLedger, count, inFlight);
      const pgUsed = process.cpuUsage(pgCpu);
      await (pgLedger.store as unknown as { dropSchema(): Promise<void> }).dropSchema();
      await pgLedger.close().catch(() => undefined);
      console.log(`pg_append entries=${count} entry_bytes=${ENTRY_BYTES} in_flight=${inFlight} batch=${values.batch} wall=${(pgMs / 1000).toFixed(2)}s appends_per_s=${Math.round(count / (pgMs / 1000))} client_cpu_us_per_entry=${((pgUsed.user + pgUsed.system) / count).toFixed(1)}`);
    }
  }

  if (!values['skip-proof']) {
    const leaves = Number(values['proof-leaves']);
    const treeDir = join(root, 'tree');
    mkdirSync(treeDir);
    const tree = new TreeFiles(treeDir, false);
    const range = new CompactRange();
    const buildStarted = performance.now();
    let nodes: NewNode[] = [];
    const index = Buffer.alloc(8);
    for (let i = 0; i < leaves; i++) {
      index.writeBigUInt64BE(BigInt(i));
      range.append(hash('sha256', index, 'buffer'), (node) => nodes.push(node));
      if (nodes.length >= 1 << 20) {
        tree.write(nodes);
        nodes = [];
      }
    }
    tree.write(nodes);
    const buildMs = performance.now() - buildStarted;
    const rootHash = foldRange(frontierNodes(leaves).map((id) => tree.node(id)));
    const samples = 20_000;
    const times: number[] = [];
    const proofCpu = process.cpuUsage();
    for (let s = 0; s < samples; s++) {
      const leaf = Math.floor(Math.random() * leaves);
      const started = performance.now();
      const proof = assemblePlan(inclusionPlan(leaf, leaves), (id) => tree.node(id));
      const leafHash = tree.node({ level: 0, index: leaf });
      times.push(performance.now() - started);
      if (s % 1000 === 0 && !verifyInclusion({ leafIdx: BigInt(leaf), treeSize: BigInt(leaves), root: rootHash, leafHash, proof }).valid) throw new Error('proof does not verify');
    }
    const proofUsed = process.cpuUsage(proofCpu);
    times.sort((a, b) => a - b);
    const pct = (p: number): string => `${(times[Math.floor(times.length * p)]! * 1000).toFixed(0)}µs`;
    console.log(`proof leaves=${leaves} build=${(buildMs / 1000).toFixed(1)}s samples=${samples} p50=${pct(0.5)} p99=${pct(0.99)} max=${(times.at(-1)! * 1000).toFixed(0)}µs cpu_us_per_proof=${((proofUsed.user + proofUsed.system) / samples).toFixed(0)} (cold page cache not forced)`);
    tree.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
