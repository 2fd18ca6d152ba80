// Running one control-plane binary: an argument array (never a shell), output to a log file that
// outlives this process, its own process group so a terminal's Ctrl-C reaches only us and we choose
// the shutdown order, and a stop that escalates from SIGTERM to SIGKILL after a bound.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { BulwarkError } from '../src/core/errors.ts';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited (and has been reaped). */
  readonly exited: Promise<ProcessExit>;
  /** How it exited, or null while it runs. */
  exitStatus(): ProcessExit | null;
  /** SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
  stop(graceMs: number): Promise<ProcessExit>;
  /** SIGKILL at once, synchronously: for `exit` handlers, where nothing can be awaited. */
  killNow(): void;
}

export interface StartProcessOptions {
  name: string;
  executable: string;
  args: readonly string[];
  /** Standard output and error are appended here. */
  logPath: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** After SIGKILL a process is gone within milliseconds unless the kernel is stuck; don't wait forever. */
const AFTER_KILL_MS = 5000;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid addresses the process group the child leads (it was spawned detached).
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
}

export function startProcess(options: StartProcessOptions): Promise<ManagedProcess> {
  const log = openSync(options.logPath, 'a', 0o600);
  let child;
  try {
    child = spawn(options.executable, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', log, log],
      detached: true,
      shell: false,
    });
  } finally {
    closeSync(log);
  }
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      reject(new BulwarkError('E_TOOL_FAILED', `could not start ${options.name} (${options.executable}): ${error.message}`, { cause: error }));
    });
    child.once('spawn', () => {
      const pid = child.pid!;
      let status: ProcessExit | null = null;
      const exited = new Promise<ProcessExit>((resolveExit) => {
        child.once('exit', (code, signal) => {
          status = { code, signal };
          resolveExit(status);
        });
      });
      // A test that forgets stop() must not hang its process: the exit handler kills what is left.
      child.unref();
      const managed: ManagedProcess = {
        name: options.name,
        pid,
        logPath: options.logPath,
        exited,
        exitStatus: () => status,
        async stop(graceMs: number): Promise<ProcessExit> {
          if (status !== null) return status;
          signalGroup(pid, 'SIGTERM');
          if ((await Promise.race([exited, delay(graceMs)])) === 'timeout') {
            signalGroup(pid, 'SIGKILL');
            if ((await Promise.race([exited, delay(AFTER_KILL_MS)])) === 'timeout') {
              throw new BulwarkError('E_TOOL_FAILED', `${options.name} (pid ${pid}) did not exit even after SIGKILL`);
            }
          }
          return status!;
        },
        killNow(): void {
          if (status === null) signalGroup(pid, 'SIGKILL');
        },
      };
      resolve(managed);
    });
  });
}

/** The last `maxBytes` of a log file as text (empty when unreadable): what an error message shows. */
export function logTail(path: string, maxBytes = 4096): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    let text = buffer.toString('utf8');
    // Start on a whole line: a cut line in the middle of a message only confuses.
    if (length < size) text = text.slice(text.indexOf('\n') + 1);
    return text;
  } finally {
    closeSync(fd);
  }
}

/** Whether a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
