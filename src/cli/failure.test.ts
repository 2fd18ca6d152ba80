import assert from 'node:assert/strict';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/errors.ts';
import { describeFailure, EXIT_INTERNAL, EXIT_USAGE, isBrokenPipe, systemErrorReason } from './failure.ts';

function fileSystemError(): NodeJS.ErrnoException {
  try {
    openSync(join(tmpdir(), 'bulwark-no-such-dir-', 'x.json'), 'r');
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('the file exists');
}

describe('describeFailure', () => {
  it('prints a BulwarkError with its location and exits 2, or 3 for E_INTERNAL', () => {
    const input = describeFailure(new BulwarkError('E_PARSE', 'invalid YAML', { location: { file: 'a.yaml', line: 3, column: 1 } }), {});
    assert.deepEqual(input, { text: 'bulwark: a.yaml:3:1: invalid YAML\n', exitCode: EXIT_USAGE });
    assert.equal(describeFailure(new BulwarkError('E_INTERNAL', 'oops'), {}).exitCode, EXIT_INTERNAL);
  });

  it('turns a file-system error into an input error naming the file, without the errno prefix', () => {
    const error = fileSystemError();
    const failure = describeFailure(error, {});
    assert.equal(failure.exitCode, EXIT_USAGE);
    assert.equal(failure.text, `bulwark: ${error.path}: cannot open: no such file or directory\n`);
    assert.equal(systemErrorReason(error), 'no such file or directory');
  });

  it('reports anything else as an internal error without a stack trace, unless BULWARK_DEBUG is set', () => {
    const error = new TypeError('x is undefined');
    const quiet = describeFailure(error, {});
    assert.equal(quiet.exitCode, EXIT_INTERNAL);
    assert.match(quiet.text, /^bulwark: internal error: x is undefined\n/);
    assert.doesNotMatch(quiet.text, /\n\s+at /, 'no stack frames');
    assert.match(quiet.text, /BULWARK_DEBUG=1/);
    assert.match(describeFailure(error, { BULWARK_DEBUG: '1' }).text, /\n\s+at /);
    assert.doesNotMatch(describeFailure(error, { BULWARK_DEBUG: '0' }).text, /\n\s+at /);
  });

  it('says nothing about a closed pipe: the reader stopped, nothing failed', () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' });
    assert.ok(isBrokenPipe(epipe));
    assert.deepEqual(describeFailure(epipe, {}), { text: '', exitCode: 0 });
  });

  it('never throws and never shows a stack frame, whatever was thrown', () => {
    const thrown = fc.oneof(
      fc.anything(),
      fc.string().map((message) => new Error(message)),
      fc.record({ code: fc.string(), syscall: fc.string(), path: fc.string(), message: fc.string() }).map((fields) => Object.assign(new Error(fields.message), fields)),
      fc.tuple(fc.constantFrom('E_USAGE', 'E_INPUT', 'E_PARSE', 'E_IO', 'E_INTERNAL' as const), fc.string()).map(([code, message]) => new BulwarkError(code, message)),
    );
    for (const odd of [Object.create(null), { toString: 1 }, undefined, null, Symbol('s')]) assert.equal(describeFailure(odd, {}).exitCode, EXIT_INTERNAL);
    fc.assert(
      fc.property(thrown, (error) => {
        const failure = describeFailure(error, {});
        assert.ok([0, EXIT_USAGE, EXIT_INTERNAL].includes(failure.exitCode));
        assert.ok(failure.text === '' || failure.text.endsWith('\n'));
        assert.doesNotMatch(failure.text, /\n {4}at .*:\d+:\d+\)?\n/);
      }),
    );
  });
});
