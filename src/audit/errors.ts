// Audit failures are BulwarkErrors (a stable `code` for exit statuses and HTTP answers) with a finer
// `reason` that callers and tests branch on without parsing messages.
import { BulwarkError, type ErrorCode, type ErrorLocation } from '../core/errors.ts';

export type AuditErrorReason = 'parse' | 'too-large' | 'rules' | 'usage' | 'io' | 'auth';

export class AuditError extends BulwarkError {
  readonly reason: AuditErrorReason;

  constructor(reason: AuditErrorReason, message: string, options?: { location?: ErrorLocation; cause?: unknown }) {
    super(codeFor(reason), message, options);
    this.name = 'AuditError';
    this.reason = reason;
  }
}

function codeFor(reason: AuditErrorReason): ErrorCode {
  switch (reason) {
    case 'parse':
      return 'E_PARSE';
    case 'too-large':
      return 'E_TOO_LARGE';
    case 'rules':
      return 'E_CONFIG';
    case 'usage':
    case 'auth':
      return 'E_USAGE';
    case 'io':
      return 'E_IO';
  }
}
