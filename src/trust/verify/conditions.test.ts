import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { conditionHolds, parsePath, valuesAt } from './conditions.ts';

describe('predicate conditions', () => {
  const statement = { predicate: { materials: [{ uri: 'git+https://a' }, { uri: 'git+https://b' }], builder: { id: 'ci' }, 'weird-key': 1 }, subject: [{ name: 'x' }] };

  it('reads paths with indexes and [*]', () => {
    assert.deepEqual(valuesAt(statement, parsePath('predicate.builder.id', 'c')), ['ci']);
    assert.deepEqual(valuesAt(statement, parsePath('predicate.materials[1].uri', 'c')), ['git+https://b']);
    assert.deepEqual(valuesAt(statement, parsePath('predicate.materials[*].uri', 'c')), ['git+https://a', 'git+https://b']);
    assert.deepEqual(valuesAt(statement, parsePath('predicate.weird-key', 'c')), [1]);
    assert.deepEqual(valuesAt(statement, parsePath('predicate.nothing.here', 'c')), []);
    assert.throws(() => parsePath('a..b', 'rule 1'), /rule 1: cannot read the path "a\.\.b"/);
  });

  it('tests equals, oneOf, matches and exists', () => {
    assert.ok(conditionHolds(statement, { path: 'predicate.builder.id', equals: 'ci' }));
    assert.equal(conditionHolds(statement, { path: 'predicate.builder.id', equals: 'CI' }), false);
    assert.ok(conditionHolds(statement, { path: 'predicate.builder', equals: { id: 'ci' } }));
    assert.ok(conditionHolds(statement, { path: 'predicate.materials[*].uri', oneOf: ['git+https://b'] }));
    assert.ok(conditionHolds(statement, { path: 'predicate.materials[*].uri', matches: /^git\+https:\/\/a$/ }));
    assert.ok(conditionHolds(statement, { path: 'predicate.builder.version', exists: false }));
    assert.equal(conditionHolds(statement, { path: 'predicate.builder.id', exists: false }), false);
    assert.equal(conditionHolds(statement, { path: '__proto__.polluted', exists: true }), false, 'only own properties');
  });

  it('never crashes on odd paths and documents (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.anything(), (path, document) => {
        try {
          conditionHolds(document, { path, exists: true });
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
    );
  });
});
