// What every command shares, through the real binary: usage errors exit 2 and point at the right
// help, a reader closing the pipe early is not an error, and failures never reach the user as a
// stack trace.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../test/support/shared.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-cli-main-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const bin = join(repoRoot, 'bin', 'bulwark.js');

/** An environment with no kubeconfig anywhere and no debugging switched on. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: scratch, NO_COLOR: '1' };
  for (const name of ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'BULWARK_DEBUG']) delete env[name];
  return env;
}

function bulwark(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, env: cleanEnv(), input: '', encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const NO_STACK = /\n\s+at |Unhandled/;

describe('bulwark, whatever the command', () => {
  it('an unknown flag or command exits 2 and points at the help of the command that was meant', () => {
    const flag = bulwark(['ledger', 'read', '--dir', 'x', '--no-such-flag']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /unknown option '--no-such-flag'\n\(run "bulwark ledger read --help" for usage\)/);
    const command = bulwark(['audit', 'replay']);
    assert.equal(command.status, 2);
    assert.match(command.stderr, /unknown command 'replay'\n\(run "bulwark audit --help" for usage\)/);
  });

  it('an output file that cannot be written exits 2 naming it', () => {
    const result = bulwark(['controls', '--output', join('no-such-dir', 'controls.md')]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'bulwark: no-such-dir/controls.md: cannot write the output file: no such file or directory\n');
  });

  it('cluster commands without any kubeconfig exit 2 and say where to get one', () => {
    for (const args of [['cluster', 'scan'], ['cluster', 'who-can', 'get', 'pods']]) {
      const result = bulwark(args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^bulwark: no usable kubeconfig .*pass --kubeconfig FILE/);
      assert.doesNotMatch(result.stderr, NO_STACK);
    }
    const bad = bulwark(['cluster', 'scan', '--qps', 'fast']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--qps <n>' argument 'fast' is invalid\. a positive number is needed/);
  });

  it('a reader that closes the pipe early ends the command quietly', async () => {
    // Like `bulwark audit rules | head -0`: the read end is closed before the first write, so every
    // write fails with EPIPE (closing after the first bytes races with a small output).
    const child = spawn(process.execPath, [bin, 'audit', 'rules'], { cwd: scratch, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    assert.equal(stderr, '');
    assert.equal(status, 0);
  });
});
