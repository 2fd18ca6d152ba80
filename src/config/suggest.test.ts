import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, suggest } from './suggest.ts';

describe('suggest', () => {
  const words = ['namespaces', 'names', 'kinds', 'controls', 'reason', 'expires'];

  it('finds a misspelling, a wrong case and a swapped pair', () => {
    assert.equal(suggest('namespace', words), 'namespaces');
    assert.equal(suggest('Reason', words), 'reason');
    assert.equal(suggest('expries', words), 'expires');
    assert.equal(suggest('kind', words), 'kinds');
  });

  it('suggests nothing for a word that is far from all of them', () => {
    assert.equal(suggest('colour', words), undefined);
    assert.equal(suggest('', words), undefined);
    assert.equal(suggest('x'.repeat(200), ['x'.repeat(199)]), undefined);
  });

  it('counts edits', () => {
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('abc', 'acb'), 1);
    assert.equal(editDistance('abc', 'ab'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
