// Conformance of the Kubernetes list library, with the examples of its documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTrue, evalError, value } from '../testing/run.ts';

describe('kubernetes list library', () => {
  it('isSorted', () => {
    assert.equal(value('[1, 2, 3].isSorted()'), true);
    assert.equal(value("['a', 'b', 'b', 'c'].isSorted()"), true);
    assert.equal(value('[2.0, 1.0].isSorted()'), false);
    assert.equal(value('[1].isSorted()'), true);
    assert.equal(value('[].isSorted()'), true);
    assert.equal(value('[1, dyn(2.5), 3].isSorted()'), true, 'numbers compare across int and double');
    assert.throws(() => value('[1, 2.5, 3].isSorted()'), /expected type 'int' but found 'double'/, 'mixed literals are a compile error');
  });

  it('sum', () => {
    assert.equal(value('[1, 3].sum()'), 4n);
    assert.equal(value('[1.0, 3.0].sum()'), 4);
    assert.equal(value("[duration('1m'), duration('1s')].sum() == duration('1m1s')"), true);
    assert.equal(value('[].sum()'), 0n);
    assert.match(evalError("['a'].sum()").message, /no such overload/);
  });

  it('min and max', () => {
    assert.equal(value('[1, 3].min()'), 1n);
    assert.equal(value('[1, 3].max()'), 3n);
    assert.equal(value('[1].min()'), 1n);
    assert.equal(value("['b', 'a', 'c'].max()"), 'c');
    assert.match(evalError('[].min()').message, /min called on empty list/);
    assert.match(evalError('[[1], [2]].max()').message, /no such overload|no matching overload/);
  });

  it('indexOf and lastIndexOf', () => {
    assert.equal(value('[1, 2, 2, 3].indexOf(2)'), 1n);
    assert.equal(value("['a', 'b', 'b', 'c'].lastIndexOf('b')"), 2n);
    assert.equal(value('[1.0].indexOf(1.1)'), -1n);
    assert.equal(value("[].indexOf('string')"), -1n);
    assert.equal(value('[1, 2].indexOf(2.0)'), 1n, 'CEL equality across numeric types');
  });

  it('works on lists read from objects', () => {
    assert.equal(value('o.ports.map(p, p.port).max()', { o: { ports: [{ port: 80 }, { port: 8443 }] } }), 8443n);
    allTrue(['[3, 1, 2].sum() == 6', '[[1], [2]].indexOf([2]) == 1']);
  });
});
