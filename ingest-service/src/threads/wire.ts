import { isSealpostError, SealpostError } from '../../../shared/errors/index.js';

/** What a worker thread sends back for a failure: structured clone drops classes, so the parts that matter travel as data. */
export interface WireError {
  /** A SealpostError code or a SQLite code (SQLITE_FULL...), else null. */
  code: string | null;
  message: string;
  /** Set for SealpostErrors: the caller decides between backing off and giving up on these. */
  retriable?: boolean;
  status?: number;
  details?: Record<string, unknown>;
  /** The code of a SealpostError cause (e.g. SP_KMS_UNAVAILABLE under SP_SEAL_...). */
  causeCode?: string;
}

/** Any thrown value as a WireError, keeping a SealpostError's code, flags and cause code, or a plain error's `code`. */
export function toWire(err: unknown): WireError {
  if (isSealpostError(err)) {
    return {
      code: err.code,
      message: err.message,
      retriable: err.retriable,
      status: err.status,
      ...(err.details ? { details: err.details } : {}),
      ...(isSealpostError(err.cause) ? { causeCode: err.cause.code } : {}),
    };
  }
  const code = (err as { code?: unknown })?.code;
  return { code: typeof code === 'string' ? code : null, message: (err as Error)?.message ?? String(err) };
}

/**
 * A WireError back as a thrown value: a SealpostError when it was one (code, retriable, status,
 * details and cause code kept), else an Error carrying `code` (so SQLite codes still map to
 * SP_JOURNAL_UNAVAILABLE).
 */
export function fromWire(e: WireError | undefined): Error {
  if (e?.code && e.retriable !== undefined) {
    return new SealpostError(e.code, e.message, {
      retriable: e.retriable,
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.details ? { details: e.details } : {}),
      ...(e.causeCode ? { cause: new SealpostError(e.causeCode, e.causeCode, { retriable: e.retriable }) } : {}),
    });
  }
  return Object.assign(new Error(e?.message ?? 'worker thread failed'), e?.code ? { code: e.code } : {});
}
