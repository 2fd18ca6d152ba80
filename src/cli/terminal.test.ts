import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Progress, terminalWidth, useColor } from './terminal.ts';

function stream(isTTY: boolean, columns = 80): NodeJS.WriteStream & { written: string } {
  const fake = {
    isTTY,
    columns,
    written: '',
    write(chunk: string) {
      fake.written += chunk;
      return true;
    },
  };
  return fake as unknown as NodeJS.WriteStream & { written: string };
}

describe('terminal', () => {
  it('uses colour only on a terminal and never with NO_COLOR', () => {
    assert.equal(useColor(stream(true), {}), true);
    assert.equal(useColor(stream(false), {}), false);
    assert.equal(useColor(stream(true), { NO_COLOR: '1' }), false);
    assert.equal(useColor(stream(true), { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  });

  it('wraps to the terminal width, and not at all in a pipe', () => {
    assert.equal(terminalWidth(stream(true, 132)), 132);
    assert.equal(terminalWidth(stream(false)), undefined);
  });

  it('shows progress on a terminal and clears it when done', () => {
    const out = stream(true);
    const err = stream(true);
    const progress = new Progress(out, err);
    progress.update('Scanning files', 3, 3);
    progress.done();
    assert.match(err.written, /Scanning files 3\/3/);
    assert.ok(err.written.endsWith('\r\x1b[2K'));
    assert.equal(out.written, '');
  });

  it('prints no progress when stdout is a pipe', () => {
    const err = stream(true);
    const progress = new Progress(stream(false), err);
    progress.update('Scanning files', 1, 2);
    progress.done();
    assert.equal(err.written, '');
  });
});
