// The segment format as untrusted input: scanning arbitrary bytes never crashes and always ends with
// a position and a reason, every single-byte change to a valid segment is found, and commit markers
// decide what was acknowledged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { committedSizeAfter, encodeBatch, encodeSegmentHeader, scanSegment, scanSegmentEnd, SEGMENT_HEADER_BYTES } from './segment.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-segment-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'seg');

function entries(bytes: Buffer, first: number): number[] {
  writeFileSync(file, bytes);
  const out: number[] = [];
  const scan = scanSegment(file, first);
  for (let step = scan.next(); !step.done; step = scan.next()) if (step.value.kind === 'entry') out.push(step.value.index);
  return out;
}

const leaves = [Buffer.from('first entry'), Buffer.from('second'), Buffer.alloc(300, 9)];
const valid = Buffer.concat([encodeSegmentHeader(5), encodeBatch(leaves.slice(0, 2), 7), encodeBatch(leaves.slice(2), 8)]);

describe('segment records', () => {
  it('reads a valid segment: entries, commit markers, no problem', () => {
    assert.deepEqual(entries(valid, 5), [5, 6, 7]);
    assert.deepEqual(scanSegmentEnd(file, 5), { committedSize: 8, committedEnd: valid.length, fileSize: valid.length });
  });

  it('stops at the last commit marker when the tail is torn', () => {
    const torn = valid.subarray(0, valid.length - 10);
    writeFileSync(file, torn);
    const end = scanSegmentEnd(file, 5);
    assert.equal(end.committedSize, 7);
    assert.match(end.problem!.message, /cut short/);
    assert.equal(committedSizeAfter(file, end.problem!.offset), 0);
  });

  it('finds every single-byte change (CRC-32 catches all of them)', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bytes = Buffer.from(valid);
        bytes[at]! ^= xor;
        writeFileSync(file, bytes);
        const end = scanSegmentEnd(file, 5);
        assert.ok(end.problem !== undefined, `change at ${at} went unnoticed`);
        if (at >= SEGMENT_HEADER_BYTES && at < valid.length - 17 - 309) {
          // Damage in the first batch: the second batch's marker shows it was acknowledged data.
          assert.equal(committedSizeAfter(file, end.problem.offset), 8);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never crashes on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (random, withHeader) => {
        const bytes = withHeader ? Buffer.concat([encodeSegmentHeader(0), random]) : Buffer.from(random);
        writeFileSync(file, bytes);
        const end = scanSegmentEnd(file, 0);
        assert.ok(end.committedEnd <= bytes.length || bytes.length < SEGMENT_HEADER_BYTES);
        assert.ok(end.problem === undefined || end.problem.message.length > 0);
        committedSizeAfter(file, 0);
      }),
      { numRuns: 2000 },
    );
  });
});
