import { BulwarkError, type ErrorCode } from '../core/index.ts';

/**
 * Input that Bulwark cannot read (a malformed key, bundle, envelope or manifest) is an error of the
 * input, raised as a `BulwarkError`; a well-formed signature that does not verify is not an error but
 * a verdict, reported as a `TrustFailure` so that a caller can count, explain and combine them.
 */
export function inputError(what: string, message: string, cause?: unknown): BulwarkError {
  return new BulwarkError('E_INPUT', `${what}: ${message}`, cause === undefined ? undefined : { cause });
}

export function parseError(what: string, message: string, cause?: unknown): BulwarkError {
  return new BulwarkError('E_PARSE', `${what}: ${message}`, cause === undefined ? undefined : { cause });
}

export function tooLarge(what: string, size: number, limit: number): BulwarkError {
  return new BulwarkError('E_TOO_LARGE', `${what}: ${size} bytes is over the limit of ${limit} bytes`);
}

export function trustError(code: ErrorCode, message: string, cause?: unknown): BulwarkError {
  return new BulwarkError(code, message, cause === undefined ? undefined : { cause });
}

/** Why one signature, attestation or image did not verify. Stable strings: JSON output carries them. */
export type TrustFailureCode =
  | 'no-signatures'
  | 'malformed'
  | 'signature-mismatch'
  | 'untrusted-key'
  | 'certificate-chain'
  | 'certificate-validity'
  | 'certificate-usage'
  | 'identity-mismatch'
  | 'digest-mismatch'
  | 'reference-mismatch'
  | 'transparency-log'
  | 'timestamp'
  | 'attestation-missing'
  | 'predicate-condition'
  | 'threshold'
  | 'policy-denied'
  | 'fetch-failed'
  | 'timeout';

export interface TrustFailure {
  code: TrustFailureCode;
  message: string;
}

export function failure(code: TrustFailureCode, message: string): TrustFailure {
  return { code, message };
}

export function describeError(error: unknown): string {
  if (error instanceof BulwarkError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
