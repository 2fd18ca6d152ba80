// The Kubernetes regex library (find, findAll) and CEL's matches, with RE2 (Go regexp) semantics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelCompileError, compileExpression } from '../index.ts';
import { evalError, value } from '../testing/run.ts';
import { compileRegex, regexFindAll } from './re2.ts';

describe('kubernetes regex library', () => {
  it('find returns the leftmost-first match', () => {
    assert.equal(value("'abc 123'.find('[0-9]+')"), '123');
    assert.equal(value("'abc 123'.find('xyz')"), '');
    // The documentation writes [0-9]* here and shows '123'; Go's regexp, which the API server runs,
    // finds the empty match at offset 0 first.
    assert.equal(value("'abc 123'.find('[0-9]*')"), '');
    assert.equal(value("'a1b22'.find('a|ab')"), 'a', 'leftmost-first, not leftmost-longest');
  });

  it('findAll with and without a limit', () => {
    assert.deepEqual(value("'123 abc 456'.findAll('[0-9]+')"), ['123', '456']);
    assert.deepEqual(value("'123 abc 456'.findAll('[0-9]+', 1)"), ['123']);
    assert.deepEqual(value("'123 abc 456'.findAll('xyz')"), []);
    assert.deepEqual(value("'123 abc 456'.findAll('[0-9]+', 0)"), []);
    // Go's FindAllString: empty matches between non-empty ones, never right after one.
    assert.deepEqual(value("'123 abc 456'.findAll('[0-9]*')"), ['123', '', '', '', '', '456']);
  });

  it('matches is a partial match, with RE2 syntax', () => {
    assert.equal(value("'registry.example.com/app'.matches('^registry\\\\.example\\\\.com/')"), true);
    assert.equal(value("matches('abc', 'b')"), true);
    assert.equal(value("'ABC'.matches('(?i)abc')"), true);
    assert.equal(value("'\\u00e9t\\u00e9'.matches('^\\\\pL+$')"), true, 'Unicode classes');
    assert.equal(value("'a.b'.matches('a\\\\.b')"), true);
  });

  it('rejects invalid constant patterns at compile time and others at evaluation', () => {
    assert.throws(() => compileExpression("'a'.matches('[')", []), (e: unknown) => e instanceof CelCompileError && e.reason === 'literal');
    assert.throws(() => compileExpression("'a'.find('(?<=a)b')", []), CelCompileError, 'lookbehind is not RE2');
    assert.match(evalError("'a'.matches(p)", { p: '(' }).message, /invalid regular expression/);
  });

  it('runs in linear time on patterns that make backtracking engines explode', () => {
    const text = `${'a'.repeat(30000)}!`;
    const started = performance.now();
    assert.equal(compileRegex('^(a+)+$').test(text), false);
    assert.deepEqual(regexFindAll(text, '(a|aa)+b', -1), []);
    assert.ok(performance.now() - started < 5000);
  });

  it('reports match positions in UTF-16 text with surrogate pairs', () => {
    assert.equal(value("'x😀y😀'.find('😀y')"), '😀y');
    assert.deepEqual(value("'😀😀'.findAll('')"), ['', '', '']);
  });
});
