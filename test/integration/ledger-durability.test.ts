// Durability of the file store: a writer killed with SIGKILL loses no acknowledged entry, and a torn
// tail (a batch cut short by a crash) is cut on open without touching acknowledged data, while damage
// inside acknowledged data is refused, never "repaired" away.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { LedgerError, openLedger, verifyLedger } from '../../src/ledger/index.ts';
import { FileStore } from '../../src/ledger/file-store.ts';
import { encodeBatch } from '../../src/ledger/segment.ts';
import { fileLedgers } from '../../src/ledger/testing.ts';
import { repoRoot } from '../support/shared.ts';

const factory = fileLedgers();
after(() => factory.cleanup());

const WRITER = `
import { openLedger } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'ledger', 'index.ts')).href)};
const ledger = await openLedger({ dir: process.env.LEDGER_DIR, checkpointEveryEntries: 500, checkpointEveryMs: 0, checkpointOnClose: false });
let next = 0;
const inFlight = new Set();
for (;;) {
  const batch = [];
  for (let k = 0; k < 40; k++, next++) batch.push({ subject: 's' + (next % 5), data: 'entry-' + next });
  const p = ledger.appendBatch(batch).then((r) => process.stdout.write(r.first + ' ' + r.count + '\\n'));
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
  if (inFlight.size >= 8) await Promise.race(inFlight);
}
`;

describe('file store durability', () => {
  it('kill -9 of a writer loses no acknowledged entry and the log verifies', async () => {
    const { dir } = await factory.create();
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], { env: { ...process.env, LEDGER_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let acknowledged = 0;
    let stderr = '';
    let buffered = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${acknowledged} entries in 60 s: ${stderr}`)), 60_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const [first, count] = line.split(' ').map(Number);
          acknowledged = Math.max(acknowledged, first! + count!);
        }
        if (acknowledged >= 3000) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        if (acknowledged < 3000) reject(new Error(`writer exited early: ${stderr}`));
      });
    });
    assert.equal(await exited, 'SIGKILL');
    const ledger = await openLedger({ dir, checkpointOnClose: false });
    try {
      const { size } = await ledger.head();
      assert.ok(size >= acknowledged, `${size} entries after the crash, ${acknowledged} were acknowledged`);
      let index = 0;
      for await (const entry of ledger.read()) {
        assert.equal(entry.index, index);
        assert.equal(entry.data?.toString(), `entry-${index}`);
        index++;
      }
      assert.equal(index, size);
      const report = await verifyLedger(ledger);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.ok(report.checkpointsMatched >= 5, `checkpoints issued before the kill verify (${report.checkpointsMatched})`);
      // The log takes appends again after the crash.
      await ledger.append({ subject: 's0', data: 'after the crash' });
      assert.equal((await ledger.head()).size, size + 1);
    } finally {
      await ledger.close();
    }
  });

  it('a torn tail is cut on open; acknowledged entries stay and the log verifies', async () => {
    const { dir, open } = await factory.create();
    let ledger = await open({ checkpointOnClose: true });
    await ledger.appendBatch(Array.from({ length: 100 }, (_, i) => ({ subject: 's', data: `e${i}` })));
    await ledger.close();
    const segment = join(dir, 'segments', readdirSync(join(dir, 'segments'))[0]!);
    const acknowledgedBytes = statSync(segment).size;
    // A batch whose write was cut by the crash: complete records, then half of one, no commit marker.
    const torn = encodeBatch(Array.from({ length: 3 }, () => Buffer.alloc(200, 7)), 103);
    appendFileSync(segment, torn.subarray(0, torn.length - 150));
    const store = await FileStore.open({ dir });
    assert.equal(store.openReport.repairedBytes, torn.length - 150);
    assert.equal((await store.head()).size, 100);
    await store.close();
    assert.equal(statSync(segment).size, acknowledgedBytes);
    ledger = await open();
    try {
      assert.equal((await verifyLedger(ledger)).ok, true);
      await ledger.append({ subject: 's', data: 'next' });
      assert.equal((await ledger.head()).size, 101);
      assert.equal((await verifyLedger(ledger)).ok, true);
    } finally {
      await ledger.close();
    }
  });

  it('rebuilds the tree of hashes after a crash left it behind the entries', async () => {
    const { dir, open } = await factory.create();
    let ledger = await open({ checkpointOnClose: false });
    await ledger.appendBatch(Array.from({ length: 64 }, (_, i) => ({ subject: 's', data: `e${i}` })));
    const checkpoint = await ledger.checkpoint();
    await ledger.appendBatch(Array.from({ length: 30 }, (_, i) => ({ subject: 's', data: `f${i}` })));
    await ledger.close();
    // As after a power cut: the level files lost their unsynced tail and the close never happened.
    writeFileSync(join(dir, 'tree', 'clean'), '-1\n');
    writeFileSync(join(dir, 'tree', 'synced'), '64\n');
    const level0 = join(dir, 'tree', 'level-00');
    writeFileSync(level0, readFileSync(level0).subarray(0, 70 * 32));
    const store = await FileStore.open({ dir });
    assert.equal(store.openReport.rebuiltLeaves, 30);
    await store.close();
    ledger = await open({ readOnly: true });
    try {
      const proof = await ledger.proveInclusion(80);
      assert.equal(proof.treeSize, 94n);
      const report = await verifyLedger(ledger, { fromCheckpoint: checkpoint.note });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
    } finally {
      await ledger.close();
    }
  });

  it('refuses to append after damage inside acknowledged data', async () => {
    const { dir, open } = await factory.create();
    const ledger = await open();
    await ledger.appendBatch(Array.from({ length: 10 }, (_, i) => ({ subject: 's', data: `e${i}` })));
    await ledger.appendBatch(Array.from({ length: 10 }, (_, i) => ({ subject: 's', data: `f${i}` })));
    await ledger.close();
    const segment = join(dir, 'segments', readdirSync(join(dir, 'segments'))[0]!);
    const bytes = readFileSync(segment);
    bytes[40]! ^= 0xff;
    writeFileSync(segment, bytes);
    await assert.rejects(open(), (e: unknown) => e instanceof LedgerError && e.reason === 'corrupt' && /inside acknowledged data/.test(e.message));
    assert.equal(statSync(segment).size, bytes.length, 'nothing was cut');
  });
});
