// A control plane run for a person (`npm run testenv -- up`) rather than a test: where it lives when no
// directory is named, and how `down`, another process, finds and stops it through the state file.
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { BulwarkError } from '../src/core/errors.ts';
import { readState, STATE_FILE, TEMP_PREFIX } from './cleanup.ts';
import { isAlive } from './processes.ts';

/** One default directory per user, so `down` without --dir finds what `up` without --dir started. */
export function defaultSessionDir(): string {
  return join(tmpdir(), `${TEMP_PREFIX}${userInfo().uid}`);
}

export type StopResult = { stopped: true; ownerPid: number } | { stopped: false; reason: string };

/**
 * Asks the process that runs the control plane in `dir` to stop it (SIGTERM: it stops its children
 * and removes its files), and waits until that process is gone, at most `timeoutMs`.
 */
export async function stopSession(dir: string, timeoutMs = 30_000): Promise<StopResult> {
  const path = join(resolve(dir), STATE_FILE);
  const state = readState(resolve(dir));
  if (state === null) return { stopped: false, reason: `no control plane runs in ${resolve(dir)} (no readable ${path})` };
  if (!isAlive(state.ownerPid)) return { stopped: false, reason: `the process that started the control plane in ${resolve(dir)} (pid ${state.ownerPid}) is gone; the next start reaps what it left` };
  process.kill(state.ownerPid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(state.ownerPid)) {
    if (Date.now() >= deadline) {
      throw new BulwarkError('E_TOOL_FAILED', `pid ${state.ownerPid} still runs ${Math.round(timeoutMs / 1000)} s after SIGTERM; stop it by hand (kill ${state.ownerPid})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stopped: true, ownerPid: state.ownerPid };
}
