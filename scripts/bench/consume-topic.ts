// The bench:consume topic: N envelopes with unique ids, each with a support section under a local key and a
// security section under a KMS key (moto), sealed by the real sealer, produced over 3 partitions.
import kafkajs from 'kafkajs';
import { sealEnvelopes } from '../../test/shared/decrypt/fixtures.js';

/** Where the sealed topic lives and what it holds. */
export interface ConsumeBenchTopic {
  topic: string;
  records: number;
  partitions: number;
  sealMs: number;
  produceMs: number;
}

const CHUNK = 10_000;

/**
 * Seals and produces `records` envelopes in chunks (memory stays bounded at a million). Unique ids matter: the
 * kit drops repeated ids, so a topic of copies would measure the dedupe window, not opening.
 */
export async function produceConsumeBenchTopic(opts: {
  brokers: string[];
  topic: string;
  records: number;
  partitions: number;
  policy: Parameters<typeof sealEnvelopes>[0]['policy'];
  localDir: string;
  kmsEndpoint: string;
  progress(done: number): void;
}): Promise<ConsumeBenchTopic> {
  const kafka = new kafkajs.Kafka({ brokers: opts.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: opts.topic, numPartitions: opts.partitions }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let sealMs = 0;
  let produceMs = 0;
  try {
    for (let at = 0; at < opts.records; at += CHUNK) {
      const t0 = performance.now();
      const envelopes = await sealEnvelopes({ policy: opts.policy, count: Math.min(CHUNK, opts.records - at), localDir: opts.localDir, endpoint: opts.kmsEndpoint, idPrefix: `b${at}` });
      const t1 = performance.now();
      const messages = envelopes.map((e, i) => ({ value: JSON.stringify(e), partition: (at + i) % opts.partitions }));
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < messages.length; i += 1000) sends.push(producer.send({ topic: opts.topic, acks: 1, messages: messages.slice(i, i + 1000) }));
      await Promise.all(sends);
      sealMs += t1 - t0;
      produceMs += performance.now() - t1;
      opts.progress(Math.min(opts.records, at + CHUNK));
    }
  } finally {
    await producer.disconnect();
  }
  return { topic: opts.topic, records: opts.records, partitions: opts.partitions, sealMs, produceMs };
}

/** Deletes the topic again (a million records is ~1 GB on the shared broker). */
export async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
