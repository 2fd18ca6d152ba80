import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BulwarkError } from '../core/index.ts';
import {
  comparePssVersions,
  isPssVersion,
  parsePssVersion,
  PSS_NEWEST_MINOR,
  PSS_VERSIONS,
  pssAtLeast,
  pssMinor,
} from './version.ts';

test('accepts v1.0 … v1.37 and latest', () => {
  for (const text of ['v1.0', 'v1.9', 'v1.25', 'v1.37', 'latest']) assert.equal(parsePssVersion(text), text);
  assert.equal(PSS_VERSIONS.length, PSS_NEWEST_MINOR + 1);
  assert.equal(PSS_VERSIONS[0], 'v1.0');
  assert.equal(PSS_VERSIONS.at(-1), `v1.${PSS_NEWEST_MINOR}`);
});

test('rejects anything else with a usage error naming the accepted range', () => {
  for (const text of ['v1.38', 'v2.0', '1.25', 'v1.025', 'v1.', 'v1.-1', 'Latest', '', ' v1.2', 'v1.2 ']) {
    assert.equal(isPssVersion(text), false, text);
    assert.throws(
      () => parsePssVersion(text),
      (error: unknown) =>
        error instanceof BulwarkError && error.code === 'E_USAGE' && error.message.includes('v1.0 … v1.37 or latest'),
      text,
    );
  }
  assert.equal(isPssVersion(25), false);
});

test('latest means the newest known version; comparisons follow the minor number', () => {
  assert.equal(pssMinor('latest'), PSS_NEWEST_MINOR);
  assert.equal(pssMinor('v1.9'), 9);
  assert.ok(comparePssVersions('v1.9', 'v1.10') < 0, 'numeric, not lexical');
  assert.equal(comparePssVersions('latest', `v1.${PSS_NEWEST_MINOR}`), 0);
  assert.ok(comparePssVersions('v1.25', 'v1.0') > 0);
  assert.ok(pssAtLeast('v1.25', 25));
  assert.ok(!pssAtLeast('v1.24', 25));
  assert.throws(() => pssMinor('v1.99' as 'latest'), BulwarkError);
});
