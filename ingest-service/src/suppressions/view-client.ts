import type { KafkaMessage } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { startWorkerClient } from '../threads/worker-client.js';
import { SUPPRESSION_ERRORS } from './errors.js';
import type { ViewApplied, ViewRequest, ViewWorkerInit } from './view-protocol.js';

/** The suppression view's writer thread (view-worker.ts), as the follower uses it. */
export interface ViewWriter {
  /** Merges one partition's fetched records into the view with `next` as its position (one transaction, there). */
  apply(partition: number, messages: readonly KafkaMessage[], next: number): Promise<ViewApplied>;
  close(): Promise<void>;
}

/**
 * The records' keys, and their values copied back to back into one buffer of their own: a fetched value is a view
 * of kafkajs' whole fetch response, which a structured clone would copy whole with it.
 */
export function packRecords(messages: readonly KafkaMessage[]): Pick<ViewRequest, 'keys' | 'values' | 'lengths'> {
  const lengths = new Int32Array(messages.length);
  let total = 0;
  messages.forEach((m, i) => {
    lengths[i] = m.value ? m.value.length : -1;
    total += m.value ? m.value.length : 0;
  });
  const values = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const m of messages) if (m.value) at += m.value.copy(values, at);
  return { keys: messages.map((m) => (m.key ? m.key.toString('utf8') : null)), values, lengths };
}

/** Starts the view's writer thread; the main thread's own connection (suppression-store.ts) must be open first. */
export function startViewWriter(init: ViewWorkerInit, log: LogLike): ViewWriter {
  const client = startWorkerClient<ViewRequest, ViewApplied>({
    beside: import.meta.url,
    module: './view-worker',
    workerData: init,
    unrefWhenIdle: true,
    log,
    died: (_why, message, cause) => new SealpostError(SUPPRESSION_ERRORS.viewWorker, `the suppression view's writer thread: ${message}`, { retriable: true, ...(cause ? { cause } : {}) }),
  });
  return {
    apply: (partition, messages, next) => {
      const packed = packRecords(messages);
      // The values' buffer is this call's own copy: moved to the writer thread, not cloned.
      return client.call({ op: 'apply', partition, ...packed, next }, [packed.values.buffer as ArrayBuffer]);
    },
    close: () => client.close(),
  };
}
