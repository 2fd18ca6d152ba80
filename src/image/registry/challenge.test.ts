import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseChallenges } from './challenge.ts';

describe('WWW-Authenticate challenges', () => {
  it('parses bearer and basic challenges with quoted values', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/debian:pull' } },
    ]);
    assert.deepEqual(parseChallenges('Basic realm="a \\"b\\"", Bearer realm=x'), [
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
  });

  it('never throws and stays bounded on arbitrary headers (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (header) => {
        const challenges = parseChallenges(header);
        assert.ok(Array.isArray(challenges));
        assert.ok(challenges.length <= header.length);
      }),
      { numRuns: 2000 },
    );
  });
});
