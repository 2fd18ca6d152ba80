import type { ErrorCode, ErrorLocation } from './errors.ts';

/**
 * Something a run reports besides findings: errors (the exit code becomes 2), warnings (a mistake
 * that did not stop the run, such as a malformed exception annotation) and notes (things skipped on
 * purpose). Printed as `file:line:column: level: message`.
 */
export interface Diagnostic {
  level: 'error' | 'warning' | 'note';
  code?: ErrorCode;
  message: string;
  location: ErrorLocation;
}
