// Ledger failures are BulwarkErrors (stable `code` for the CLI's exit status) with a finer `reason`
// that callers and tests can branch on without parsing messages.
import { BulwarkError, type ErrorCode, type ErrorLocation } from '../core/errors.ts';

export type LedgerErrorReason =
  | 'usage'
  | 'config'
  | 'parse'
  | 'io'
  | 'locked'
  | 'corrupt'
  | 'key'
  | 'signature'
  | 'proof'
  | 'store';

export class LedgerError extends BulwarkError {
  readonly reason: LedgerErrorReason;

  constructor(reason: LedgerErrorReason, message: string, options?: { location?: ErrorLocation; cause?: unknown }) {
    super(codeFor(reason), message, options);
    this.name = 'LedgerError';
    this.reason = reason;
  }
}

function codeFor(reason: LedgerErrorReason): ErrorCode {
  switch (reason) {
    case 'usage':
      return 'E_USAGE';
    case 'config':
      return 'E_CONFIG';
    case 'parse':
      return 'E_PARSE';
    case 'io':
    case 'locked':
    case 'store':
      return 'E_IO';
    default:
      return 'E_INPUT';
  }
}
