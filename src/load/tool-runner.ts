// Finding and running the external renderers (kustomize, kubectl, helm): an argument array and never
// a shell, a time limit, a bound on what is kept of their output.
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { BulwarkError } from '../core/index.ts';
import { formatBytes } from './files.ts';

/**
 * Where `scripts/install-tools.sh` builds the tools: `$BULWARK_TOOLS_DIR/bin`, else
 * `$XDG_CACHE_HOME/bulwark/tools/bin`, else `~/.cache/bulwark/tools/bin`.
 */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_TOOLS_DIR) return join(env.BULWARK_TOOLS_DIR, 'bin');
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'bulwark', 'tools', 'bin');
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable `name` on PATH, else in the tools cache; null when neither has it. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
  dirs.push(toolsBinDir(env));
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the tool is killed. */
  timeoutMs: number;
  /** Most bytes of standard output accepted. */
  maxOutputBytes: number;
}

export interface RunResult {
  stdout: string;
}

/** The last part of a tool's standard error kept for messages. */
const STDERR_KEPT = 4096;

/**
 * Runs `executable args…` and returns its standard output; a non-zero exit, a timeout or too much
 * output is an E_TOOL_FAILED error carrying the tool's own error text.
 */
export function runTool(executable: string, args: readonly string[], display: string, options: RunOptions): Promise<RunResult> {
  // Loaded here, not with the module: every scan thread loads this module, few scans render charts
  // or overlays, and node:child_process costs ~2 ms to load in a fresh thread.
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(executable, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: BulwarkError | null = null;
    const fail = (error: BulwarkError): void => {
      if (failure === null) failure = error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      fail(new BulwarkError('E_TOOL_FAILED', `${display} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped`));
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) {
        fail(new BulwarkError('E_TOO_LARGE', `${display} printed more than ${formatBytes(options.maxOutputBytes)}; its output was not scanned`));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new BulwarkError('E_TOOL_FAILED', `${display} could not be started: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure !== null) {
        reject(failure);
        return;
      }
      if (code !== 0) {
        const detail = stderr.trim();
        const status = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with status ${code}`;
        reject(new BulwarkError('E_TOOL_FAILED', `${display} ${status}${detail === '' ? '' : `:\n${detail}`}`));
        return;
      }
      resolvePromise({ stdout: Buffer.concat(stdout).toString('utf8') });
    });
  });
}
