// `bulwark ledger` through the real binary, for what a user meets first: bad input ends in exit 2 with
// a message naming what and where, never a stack trace, and paths on the command line are relative
// to where the user is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../test/support/shared.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-cli-ledger-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function bulwark(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd: scratch, env: { ...process.env, ...options.env }, input: options.input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertInputError(result: { status: number | null; stderr: string }, message: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at |internal error|Unhandled/, 'no stack trace');
}

describe('bulwark ledger, bad input', () => {
  before(() => {
    const init = bulwark(['ledger', 'init', '--dir', 'log', '--durability', 'os']);
    assert.equal(init.status, 0, init.stderr);
    // One entry and its checkpoint, so that verify has something to tell a witness.
    const first = bulwark(['ledger', 'append', '--dir', 'log', '--subject', 'bob'], { input: '{"n":0}\n' });
    assert.equal(first.status, 0, first.stderr);
    writeFileSync(join(scratch, 'broken.jsonl'), '{"user":"a"}\nnot json\n');
  });

  it('append: a missing input file, a directory, or no subject flag', () => {
    assertInputError(bulwark(['ledger', 'append', '--dir', 'log', '-i', 'missing.jsonl', '--subject', 'a']), /cannot read missing\.jsonl: .*no such file/);
    assertInputError(bulwark(['ledger', 'append', '--dir', 'log', '-i', '.', '--subject', 'a']), /cannot read \.: .*directory/);
    assertInputError(bulwark(['ledger', 'append', '--dir', 'log', '-i', 'missing.jsonl']), /give --subject NAME or --subject-field PATH/);
  });

  it('append: a line that is not JSON is named by file and line, with how many lines before it were kept', () => {
    assertInputError(bulwark(['ledger', 'append', '--dir', 'log', '-i', 'broken.jsonl', '--subject', 'a']), /^bulwark: broken\.jsonl:2: not a JSON value: .*\(0 earlier line\(s\) were appended and stay in the log\)/);
  });

  it('every command on a directory that is not a ledger says how to make one', () => {
    for (const command of [['read'], ['verify'], ['checkpoint'], ['prove', '--entry', '0'], ['shred', '--subject', 'a'], ['rotate']]) {
      assertInputError(bulwark(['ledger', command[0]!, '--dir', 'nowhere', ...command.slice(1)]), /nowhere is not a ledger .*bulwark ledger init --dir nowhere/);
    }
  });

  it('verify: a witness file in a directory that does not exist is an input error', () => {
    assertInputError(bulwark(['ledger', 'verify', '--dir', 'log', '--witness', join('no-such-dir', 'witness')]), /cannot write the witness file no-such-dir\/witness: its directory does not exist/);
  });

  it('checkpoint: an output file that cannot be written is named', () => {
    assertInputError(bulwark(['ledger', 'checkpoint', '--dir', 'log', '-o', join('no-such-dir', 'cp')]), /^bulwark: no-such-dir\/cp: cannot write the output file: no such file or directory/);
  });

  it('init that fails (no database URL, database unreachable) leaves nothing that blocks the retry', () => {
    const env = { BULWARK_LEDGER_DATABASE_URL: '' };
    assertInputError(bulwark(['ledger', 'init', '--dir', 'pg', '--store', 'postgres'], { env }), /a ledger in PostgreSQL needs its URL: give --database-url/);
    // Port 1 on loopback refuses at once: the store cannot be opened after the keys were written.
    assertInputError(bulwark(['ledger', 'init', '--dir', 'pg', '--store', 'postgres', '--database-url', 'postgres://bulwark@127.0.0.1:1/none'], { env }), /cannot open the ledger in PostgreSQL/);
    const retry = bulwark(['ledger', 'init', '--dir', 'pg', '--durability', 'os']);
    assert.equal(retry.status, 0, retry.stderr);
  });

  it('verify-proof: a missing or malformed proof file', () => {
    assertInputError(bulwark(['ledger', 'verify-proof', 'missing.json']), /missing\.json/);
    assertInputError(bulwark(['ledger', 'verify-proof', 'broken.jsonl']), /broken\.jsonl: not valid JSON/);
  });

  it('read --kek takes a key file relative to the current directory, not to the ledger', () => {
    const appended = bulwark(['ledger', 'append', '--dir', 'log', '--subject', 'alice'], { input: '{"n":1}\n' });
    assert.equal(appended.status, 0, appended.stderr);
    mkdirSync(join(scratch, 'keys'), { recursive: true });
    copyFileSync(join(scratch, 'log', 'kek.key'), join(scratch, 'keys', 'mine.key'));
    const read = bulwark(['ledger', 'read', '--dir', 'log', '--kek', join('keys', 'mine.key')]);
    assert.equal(read.status, 0, read.stderr);
    const entries = read.stdout.trim().split('\n').map((line) => JSON.parse(line) as { status: string; data: unknown });
    assert.deepEqual(entries.at(-1)?.data, { n: 1 });
    assertInputError(bulwark(['ledger', 'read', '--dir', 'log', '--kek', 'mine.key']), new RegExp(`cannot read key-encryption key ${scratch.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}/mine\\.key`));
  });
});
