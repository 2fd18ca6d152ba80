import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulwarkError } from '../src/core/errors.ts';
import { isAlive, logTail, startProcess } from './processes.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-processes-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const node = (name: string, script: string) =>
  startProcess({ name, executable: process.execPath, args: ['-e', script], logPath: join(scratch, `${name}.log`), env: { PATH: process.env.PATH } });

const waitForLog = async (path: string, text: string): Promise<void> => {
  for (let i = 0; i < 100 && !logTail(path).includes(text); i++) await new Promise((r) => setTimeout(r, 50));
};

describe('startProcess', () => {
  it('logs output to the file and stops with SIGTERM', async () => {
    const child = await node('polite', "console.log('ready'); console.error('on stderr'); setInterval(() => {}, 1000)");
    await waitForLog(child.logPath, 'on stderr');
    assert.match(logTail(child.logPath), /ready\non stderr\n/);
    assert.equal(child.exitStatus(), null);
    const status = await child.stop(5000);
    assert.deepEqual(status, { code: null, signal: 'SIGTERM' });
    assert.equal(isAlive(child.pid), false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored, after the grace period', async () => {
    const child = await node('stubborn', "process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)");
    await waitForLog(child.logPath, 'up');
    const started = performance.now();
    const status = await child.stop(300);
    const took = performance.now() - started;
    assert.equal(status.signal, 'SIGKILL');
    assert.ok(took >= 250 && took < 3000, `stopped after ${took} ms`);
    assert.equal(isAlive(child.pid), false);
    assert.match(logTail(child.logPath), /ignored/);
  });

  it('reports how a process that ended by itself exited; stop() then does nothing', async () => {
    const child = await node('quitter', 'process.exit(3)');
    assert.deepEqual(await child.exited, { code: 3, signal: null });
    assert.deepEqual(await child.stop(10), { code: 3, signal: null });
  });

  it('a missing executable is a typed error naming it', async () => {
    await assert.rejects(
      startProcess({ name: 'ghost', executable: join(scratch, 'no-such-binary'), args: [], logPath: join(scratch, 'ghost.log'), env: {} }),
      (error: BulwarkError) => error.code === 'E_TOOL_FAILED' && /could not start ghost .*no-such-binary/.test(error.message),
    );
  });
});

describe('logTail', () => {
  it('keeps the end of a long log, from a line start', () => {
    const path = join(scratch, 'long.log');
    writeFileSync(path, Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const tail = logTail(path, 100);
    assert.ok(tail.length <= 100);
    assert.match(tail, /^line \d+\n/);
    assert.match(tail, /line 999\n$/);
    assert.equal(logTail(join(scratch, 'absent.log')), '');
  });
});
