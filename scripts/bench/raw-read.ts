// The bench's plain kafkajs reader (bench:consume's raw ceiling and its stock decrypt() loop).
import kafkajs from 'kafkajs';

/**
 * Reads the first `limit` records a fresh group is handed from the beginning of `topic`, calling `each` per batch,
 * and returns ms from the first batch (the group join, seconds and noisy, is not reading). Partitions are consumed
 * concurrently, so a batch takes its share of `limit` before it awaits `each`: counted after, three batches each
 * took the whole limit (the stock loop "opened 900 of 300").
 */
export async function rawRead(brokers: string[], topic: string, limit: number, each: (messages: kafkajs.KafkaMessage[]) => Promise<void> | void): Promise<number> {
  const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 500 });
  let taken = 0;
  let handled = 0;
  let started = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => (finish = r));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      const take = Math.min(batch.messages.length, limit - taken);
      if (take <= 0) return;
      taken += take;
      started ||= performance.now();
      await each(batch.messages.slice(0, take));
      handled += take;
      if (handled >= limit) finish();
    },
  });
  await done;
  const ms = performance.now() - started;
  await consumer.disconnect();
  return ms;
}
