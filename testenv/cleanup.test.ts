import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reapAbandoned, reapIfAbandoned, readState, TEMP_PREFIX, writeState } from './cleanup.ts';
import { isAlive } from './processes.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-cleanup-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The pid of a process that has already exited: an owner that died without cleaning up. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

const waitGone = async (pid: number): Promise<boolean> => {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !isAlive(pid);
};

describe('reaping what a dead owner left', () => {
  it('kills the recorded processes and removes temp dirs whose owner is gone', async () => {
    const dir = join(scratch, `${TEMP_PREFIX}dead`);
    mkdirSync(dir);
    const orphan = sleeper();
    writeState(dir, { ownerPid: await deadPid(), processes: [{ name: 'etcd', pid: orphan, executable: process.execPath }] });
    assert.equal(reapAbandoned(scratch), 1);
    assert.ok(await waitGone(orphan), 'orphan killed');
    assert.equal(existsSync(dir), false);
  });

  it('leaves a control plane alone while its owner lives', () => {
    const dir = join(scratch, `${TEMP_PREFIX}alive`);
    mkdirSync(dir);
    const child = sleeper();
    try {
      writeState(dir, { ownerPid: process.pid, processes: [{ name: 'etcd', pid: child, executable: process.execPath }] });
      assert.equal(reapIfAbandoned(dir), false);
      assert.equal(reapAbandoned(scratch), 0);
      assert.ok(isAlive(child));
      assert.equal(existsSync(dir), true);
    } finally {
      process.kill(child, 'SIGKILL');
    }
  });

  it('does not kill a reused pid that now runs another program', async () => {
    const dir = join(scratch, `${TEMP_PREFIX}reused`);
    mkdirSync(dir);
    const unrelated = sleeper();
    try {
      writeState(dir, { ownerPid: await deadPid(), processes: [{ name: 'etcd', pid: unrelated, executable: '/nonexistent/etcd' }] });
      assert.equal(reapIfAbandoned(dir), true);
      assert.ok(isAlive(unrelated));
    } finally {
      process.kill(unrelated, 'SIGKILL');
    }
  });

  it('reads no state from a missing or foreign file', () => {
    assert.equal(readState(join(scratch, 'nothing-here')), null);
  });
});
