// What loading reports besides objects: errors (the scan's exit code becomes 2) and notes (things
// skipped on purpose, which never fail a scan).
import { BulwarkError, type Diagnostic, type ErrorCode, type ErrorLocation } from '../core/index.ts';

export type { Diagnostic };

export function errorDiagnostic(error: BulwarkError, fallbackFile: string): Diagnostic {
  return { level: 'error', code: error.code, message: error.message, location: error.location ?? { file: fallbackFile } };
}

/** Any thrown value as an error diagnostic; unexpected ones keep their message under E_INTERNAL. */
export function diagnosticFromThrown(thrown: unknown, file: string): Diagnostic {
  if (thrown instanceof BulwarkError) return errorDiagnostic(thrown, file);
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { level: 'error', code: 'E_INTERNAL', message, location: { file } };
}

export function note(code: ErrorCode, message: string, location: ErrorLocation): Diagnostic {
  return { level: 'note', code, message, location };
}
