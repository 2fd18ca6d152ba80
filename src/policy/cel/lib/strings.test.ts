// The CEL strings extension as the API server has it (cel-go ext.Strings, version 2), with the
// examples of its documentation; indexes count code points, not UTF-16 units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTrue, evalError, value } from '../testing/run.ts';

describe('strings extension', () => {
  it('charAt, indexOf, lastIndexOf', () => {
    assert.equal(value("'hello'.charAt(4)"), 'o');
    assert.equal(value("'hello'.charAt(5)"), '');
    assert.match(evalError("'hello'.charAt(-1)").message, /index out of range/);
    assert.equal(value("'hello mellow'.indexOf('')"), 0n);
    assert.equal(value("'hello mellow'.indexOf('ello')"), 1n);
    assert.equal(value("'hello mellow'.indexOf('jello')"), -1n);
    assert.equal(value("'hello mellow'.indexOf('', 2)"), 2n);
    assert.equal(value("'hello mellow'.indexOf('ello', 2)"), 7n);
    assert.match(evalError("'hello mellow'.indexOf('ello', 20)").message, /index out of range/);
    assert.equal(value("'hello mellow'.lastIndexOf('')"), 12n);
    assert.equal(value("'hello mellow'.lastIndexOf('ello')"), 7n);
    assert.equal(value("'hello mellow'.lastIndexOf('jello')"), -1n);
    assert.equal(value("'hello mellow'.lastIndexOf('ello', 6)"), 1n);
    assert.match(evalError("'hello mellow'.lastIndexOf('ello', -1)").message, /index out of range/);
    assert.equal(value("'😀a😀b'.indexOf('b')"), 3n, 'code points');
    assert.equal(value("'😀a😀b'.charAt(2)"), '😀');
  });

  it('lowerAscii, upperAscii, trim, join, quote', () => {
    assert.equal(value("'TacoCat'.lowerAscii()"), 'tacocat');
    assert.equal(value("'TacoCÆt Xii'.lowerAscii()"), 'tacocÆt xii');
    assert.equal(value("'TacoCat'.upperAscii()"), 'TACOCAT');
    assert.equal(value("'  \\ttrim\\n    '.trim()"), 'trim');
    assert.equal(value("['hello', 'mellow'].join()"), 'hellomellow');
    assert.equal(value("['hello', 'mellow'].join(' ')"), 'hello mellow');
    assert.equal(value('[].join()'), '');
    assert.equal(value("strings.quote('single-quote with \"double quote\"')"), '"single-quote with \\"double quote\\""');
    assert.equal(value("strings.quote('two escape sequences \\a\\n')"), '"two escape sequences \\a\\n"');
  });

  it('replace with limits', () => {
    assert.equal(value("'hello hello'.replace('he', 'we')"), 'wello wello');
    assert.equal(value("'hello hello'.replace('he', 'we', -1)"), 'wello wello');
    assert.equal(value("'hello hello'.replace('he', 'we', 1)"), 'wello hello');
    assert.equal(value("'hello hello'.replace('he', 'we', 0)"), 'hello hello');
    assert.equal(value("'abc'.replace('', '-')"), '-a-b-c-');
  });

  it('split with limits', () => {
    assert.deepEqual(value("'hello hello hello'.split(' ')"), ['hello', 'hello', 'hello']);
    assert.deepEqual(value("'hello hello hello'.split(' ', 0)"), []);
    assert.deepEqual(value("'hello hello hello'.split(' ', 1)"), ['hello hello hello']);
    assert.deepEqual(value("'hello hello hello'.split(' ', 2)"), ['hello', 'hello hello']);
    assert.deepEqual(value("'hello hello hello'.split(' ', -1)"), ['hello', 'hello', 'hello']);
    assert.deepEqual(value("'ab'.split('')"), ['a', 'b']);
  });

  it('substring', () => {
    assert.equal(value("'tacocat'.substring(4)"), 'cat');
    assert.equal(value("'tacocat'.substring(0, 4)"), 'taco');
    assert.match(evalError("'tacocat'.substring(-1)").message, /index out of range/);
    assert.match(evalError("'tacocat'.substring(2, 1)").message, /invalid substring range/);
  });

  it('format', () => {
    allTrue([
      "'this is a string: %s\\nand an integer: %d'.format([dyn('str'), 42]) == 'this is a string: str\\nand an integer: 42'",
      "'%f'.format([3.14]) == '3.140000'",
      "'5 in binary: %b'.format([5]) == '5 in binary: 101'",
      "'26 in hex: %x'.format([26]) == '26 in hex: 1a'",
      "'26 in hex (uppercase): %X'.format([26]) == '26 in hex (uppercase): 1A'",
      "'30 in octal: %o'.format([30]) == '30 in octal: 36'",
    ]);
  });
});
