import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detach, detachedSlice } from './detach.ts';

describe('detach', () => {
  it('returns the same text, for any text and any concatenation of texts', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 6 }), (parts) => {
        const text = parts.join('');
        assert.equal(detach(text), text);
        assert.equal(detach(parts.reduce((a, b) => a + b, '')), text);
      }),
    );
  });

  it('slices as String.prototype.slice does, for any bounds inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(), fc.nat(), (text, a, b) => {
        const start = a % (text.length + 1);
        const end = start + (b % (text.length - start + 1));
        assert.equal(detachedSlice(text, start, end), text.slice(start, end));
      }),
    );
  });
});
