// Making sure no control plane outlives the process that started it. Three layers:
// - stop(), the normal path;
// - an `exit` hook and SIGINT/SIGTERM/SIGHUP hooks that kill whatever is still registered, for a test
//   that failed before its stop() or a run that was interrupted;
// - a state file in each control plane's directory naming its owner and processes, so that when the
//   owner died without running any hook (SIGKILL), the next start reaps what it left behind.
import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, type ManagedProcess } from './processes.ts';

/** The name of the state file, also the pid file `testenv down` reads. */
export const STATE_FILE = 'testenv.json';
/** Directories that startControlPlane creates itself start with this, under the system temp dir. */
export const TEMP_PREFIX = 'bulwark-testenv-';

export interface StateFile {
  ownerPid: number;
  processes: { name: string; pid: number; executable: string }[];
}

export interface Registration {
  dir: string;
  /** True when the directory was created for this control plane and is removed whole. */
  ownsDir: boolean;
  /** Otherwise the entries (relative to dir) that are removed. */
  created: string[];
  processes: ManagedProcess[];
}

const live = new Set<Registration>();
let hooksInstalled = false;

export function removeFiles(registration: Registration): void {
  if (registration.ownsDir) {
    rmSync(registration.dir, { recursive: true, force: true, maxRetries: 3 });
    return;
  }
  for (const entry of registration.created) rmSync(join(registration.dir, entry), { recursive: true, force: true, maxRetries: 3 });
}

/**
 * After the processes are gone: removes the files, or with BULWARK_TESTENV_KEEP=1 keeps them for a
 * post-mortem (minus the state file, so no later start reaps them) and says where.
 */
export function releaseFiles(registration: Registration): void {
  if (process.env.BULWARK_TESTENV_KEEP === '1') {
    rmSync(join(registration.dir, STATE_FILE), { force: true });
    process.stderr.write(`testenv: kept ${registration.dir} (BULWARK_TESTENV_KEEP=1)\n`);
    return;
  }
  removeFiles(registration);
}

function killAllNow(): void {
  for (const registration of live) {
    for (const child of registration.processes) child.killNow();
    // SIGKILLed processes may still hold files open for a moment; removal still succeeds on Linux.
    releaseFiles(registration);
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else listening (`testenv up`) decides what the signal means and stops gracefully; should
  // it exit instead, the exit hook still runs.
  if (process.listenerCount(signal) > 1) return;
  killAllNow();
  // Otherwise die of the signal, as this process would have without the hook.
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

export function register(registration: Registration): void {
  installHooks();
  live.add(registration);
}

export function unregister(registration: Registration): void {
  live.delete(registration);
}

export function writeState(dir: string, state: StateFile): void {
  writeFileSync(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The state file of `dir`, or null when absent or unreadable (it is only ever written by us). */
export function readState(dir: string): StateFile | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Partial<StateFile>;
    if (typeof parsed.ownerPid !== 'number' || !Array.isArray(parsed.processes)) return null;
    const processes = parsed.processes.filter(
      (entry): entry is StateFile['processes'][number] =>
        typeof entry === 'object' && entry !== null && typeof entry.pid === 'number' && typeof entry.executable === 'string' && typeof entry.name === 'string',
    );
    return { ownerPid: parsed.ownerPid, processes };
  } catch {
    return null;
  }
}

/** Whether `pid` is still the program we started (a pid can be reused by an unrelated process). */
function runs(pid: number, executable: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '') === realpathSync(executable);
  } catch {
    return false;
  }
}

/** Kills the processes a dead owner left behind in `dir`; true when `dir` was such a leftover. */
export function reapIfAbandoned(dir: string): boolean {
  const state = readState(dir);
  if (state === null || state.ownerPid === process.pid || isAlive(state.ownerPid)) return false;
  for (const entry of state.processes) {
    if (!runs(entry.pid, entry.executable)) continue;
    try {
      process.kill(-entry.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  return true;
}

/** At most this many temp entries are looked at, so a cluttered temp dir cannot slow a start down. */
const MAX_SCANNED = 10_000;

/** Reaps control planes whose owner died without cleaning up, in the system temp dir. */
export function reapAbandoned(root = tmpdir()): number {
  let reaped = 0;
  let names: string[];
  try {
    names = readdirSync(root).slice(0, MAX_SCANNED);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(root, name);
    if (reapIfAbandoned(dir)) {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      reaped++;
    }
  }
  return reaped;
}
