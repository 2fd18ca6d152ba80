import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import fc from 'fast-check';
import { ioReason } from './io-reason.ts';

describe('ioReason', () => {
  it('turns a file-system error into words', () => {
    let caught: unknown;
    try {
      statSync('no-such-file-for-io-reason');
    } catch (error) {
      caught = error;
    }
    assert.equal(ioReason(caught), 'no such file or directory');
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer(), (value, errno) => {
        assert.equal(typeof ioReason(value), 'string');
        assert.equal(typeof ioReason(Object.assign(new Error('x'), { errno })), 'string');
      }),
    );
  });
});
