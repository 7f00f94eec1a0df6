import type { EachBatchPayload } from 'kafkajs';
import type { EnvelopeOpener } from '../decrypt/index.js';
import { SealpostError } from '../errors/index.js';
import type { SubjectKeySource } from '../subject-keys/key-book.js';
import { isRepeat, type DedupeWindow } from './dedupe-window.js';
import { CONSUMER_ERRORS } from './errors.js';
import { openPartitionRecords, type ConsumerEvent } from './open-record.js';
import type { ConsumerStats, createConsumerStats } from './stats.js';

/** What one department consumer's batch handler reads and counts with (department-consumer.ts builds it). */
export interface BatchHandlerOptions {
  department: string;
  keys: EnvelopeOpener;
  subjectKeys: SubjectKeySource;
  /** Records opened per call to the decryption library. */
  chunk: number;
  /** The consumer's dedupe window (shared by its partitions). */
  seen: DedupeWindow;
  stats: ReturnType<typeof createConsumerStats>;
  /** The application's handle and onProgress (called as its methods). */
  app: {
    handle(event: ConsumerEvent): Promise<void> | void;
    onProgress?(stats: Readonly<ConsumerStats>): void;
  };
}

/** How a batch handler and its consumer stop each other. */
export interface BatchControl {
  /** True once the consumer stops (stop(), or a failure on another partition): hand over nothing more. */
  stopping(): boolean;
  /** Stops the consumer: its run() rejects with `err`. */
  fail(err: unknown): void;
  /** With untilEnd: the offset `partition` must reach, else undefined. */
  target(partition: number): bigint | undefined;
  /** `partition` reached its target. */
  reached(partition: number): void;
}

/**
 * kafkajs' eachBatch for a department consumer (the rules are department-consumer.ts's): open a chunk, hand its
 * events over in offset order (repeats dropped), resolve each offset only after its handler resolved, commit.
 */
export function createBatchHandler(opts: BatchHandlerOptions, control: BatchControl): (payload: EachBatchPayload) => Promise<void> {
  const { chunk, seen, stats, app } = opts;
  const openOptions = { department: opts.department, keys: opts.keys, subjectKeys: opts.subjectKeys };
  return async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets, heartbeat, isRunning, isStale } = payload;
    const target = control.target(batch.partition);
    try {
      for (let at = 0; at < batch.messages.length; at += chunk) {
        if (control.stopping() || !isRunning() || isStale()) break;
        let events: ConsumerEvent[];
        try {
          events = await openPartitionRecords(batch.partition, batch.messages, at, Math.min(at + chunk, batch.messages.length), openOptions);
        } catch (err) {
          // Not a record's fault (a locked record is a value): the keys were closed under us. Stop, commit nothing more.
          control.fail(err);
          return;
        }
        // The last offset handled in this chunk: resolved once, before any commit (kafkajs parses a Long per call).
        let handledUpTo: string | undefined;
        try {
          for (const event of events) {
            if (control.stopping()) break; // another partition's handler failed, or stop(): hand over nothing more
            if (isRepeat(seen, event)) stats.duplicate();
            else {
              try {
                // A handler that returns nothing costs no promise: awaited only when it returns one.
                const handled = app.handle(event);
                if (handled) await handled;
              } catch (err) {
                control.fail(new SealpostError(CONSUMER_ERRORS.handlerFailed, `the handler failed on record ${event.partition}:${event.offset}; its offset was not committed`, { cause: err }));
                return;
              }
              stats.count(event);
            }
            handledUpTo = event.offset;
            if (target !== undefined && BigInt(event.offset) + 1n >= target) control.reached(batch.partition);
          }
        } finally {
          if (handledUpTo !== undefined) resolveOffset(handledUpTo);
        }
        // Within a batch: commit what was handled once a second (kafkajs' interval), not per chunk (a round trip each).
        await commitOffsetsIfNecessary();
        await heartbeat();
        app.onProgress?.(stats.snapshot());
      }
    } finally {
      // End of the batch (or a failure, or stop): everything handled so far is committed now.
      await commitOffsetsIfNecessary(uncommittedOffsets()).catch(() => undefined);
    }
  };
}
