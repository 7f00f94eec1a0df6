// The ceiling for the console's scans: a plain kafkajs consumer reading the same topic, doing nothing with the records.
import kafkajs from 'kafkajs';
import { randomUUID } from 'node:crypto';

const STALL_MS = 60_000;

/**
 * Reads `total` records of `topic` with kafkajs's own consumer (a fresh group, from the beginning, eachBatch
 * counting only) and returns records/s from the first batch to the last record. Why from the first batch: joining a
 * group waits for the broker's rebalance delay (3 s by default), which says nothing about reading speed — the
 * console reads without a group, so its scans would otherwise beat the "ceiling".
 */
export async function rawConsumerRate(brokers: string[], topic: string, total: number): Promise<{ perSec: number; records: number; joinMs: number }> {
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'sealpost-bench-ceiling', logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `sealpost-bench-ceiling-${randomUUID()}`, maxBytesPerPartition: 2 * 1024 * 1024, maxBytes: 32 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const started = performance.now();
  let first = 0;
  let records = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      // A group that never gets its partitions (a busy shared broker) fails the run instead of hanging it.
      let last = performance.now();
      const watch = setInterval(() => {
        if (performance.now() - last <= STALL_MS) return;
        done();
        reject(new Error(`the raw consumer read nothing for ${STALL_MS / 1000} s (${records} of ${total} records)`));
      }, 1_000);
      function done(): void {
        clearInterval(watch);
      }
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            if (!first) first = performance.now();
            last = performance.now();
            records += batch.messages.length;
            if (records >= total) {
              done();
              resolve();
            }
          },
        })
        .catch((err) => {
          done();
          reject(err);
        });
    });
    const ms = performance.now() - first;
    return { perSec: Math.round(records / (ms / 1000)), records, joinMs: Math.round(first - started) };
  } finally {
    await consumer.disconnect();
  }
}
