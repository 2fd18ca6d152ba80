import { getSystemErrorMessage } from 'node:util';

/**
 * Why a file could not be read, in words ("no such file or directory"), not as an errno code
 * ("ENOENT"): every message naming a file is read by people.
 */
export function ioReason(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException | undefined)?.errno;
  if (typeof errno === 'number') {
    try {
      return getSystemErrorMessage(errno);
    } catch {
      // An errno the platform does not know: the message below still says something.
    }
  }
  if (error instanceof Error) return error.message;
  // A thrown non-Error may have no usable string form (a throwing or non-callable toString).
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
