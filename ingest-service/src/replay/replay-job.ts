import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { LogLike } from '../journal/types.js';
import { REPLAY_ERRORS, REPLAYED_FROM_HEADER } from './errors.js';
import type { PartitionRange } from './resolve-ranges.js';

/** One partition's progress: `next` is the next offset to copy. */
export interface PartitionProgress extends PartitionRange {
  next: number;
  copied: number;
}

/** A replay's live state; the manager turns it into the contract's ReplayJob view. */
export interface ReplayJobState {
  id: string;
  sourceTopic: string;
  targetTopic: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  createdAt: number;
  finishedAt: number | null;
  partitions: PartitionProgress[];
  error: { code: string; message: string } | null;
  /** Copy to the same partition number (target has enough partitions), else by key. */
  samePartition: boolean;
}

const SEND_CHUNK = 500;

/**
 * Copies the job's offset ranges from the source topic into the target topic, record by record as
 * they are (key, value, headers, plus `sealpost-replayed-from: topic/partition/offset`), in offset
 * order per partition, with an idempotent producer (acks=all, one request in flight). It reads with
 * a throw-away consumer group that never commits, seeks each partition to its start and pauses it
 * at its end. Progress is written into `job` as batches are acknowledged by the target's brokers.
 */
export function runReplay(opts: { kafka: Kafka; job: ReplayJobState; log: LogLike; now: () => number; onSettled?: () => void }) {
  const { kafka, job, log } = opts;
  const byPartition = new Map(job.partitions.map((p) => [p.partition, p]));
  const groupId = `sealpost-replay-${job.id}`;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 30_000, retry: { retries: 5, restartOnFailure: async () => false } });
  let stopping = false;
  let settle: () => void = () => {};
  const settled = new Promise<void>((r) => (settle = r));

  const teardown = async (): Promise<void> => {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch {
      /* the group holds no offsets; leaving it is harmless */
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  const finish = (state: ReplayJobState['state'], error?: { code: string; message: string }): void => {
    if (stopping) return;
    stopping = true;
    job.state = state;
    job.error = error ?? null;
    job.finishedAt = opts.now();
    log.info({ replay: job.id, state, copied: job.partitions.reduce((n, p) => n + p.copied, 0) }, 'replay finished');
    // Never await the consumer's disconnect from inside eachBatch (it waits for eachBatch): detach.
    setImmediate(() => void teardown().finally(() => {
      settle();
      opts.onSettled?.();
    }));
  };
  const allDone = (): boolean => job.partitions.every((p) => p.next >= p.end);

  const copy = async (partition: number, messages: KafkaMessage[]): Promise<void> => {
    await producer.send({
      topic: job.targetTopic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: m.value,
        headers: { ...(m.headers as IHeaders), [REPLAYED_FROM_HEADER]: `${job.sourceTopic}/${partition}/${m.offset}` },
        ...(job.samePartition ? { partition } : {}),
      })),
    });
  };

  const start = async (): Promise<void> => {
    if (allDone()) return finish('done');
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [job.sourceTopic], fromBeginning: true });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!stopping) finish('failed', { code: REPLAY_ERRORS.failed, message: `reading ${job.sourceTopic} failed: ${payload.error.message}` });
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          const p = byPartition.get(batch.partition);
          if (!p || p.next >= p.end) {
            consumer.pause([{ topic: job.sourceTopic, partitions: [batch.partition] }]);
            return;
          }
          const wanted = batch.messages.filter((m) => {
            const o = Number(m.offset);
            return o >= p.next && o < p.end;
          });
          for (let i = 0; i < wanted.length; i += SEND_CHUNK) {
            if (stopping || !isRunning() || isStale()) return;
            const chunk = wanted.slice(i, i + SEND_CHUNK);
            try {
              await copy(batch.partition, chunk);
            } catch (err) {
              return finish('failed', { code: REPLAY_ERRORS.failed, message: `writing to ${job.targetTopic} failed: ${(err as Error).message}; ${p.next - p.start} of partition ${p.partition} were copied` });
            }
            p.copied += chunk.length;
            p.next = Number(chunk[chunk.length - 1]!.offset) + 1;
            await heartbeat();
          }
          if (stopping) return;
          const reached = Math.max(p.next, Number(batch.lastOffset()) + 1);
          if (reached >= p.end) {
            p.next = p.end;
            consumer.pause([{ topic: job.sourceTopic, partitions: [p.partition] }]);
            if (allDone()) finish('done');
          }
        },
      });
      const idle = job.partitions.filter((p) => p.next >= p.end).map((p) => p.partition);
      for (const p of job.partitions) if (p.next < p.end) consumer.seek({ topic: job.sourceTopic, partition: p.partition, offset: String(p.next) });
      if (idle.length) consumer.pause([{ topic: job.sourceTopic, partitions: idle }]);
    } catch (err) {
      finish('failed', { code: REPLAY_ERRORS.failed, message: `replay could not start: ${(err as Error).message}` });
    }
  };
  void start();

  return {
    /** Stops copying after the batch in flight; what was copied stays copied. */
    cancel(): Promise<void> {
      finish('cancelled');
      return settled;
    },
    settled,
  };
}
