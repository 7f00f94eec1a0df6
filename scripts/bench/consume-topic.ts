// The bench:consume topic: N envelopes with unique ids, each with a support section under a local key and a
// security section under a KMS key (moto), sealed by the real sealer, produced over 3 partitions. As the service
// writes them by default (v2, subjectKeys.enabled): each about one of `subjects` people, its sections sealed under
// that person's subject keys, the keys on a compacted keys topic; or v1 (every section under the department key).
import kafkajs from 'kafkajs';
import { sealEnvelopes } from '../../test/shared/decrypt/fixtures.js';
import { produceKeys } from '../../test/shared/subject-keys/v2-fixtures.js';
import { createSubjects, sealSubjectEnvelopes } from '../../test/shared/subject-keys/v2-sealer.js';

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
  /** v2: sections under subject keys of `subjects` people, their key records on `keysTopic` (created here). */
  v2?: { subjects: number; keysTopic: string };
}): Promise<ConsumeBenchTopic> {
  const kafka = new kafkajs.Kafka({ brokers: opts.brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: opts.topic, numPartitions: opts.partitions }], waitForLeaders: true });
  await admin.disconnect();
  if (opts.v2) await produceKeys(opts.brokers, opts.v2.keysTopic, []);
  const people = opts.v2 ? createSubjects(opts.v2.subjects) : undefined;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let sealMs = 0;
  let produceMs = 0;
  try {
    for (let at = 0; at < opts.records; at += CHUNK) {
      const t0 = performance.now();
      const count = Math.min(CHUNK, opts.records - at);
      const { envelopes, keyRecords } = people
        ? await sealSubjectEnvelopes({ policy: opts.policy, people, count, offset: at, localDir: opts.localDir, endpoint: opts.kmsEndpoint, idPrefix: `b${at}` })
        : { envelopes: await sealEnvelopes({ policy: opts.policy, count, localDir: opts.localDir, endpoint: opts.kmsEndpoint, idPrefix: `b${at}` }), keyRecords: [] };
      const t1 = performance.now();
      // The key records before the records sealed under them, as the service writes them.
      for (let k = 0; k < keyRecords.length; k += 1000) await produceKeys(opts.brokers, opts.v2!.keysTopic, keyRecords.slice(k, k + 1000), false);
      const messages = envelopes.map((e, i) => ({ key: e.recipient ?? null, value: JSON.stringify(e), partition: (at + i) % opts.partitions }));
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

/** Deletes the topics again (a million records is ~1 GB on the shared broker). */
export async function deleteTopic(brokers: string[], ...topics: string[]): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)), timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
