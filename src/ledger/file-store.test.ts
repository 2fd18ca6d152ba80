// Reading a file-store log larger than the scan's chunk buffers (which are reused) and spread over
// several segments returns every entry intact and in order, and the log verifies.
import assert from 'node:assert/strict';
import { describe, it, after } from 'node:test';
import { fileLedgers } from './testing.ts';
import { verifyLedger } from './verify.ts';

const factory = fileLedgers();
after(() => factory.cleanup());

describe('file store reads', () => {
  it('reads back 20,000 entries across chunk and segment boundaries, and verifies', async () => {
    const { open } = await factory.create({ segmentBytes: 7 << 20, checkpointEveryEntries: 7_000, checkpointEveryMs: 0, durability: 'os' });
    const ledger = await open();
    const body = 'x'.repeat(1000);
    const batches = [];
    for (let first = 0; first < 20_000; first += 500) {
      batches.push(ledger.appendBatch(Array.from({ length: 500 }, (_, i) => ({ subject: `s${(first + i) % 3}`, data: `${first + i}:${body}` }))));
    }
    await Promise.all(batches);
    let expected = 0;
    for await (const entry of ledger.read()) {
      assert.equal(entry.index, expected);
      assert.equal(entry.status, 'ok');
      assert.equal(entry.data!.toString(), `${expected}:${body}`);
      expected++;
    }
    assert.equal(expected, 20_000);
    await ledger.close();
    const reader = await open({ readOnly: true });
    const report = await verifyLedger(reader);
    assert.deepEqual(report.problems, []);
    assert.equal(report.size, 20_000);
    assert.ok(report.checkpointsMatched >= 3);
    await reader.close();
  });
});
