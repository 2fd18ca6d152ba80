/**
 * Every error Bulwark raises on purpose carries a stable code so that callers (the CLI, the webhook,
 * tests) can react to the kind of failure without parsing messages.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_INPUT'
  | 'E_PARSE'
  | 'E_TOO_LARGE'
  | 'E_CONFIG'
  | 'E_TOOL_MISSING'
  | 'E_TOOL_FAILED'
  | 'E_IO'
  | 'E_INTERNAL';

export interface ErrorLocation {
  file: string;
  /** 1-based; absent when the error concerns the whole file. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export class BulwarkError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, options?: { location?: ErrorLocation; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BulwarkError';
    this.code = code;
    this.location = options?.location;
  }

  /** `file:line:column: message`, the form editors and CI logs turn into links. */
  override toString(): string {
    return `${formatLocation(this.location)}${this.message}`;
  }
}

export function formatLocation(location: ErrorLocation | undefined): string {
  if (location === undefined) return '';
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return `${text}: `;
}
