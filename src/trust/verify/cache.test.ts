import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerificationCache } from './cache.ts';
import type { ImageVerification } from './image.ts';

describe('VerificationCache', () => {
  const result = (digest: string, verified: boolean): ImageVerification => ({ reference: 'r', repository: 'r', digest, policy: 'p', verified, signatures: [], attestations: [], rejected: [] });

  it('keys by digest and policy, expires, and evicts the least recently used', () => {
    let now = 0;
    const cache = new VerificationCache({ maxEntries: 2, ttlMs: 100, negativeTtlMs: 10, now: () => now });
    cache.set(result('a', true));
    cache.set(result('b', false));
    assert.equal(cache.get('a', 'p')?.verified, true);
    assert.equal(cache.get('a', 'other-policy'), undefined);
    now = 11;
    assert.equal(cache.get('b', 'p'), undefined, 'failures are kept briefly');
    cache.set(result('c', true));
    cache.get('a', 'p');
    cache.set(result('d', true));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('c', 'p'), undefined, 'least recently used went first');
    assert.ok(cache.get('a', 'p'));
    now = 200;
    assert.equal(cache.get('a', 'p'), undefined);
  });
});
