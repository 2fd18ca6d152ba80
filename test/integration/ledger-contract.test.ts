// One contract, two stores: every behaviour of the ledger is checked against the embedded file store
// and against a real PostgreSQL (started by scripts/setup-postgres.sh; skipped with a message when
// it cannot be had).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LedgerError, rotateKek, verifyConsistency, verifyInclusion, verifyLedger, type Ledger } from '../../src/ledger/index.ts';
import { fileLedgers, findTestPostgres, postgresLedgers, type TestLedgerFactory } from '../../src/ledger/testing.ts';

const postgres = await findTestPostgres();
const factories: { name: string; skip: string | false; factory?: TestLedgerFactory }[] = [
  { name: 'file store', skip: false, factory: fileLedgers() },
  'url' in postgres
    ? { name: 'PostgreSQL store', skip: false, factory: postgresLedgers(postgres.url) }
    : { name: 'PostgreSQL store', skip: postgres.missing },
];

async function collect(ledger: Ledger, from?: number, to?: number) {
  const out = [];
  for await (const entry of ledger.read({ from, to })) out.push(entry);
  return out;
}

for (const { name, skip, factory } of factories) {
  describe(`ledger contract: ${name}`, { skip }, () => {
    after(() => factory?.cleanup());
    const f = factory!;

    it('appends in call order with contiguous indexes, also from many concurrent callers', async () => {
      const { open } = await f.create();
      const ledger = await open();
      try {
        const receipts = await Promise.all(Array.from({ length: 500 }, (_, i) => ledger.append({ subject: `user-${i % 7}`, data: JSON.stringify({ i }) })));
        assert.deepEqual(receipts.map((r) => r.first), Array.from({ length: 500 }, (_, i) => i));
        const batch = await ledger.appendBatch(Array.from({ length: 100 }, (_, i) => ({ subject: 'batch', data: `b${i}` })));
        assert.deepEqual(batch, { first: 500, count: 100 });
        assert.equal((await ledger.head()).size, 600);
        const entries = await collect(ledger);
        assert.equal(entries.length, 600);
        entries.slice(0, 500).forEach((e, i) => {
          assert.equal(e.status, 'ok');
          assert.equal(e.subject, `user-${i % 7}`);
          assert.deepEqual(JSON.parse(e.data!.toString()), { i });
        });
        assert.equal(entries[599]!.data!.toString(), 'b99');
      } finally {
        await ledger.close();
      }
    });

    it('serves inclusion proofs for every entry and consistency proofs between checkpoints', async () => {
      const { open } = await f.create();
      const ledger = await open();
      try {
        for (let i = 0; i < 37; i++) await ledger.append({ subject: 's', data: `e${i}` });
        const first = await ledger.checkpoint();
        await ledger.appendBatch(Array.from({ length: 40 }, (_, i) => ({ subject: 't', data: `f${i}` })));
        const second = await ledger.checkpoint();
        assert.equal(second.size, 77);
        for (let i = 0; i < 77; i++) {
          const proof = await ledger.proveInclusion(i, 77);
          assert.ok(Buffer.from(proof.root).equals(second.root));
          assert.deepEqual(verifyInclusion(proof), { valid: true }, `entry ${i}`);
        }
        const older = await ledger.proveInclusion(5, 37);
        assert.ok(Buffer.from(older.root).equals(first.root));
        assert.deepEqual(verifyInclusion(older), { valid: true });
        for (const size1 of [0, 1, 2, 16, 36, 37, 50, 77]) {
          const proof = await ledger.proveConsistency(size1, 77);
          assert.deepEqual(verifyConsistency(proof), { valid: true }, `${size1} → 77`);
        }
        const c = await ledger.proveConsistency(37, 77);
        assert.ok(Buffer.from(c.root1).equals(first.root) && Buffer.from(c.root2).equals(second.root));
        await assert.rejects(ledger.proveInclusion(77, 77), (e: unknown) => e instanceof LedgerError && e.code === 'E_USAGE');
      } finally {
        await ledger.close();
      }
    });

    it('issues signed checkpoints at the configured cadence, on demand and on close', async () => {
      const { open } = await f.create({ checkpointEveryEntries: 10 });
      const ledger = await open();
      for (let i = 0; i < 35; i++) await ledger.append({ subject: 's', data: `${i}` });
      const cadence = await ledger.checkpoints();
      assert.deepEqual(cadence.map((c) => c.size), [10, 20, 30]);
      const manual = await ledger.checkpoint();
      assert.equal(manual.size, 35);
      await ledger.append({ subject: 's', data: 'last' });
      await ledger.close();
      const reopened = await open({ readOnly: true });
      try {
        const all = await reopened.checkpoints();
        assert.deepEqual(all.map((c) => c.size), [10, 20, 30, 35, 36]);
        for (const c of all) assert.ok(c.note.startsWith(`${reopened.origin}\n${c.size}\n`));
        assert.ok((await reopened.latestCheckpoint())!.root.equals((await reopened.head()).root));
      } finally {
        await reopened.close();
      }
    });

    it('keeps state across reopening and verifies fully and incrementally', async () => {
      const { open } = await f.create();
      let ledger = await open();
      await ledger.appendBatch(Array.from({ length: 50 }, (_, i) => ({ subject: `u${i % 3}`, data: `x${i}` })));
      const checkpoint = await ledger.checkpoint();
      await ledger.close();
      ledger = await open();
      assert.equal((await ledger.head()).size, 50);
      await ledger.appendBatch(Array.from({ length: 25 }, (_, i) => ({ subject: 'later', data: `y${i}` })));
      await ledger.checkpoint();
      await ledger.close();
      ledger = await open({ readOnly: true });
      try {
        const full = await verifyLedger(ledger);
        assert.equal(full.ok, true, JSON.stringify(full.problems));
        assert.deepEqual(full.checked, { from: 0, to: 75 });
        assert.equal(full.checkpointsMatched, 2);
        const incremental = await verifyLedger(ledger, { fromCheckpoint: checkpoint.note });
        assert.equal(incremental.ok, true, JSON.stringify(incremental.problems));
        assert.deepEqual(incremental.checked, { from: 50, to: 75 });
      } finally {
        await ledger.close();
      }
    });

    it('crypto-shredding: a subject\'s entries become unreadable, every proof and verification still holds', async () => {
      const { open } = await f.create();
      const ledger = await open();
      try {
        await ledger.appendBatch(Array.from({ length: 30 }, (_, i) => ({ subject: i % 2 === 0 ? 'alice' : 'bob', data: `secret ${i}` })));
        const before = await ledger.checkpoint();
        assert.equal(await ledger.shred('alice'), 1);
        const entries = await collect(ledger);
        for (const e of entries) {
          if (e.index % 2 === 0) {
            assert.equal(e.status, 'erased');
            assert.equal(e.data, undefined);
            assert.equal(e.subject, undefined);
          } else assert.equal(e.data!.toString(), `secret ${e.index}`);
        }
        assert.ok((await ledger.head()).root.equals(before.root));
        assert.deepEqual(verifyInclusion(await ledger.proveInclusion(4, 30)), { valid: true });
        assert.equal((await verifyLedger(ledger)).ok, true);
        // A new event of the erased subject gets a new key and is readable again.
        await ledger.append({ subject: 'alice', data: 'after' });
        const [latest] = await collect(ledger, 30);
        assert.equal(latest!.status, 'ok');
        assert.equal(latest!.data!.toString(), 'after');
      } finally {
        await ledger.close();
      }
    });

    it('rotates data keys without rewriting entries and rewraps them under a new KEK', async () => {
      const { dir, open } = await f.create();
      let ledger = await open();
      await ledger.append({ subject: 'carol', data: 'one' });
      await ledger.rotateDataKeys();
      await ledger.append({ subject: 'carol', data: 'two' });
      const [one, two] = await collect(ledger);
      assert.notEqual(one!.keyId, two!.keyId);
      const root = (await ledger.head()).root;
      const { kekFile, rewrapped } = await rotateKek(ledger, dir);
      assert.equal(rewrapped, 2);
      await ledger.close();
      // The old KEK is gone: the new one alone opens everything, the entries are the same bytes.
      rmSync(join(dir, 'kek.key'));
      ledger = await open({ readOnly: true, kekFiles: [kekFile] });
      try {
        assert.deepEqual((await collect(ledger)).map((e) => [e.status, e.data?.toString()]), [['ok', 'one'], ['ok', 'two']]);
        assert.ok((await ledger.head()).root.equals(root));
      } finally {
        await ledger.close();
      }
    });

    it('reads what the caller\'s keys open: a foreign KEK sees sealed entries, no KEK still verifies', async () => {
      const { open } = await f.create();
      const other = await f.create();
      let ledger = await open();
      await ledger.append({ subject: 'dave', data: 'private' });
      await ledger.close();
      ledger = await open({ readOnly: true, kekFiles: [join(other.dir, 'kek.key')] });
      try {
        const [entry] = await collect(ledger);
        assert.equal(entry!.status, 'sealed');
        assert.equal(entry!.data, undefined);
        assert.equal((await verifyLedger(ledger)).ok, true);
      } finally {
        await ledger.close();
      }
    });

    it(f.kind === 'file' ? 'admits one writer at a time' : 'admits several concurrent writers, each entry once, in one tree', async () => {
      const { open } = await f.create();
      const a = await open();
      if (f.kind === 'file') {
        await assert.rejects(open(), (e: unknown) => e instanceof LedgerError && e.reason === 'locked');
        await a.close();
        return;
      }
      const b = await open();
      try {
        const writes = [];
        for (let i = 0; i < 200; i++) writes.push((i % 2 === 0 ? a : b).append({ subject: `w${i % 2}`, data: `${i}` }));
        const indexes = (await Promise.all(writes)).map((r) => r.first).sort((x, y) => x - y);
        assert.deepEqual(indexes, Array.from({ length: 200 }, (_, i) => i));
        await a.checkpoint();
        await b.checkpoint();
        const report = await verifyLedger(a);
        assert.equal(report.ok, true, JSON.stringify(report.problems));
        assert.equal(report.size, 200);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
