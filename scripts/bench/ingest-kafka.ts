import type { Kafka } from 'kafkajs';

/**
 * The ceiling bench:ingest compares the service with: one idempotent kafkajs producer sending the load's events in
 * clear (JSON, keyed by address) to a topic of 6 partitions, 1,000 records per send, acks from all replicas, for
 * `seconds`. Returns records/s.
 */
export async function rawProducerRate(kafka: Kafka, topic: string, seconds: number, makeEvents: () => Record<string, unknown>[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let sent = 0;
  const start = Date.now();
  const end = start + seconds * 1000;
  while (Date.now() < end) {
    const messages = [] as { key: string; value: string }[];
    for (let i = 0; i < 10; i++) for (const e of makeEvents()) messages.push({ key: (e.email ?? e.subject) as string, value: JSON.stringify(e) });
    await producer.send({ topic, acks: -1, messages });
    sent += messages.length;
  }
  const perS = sent / ((Date.now() - start) / 1000);
  await producer.disconnect();
  return perS;
}

/** Mean bytes of a record's value as it sits in `topic`: the first 2,000 records (or what 15 s gave). */
export async function meanRecordBytes(kafka: Kafka, topic: string, groupId: string): Promise<number> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let sampled = 0;
  let bytes = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (sampled >= 2000) return;
        sampled++;
        bytes += message.value?.length ?? 0;
        if (sampled === 2000) resolve();
      },
    });
    setTimeout(resolve, 15_000);
  });
  await consumer.disconnect();
  return bytes / Math.max(1, sampled);
}
