import { BulwarkError } from '../core/errors.ts';
import { ioReason } from '../core/io-reason.ts';

/** Exit statuses of DESIGN.md §3, plus 3 for a bug (an error nobody raised on purpose). */
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** What the user is told about a failed command, and the status the process ends with. */
export interface Failure {
  /** Complete stderr text, ending in a newline; empty when nothing should be said. */
  text: string;
  exitCode: number;
}

/**
 * A reader that stopped early (`bulwark … | head`) closes the pipe: that is the reader's choice, not
 * an error of ours, so it ends the command quietly.
 */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** The reason of a file-system error in words ("no such file or directory"), shared with the modules' own messages. */
export const systemErrorReason = ioReason;

/** A file-system error names the file it concerns: it is bad input, not a bug. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  const e = error as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string' && typeof e.path === 'string';
}

const VERBS: Record<string, string> = { open: 'open', read: 'read', write: 'write', stat: 'read', lstat: 'read', scandir: 'list', mkdir: 'create', rename: 'replace', unlink: 'remove' };

/**
 * Turns whatever a command threw into the message and exit status the user gets. Stack traces are
 * for developers: they are shown only with `BULWARK_DEBUG` set, so a bug report can include one.
 */
export function describeFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): Failure {
  const debug = env['BULWARK_DEBUG'] !== undefined && env['BULWARK_DEBUG'] !== '' && env['BULWARK_DEBUG'] !== '0';
  if (isBrokenPipe(error)) return { text: '', exitCode: 0 };
  if (error instanceof BulwarkError) {
    const exitCode = error.code === 'E_INTERNAL' ? EXIT_INTERNAL : EXIT_USAGE;
    return { text: `bulwark: ${error.toString()}\n${debug ? stackOf(error) : ''}`, exitCode };
  }
  if (isFileSystemError(error)) {
    const verb = VERBS[error.syscall ?? ''] ?? 'use';
    return { text: `bulwark: ${error.path}: cannot ${verb}: ${systemErrorReason(error)}\n${debug ? stackOf(error) : ''}`, exitCode: EXIT_USAGE };
  }
  const message = error instanceof Error ? error.message : safeString(error);
  const hint = debug ? stackOf(error) : 'bulwark: this is a bug; run again with BULWARK_DEBUG=1 for the stack trace and report it\n';
  return { text: `bulwark: internal error: ${message}\n${hint}`, exitCode: EXIT_INTERNAL };
}

/** A thrown non-Error may have no usable string form (`Object.create(null)`, a throwing toString). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : '';
}
