import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BulwarkError } from '../core/errors.ts';
import { checkOutputWritable, emit } from './output.ts';

test('emit writes every chunk to the file, multi-byte text and chunks larger than its buffer included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-emit-'));
  try {
    const file = join(dir, 'report.json');
    // 3-byte characters, and a chunk of 1 MiB of them: several encoding passes.
    const chunks = ['{"a":"é€"', 'x'.repeat(70_000), '€'.repeat(350_000), '', '😀 end\n'];
    await emit(chunks, file);
    assert.equal(readFileSync(file, 'utf8'), chunks.join(''));
    // A second emit replaces the file, as the write stream did.
    await emit(['short\n'], file);
    assert.equal(readFileSync(file, 'utf8'), 'short\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('emit keeps the order of many chunks written through its buffer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-emit-'));
  try {
    const file = join(dir, 'report.json');
    // ~6 MB in chunks of varied sizes and widths: the buffer is filled and written many times.
    const chunks = Array.from({ length: 120 }, (_, i) => `${i}:` + (i % 7 === 0 ? 'ä€'.repeat(9_000 + i) : String.fromCharCode(97 + (i % 26)).repeat(40_000 + 97 * i)) + '\n');
    await emit(chunks, file);
    assert.equal(readFileSync(file, 'utf8'), chunks.join(''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('emit to a device that refuses the bytes rejects with an input error naming the file', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, async () => {
  await assert.rejects(emit(['x'.repeat(3 * 1024 * 1024)], '/dev/full'), (error: unknown) => {
    assert.ok(error instanceof BulwarkError);
    assert.equal(error.code, 'E_IO');
    assert.match(error.message, /cannot write the output file: no space left on device/);
    return true;
  });
});

test('emit to a directory that does not exist rejects with an input error naming the file', async () => {
  const file = join(tmpdir(), 'bulwark-no-such-dir-', 'sub', 'report.json');
  await assert.rejects(emit(['x'], file), (error: unknown) => {
    assert.ok(error instanceof BulwarkError);
    assert.equal(error.code, 'E_IO');
    assert.equal(error.toString(), `${file}: cannot write the output file: no such file or directory`);
    return true;
  });
});

test('checkOutputWritable refuses, before any work, an output that could not be written, and creates nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-output-check-'));
  try {
    const refused = (output: string, reason: RegExp): void => {
      assert.throws(
        () => checkOutputWritable(output),
        (error: unknown) => error instanceof BulwarkError && error.code === 'E_IO' && error.location?.file === output && reason.test(error.message),
      );
    };
    refused(join(dir, 'missing', 'report.json'), /no such directory/);
    refused(dir, /is a directory/);
    writeFileSync(join(dir, 'plain'), '');
    refused(join(dir, 'plain', 'report.json'), /is not a directory/);
    // A new file in a writable directory, an existing file, and stdout pass; the check writes nothing.
    checkOutputWritable(join(dir, 'report.json'));
    assert.equal(existsSync(join(dir, 'report.json')), false);
    checkOutputWritable(join(dir, 'plain'));
    checkOutputWritable(undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
