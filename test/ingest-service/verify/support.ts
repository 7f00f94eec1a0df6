import assert from 'node:assert/strict';
import { isSealpostError } from '../../../shared/errors/index.js';
import { sourceSchema, type SourceConfig } from '../../../ingest-service/src/config/config-schema.js';
import type { VerifyLog } from '../../../ingest-service/src/verify/index.js';

/** A source config exactly as the service would have it after validation (defaults applied). */
export function source(input: unknown): SourceConfig {
  return sourceSchema.parse(input);
}

/** A log that remembers what was written, so tests can check nothing personal was logged. */
export function recordingLog(): VerifyLog & { lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
  };
}

/** Asserts that a promise rejects with a SealpostError of this HTTP status and details.reason. */
export async function rejectsWith(promise: Promise<unknown>, status: number, reason: string): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a rejection with ${status}/${reason}, but it resolved`);
  assert.ok(isSealpostError(caught), `expected a SealpostError, got ${String(caught)}`);
  assert.equal(caught.details?.['reason'], reason, `reason (message: ${caught.message})`);
  assert.equal(caught.status, status, `status (message: ${caught.message})`);
  return caught;
}
