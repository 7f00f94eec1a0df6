/**
 * Every error Sealpost raises on purpose is a SealpostError with a stable code, so that callers,
 * logs, metrics and the console can branch on `code` instead of parsing messages.
 * Each capability keeps its own codes in an `errors.ts` beside its code; codes are prefixed `SP_`.
 */
export interface SealpostErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** True when retrying the same operation later may succeed (broker away, KMS throttling). */
  retriable?: boolean;
  /** HTTP status to answer with when this error ends a request. */
  status?: number;
  /** Machine-readable details; never personal values. */
  details?: Record<string, unknown>;
}

export class SealpostError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: SealpostErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealpostError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.status = options.status ?? 500;
    this.details = options.details;
  }

  /** The JSON body an HTTP API answers with; says what failed and what to do, nothing personal. */
  toJSON(): { error: { code: string; message: string; retriable: boolean; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        retriable: this.retriable,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

/** Narrows an unknown thrown value to a SealpostError with the given code. */
export function isSealpostError(err: unknown, code?: string): err is SealpostError {
  return err instanceof SealpostError && (code === undefined || err.code === code);
}
