import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNeverCrashes, mutatedBytes } from '../testing/fuzz.ts';
import { indexTar } from './tar-index.ts';
import { tarOf } from '../../../test/support/oci.ts';

const readAt = (bytes: Buffer) => (position: number, length: number) => bytes.subarray(position, position + length);

describe('tar index', () => {
  it('lists members with offsets, long names included', async () => {
    const long = `${'dir/'.repeat(40)}file`;
    const tar = await tarOf([{ name: 'manifest.json', content: '[]' }, { name: long, content: 'abc' }]);
    const members = indexTar(readAt(tar), tar.length, 't');
    assert.deepEqual(members.map((m) => [m.name, m.size]), [['manifest.json', 2], [long, 3]]);
    assert.equal(tar.subarray(members[1]!.offset, members[1]!.offset + 3).toString(), 'abc');
  });

  it('never crashes on hostile tars (fuzz)', async () => {
    const tar = await tarOf([{ name: 'a', content: 'x'.repeat(600) }, { name: `${'y'.repeat(120)}/z`, content: 'q' }]);
    assertNeverCrashes(mutatedBytes(tar), (bytes) => indexTar(readAt(bytes), bytes.length, 'fuzz'), 1000);
  });
});
