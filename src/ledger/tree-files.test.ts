// The tree files answer every node the same whether a level is held in memory, grows out of memory,
// or is read from the files by another handle; a missing node is a typed `corrupt` error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CompactRange } from './compact-range.ts';
import { LedgerError } from './errors.ts';
import { hashBytes, hashText, leafHash } from './hash.ts';
import { LevelRuns, TreeFiles } from './tree-files.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-tree-files-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('tree files', () => {
  it('serve the same nodes from memory, from files, and across the memory bound', () => {
    const dir = join(root, 'a');
    mkdirSync(dir);
    // A tiny memory bound: levels 0–3 outgrow memory while appending, the upper ones stay.
    const writer = new TreeFiles(dir, false, 64);
    const expected = new Map<string, string>();
    const range = new CompactRange();
    for (let batch = 0; batch < 40; batch++) {
      const runs = new LevelRuns();
      for (let i = 0; i < 25; i++) {
        range.appendText(hashText(leafHash(Buffer.from(`e${range.size}`))), (level, index, hash) => {
          expected.set(`${level}/${index}`, hash);
          runs.add(level, index, hash);
        });
      }
      writer.writeRuns(runs);
      // Read some nodes between batches so levels are loaded into memory early and then kept in step.
      const ids = [...expected.keys()].filter((_, i) => i % 7 === 0).map((key) => ({ level: Number(key.split('/')[0]), index: Number(key.split('/')[1]) }));
      writer.nodes(ids).forEach((hash, i) => assert.equal(hashText(hash), expected.get(`${ids[i]!.level}/${ids[i]!.index}`)));
    }
    const reader = new TreeFiles(dir, true, 64);
    for (const [key, hash] of expected) {
      const id = { level: Number(key.split('/')[0]), index: Number(key.split('/')[1]) };
      assert.ok(writer.node(id).equals(hashBytes(hash)), `writer ${key}`);
      assert.ok(reader.node(id).equals(hashBytes(hash)), `reader ${key}`);
    }
    assert.equal(reader.leafCount(), 1000);
    assert.throws(() => reader.node({ level: 0, index: 1000 }), (error: unknown) => error instanceof LedgerError && error.reason === 'corrupt');
    assert.throws(() => reader.node({ level: 4, index: 62 }), (error: unknown) => error instanceof LedgerError && error.reason === 'corrupt');
    writer.truncate(500);
    assert.throws(() => writer.node({ level: 0, index: 500 }), (error: unknown) => error instanceof LedgerError && error.reason === 'corrupt');
    assert.ok(writer.node({ level: 2, index: 124 }).equals(hashBytes(expected.get('2/124')!)));
    writer.close();
    reader.close();
  });
});
