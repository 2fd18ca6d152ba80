import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineIndex, scanLines } from './lines.ts';

describe('line starts and document markers', () => {
  it('finds every line start, and marker lines only where a marker is followed by white space or the end', () => {
    const text = '---\na: 1\n--- # c\n----\n---x\n  ---\n...\n...\tz\n---';
    const scan = scanLines(text);
    assert.deepEqual([...scan.starts.subarray(0, scan.count)], [0, 4, 9, 17, 22, 27, 33, 37, 43]);
    assert.deepEqual(scan.markers, [0, 9, 33, 37, 43]);
    assert.deepEqual(scanLines(text, false).markers, []);
  });

  it('grows past its first guess of the number of lines', () => {
    const text = '\n'.repeat(5000);
    const scan = scanLines(text);
    assert.equal(scan.count, 5001);
    assert.equal(scan.starts[4999], 4999);
  });

  it('turns offsets into 1-based lines and columns, counting the lines before a segment', () => {
    const text = 'ab\ncd\n\nef';
    for (const lines of [new LineIndex(text), new LineIndex(text, scanLines(text).starts, scanLines(text).count)]) {
      assert.deepEqual(lines.position(0), { line: 1, column: 1 });
      assert.deepEqual(lines.position(4), { line: 2, column: 2 });
      assert.deepEqual(lines.position(6), { line: 3, column: 1 });
      assert.deepEqual(lines.position(99), { line: 4, column: 3 }, 'past the end: the end');
      assert.deepEqual(lines.position(-5), { line: 1, column: 1 });
    }
    const segment = new LineIndex(text, null, 0, 10);
    assert.equal(segment.lineOf(4), 12);
    assert.equal(segment.columnIn(12, 4), 2);
    assert.deepEqual(segment.position(7), { line: 14, column: 1 });
  });
});
