import type { AuditRecordRequest } from '../../../shared/admin-api/types.js';
import type { AuditReportState } from '../../../shared/console-api/service-types.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import { SERVICE_ERRORS } from './errors.js';

export interface AuditReporterOptions {
  /** Sends one event (the admin client's recordAudit through the connector); throws when it cannot. */
  send(event: AuditRecordRequest): Promise<unknown>;
  /** Reports waiting at most; beyond that the newest is dropped and counted as failed. */
  maxQueue?: number;
  now?: () => number;
}

/**
 * Reports the console's own decryptions and exports to the service's audit trail, best effort: the
 * user's action never waits for it (report() returns at once), reports go out one at a time in the
 * order they happened, and a failure is kept as a warning for the UI instead of an error in the way.
 */
export function createAuditReporter(opts: AuditReporterOptions) {
  const maxQueue = opts.maxQueue ?? 500;
  const now = opts.now ?? Date.now;
  const queue: AuditRecordRequest[] = [];
  const st: AuditReportState = { reported: 0, failed: 0, queued: 0, lastFailure: null };
  let pumping: Promise<void> | null = null;

  const fail = (event: AuditRecordRequest, err: unknown): void => {
    st.failed++;
    st.lastFailure = {
      code: isSealpostError(err) ? err.code : 'SP_CONSOLE_INTERNAL',
      message: isSealpostError(err) ? err.message : 'The audit report failed for an unexpected reason.',
      at: now(),
      action: event.action,
    };
  };

  const pump = async (): Promise<void> => {
    for (let event = queue.shift(); event; event = queue.shift()) {
      st.queued = queue.length;
      try {
        await opts.send(event);
        st.reported++;
        st.lastFailure = null;
      } catch (err) {
        fail(event, err);
      }
    }
    st.queued = 0;
  };

  return {
    /** Queues one report and returns at once. */
    report(event: AuditRecordRequest): void {
      if (queue.length >= maxQueue) {
        st.failed++;
        st.lastFailure = { code: SERVICE_ERRORS.reportQueueFull, message: `More than ${maxQueue} audit reports are waiting for the service; this ${event.action} was not reported.`, at: now(), action: event.action };
        return;
      }
      queue.push(event);
      st.queued = queue.length;
      pumping ??= pump().finally(() => {
        pumping = null;
      });
    },

    state(): AuditReportState {
      return { ...st, lastFailure: st.lastFailure ? { ...st.lastFailure } : null };
    },

    /** Resolves when every queued report was sent or failed (tests, and before closing). */
    async flush(): Promise<void> {
      while (pumping) await pumping;
    },
  };
}

export type AuditReporter = ReturnType<typeof createAuditReporter>;
