// Entry sealing: round trip, every part of the leaf is authenticated (header, nonce, ciphertext, tag,
// and the log's origin), and decoding untrusted bytes never crashes.
import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeEntry, openEntry, sealEntry } from './entry.ts';
import { LedgerError } from './errors.ts';

const key = createSecretKey(randomBytes(32));
const nonce = randomBytes(12);
const leaf = sealEntry('example.com/log', { time: 1_700_000_000_000, keyId: 'k1' }, key, nonce, Buffer.from('{"verb":"delete"}'));

describe('entries', () => {
  it('round-trips and exposes only time and key ID in clear', () => {
    const entry = decodeEntry(leaf);
    assert.equal(entry.time, 1_700_000_000_000);
    assert.equal(entry.keyId, 'k1');
    assert.equal(openEntry('example.com/log', entry, key)?.toString(), '{"verb":"delete"}');
    assert.ok(!leaf.includes(Buffer.from('delete')));
  });

  it('does not open with another key, in another log, or after any byte changes', () => {
    assert.equal(openEntry('example.com/log', decodeEntry(leaf), createSecretKey(randomBytes(32))), undefined);
    assert.equal(openEntry('example.com/other', decodeEntry(leaf), key), undefined);
    fc.assert(
      fc.property(fc.nat(leaf.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const changed = Buffer.from(leaf);
        changed[at]! ^= xor;
        let entry;
        try {
          entry = decodeEntry(changed);
        } catch (error) {
          assert.ok(error instanceof LedgerError);
          return;
        }
        assert.equal(openEntry('example.com/log', entry, key), undefined, `change at ${at} still opened`);
      }),
      { numRuns: 1000 },
    );
  });

  it('decoding arbitrary bytes gives an entry or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeEntry(Buffer.from(bytes));
        } catch (error) {
          assert.ok(error instanceof LedgerError && error.reason === 'corrupt', String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
