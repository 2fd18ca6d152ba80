// The text form of hashes (the hot paths) computes exactly the RFC 6962 hashes of the Buffer form.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CompactRange } from './compact-range.ts';
import { hashBytes, hashText, leafHash, leafHashText, leafHashTextInPlace, nodeHash, nodeHashText } from './hash.ts';

describe('hash text form', () => {
  it('leaf and node hashes equal the Buffer form, in place too, and restore the byte before', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.uint8Array({ minLength: 1, maxLength: 40 }), (data, before) => {
        const expected = leafHash(data);
        assert.ok(hashBytes(leafHashText(data)).equals(expected));
        const framed = Buffer.concat([before, data]);
        const copy = Buffer.from(framed);
        assert.ok(hashBytes(leafHashTextInPlace(framed, before.length, framed.length)).equals(expected));
        assert.ok(framed.equals(copy), 'the buffer is left as it was');
        const [left, right] = [leafHash(data), leafHash(before)];
        assert.ok(hashBytes(nodeHashText(hashText(left), hashText(right))).equals(nodeHash(left, right)));
      }),
      { numRuns: 300 },
    );
  });

  it('a range built from text hashes has the roots and nodes of one built from Buffers', () => {
    const text = new CompactRange();
    const bytes = new CompactRange();
    const fromText: string[] = [];
    const fromBytes: string[] = [];
    for (let i = 0; i < 300; i++) {
      const leaf = leafHash(Buffer.from(`entry ${i}`));
      text.appendText(hashText(leaf), (level, index, hash) => fromText.push(`${level}/${index}/${hashBytes(hash).toString('hex')}`));
      bytes.append(leaf, (node) => fromBytes.push(`${node.level}/${node.index}/${node.hash.toString('hex')}`));
      assert.ok(text.root().equals(bytes.root()));
    }
    assert.deepEqual(fromText, fromBytes);
    assert.ok(new CompactRange(text.size, text.hashes).root().equals(text.root()));
    assert.ok(text.frontierBytes().equals(Buffer.concat(text.hashes)));
  });
});
