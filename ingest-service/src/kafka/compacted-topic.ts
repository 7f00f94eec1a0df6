import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { KAFKA_ERRORS, kafkaFailure } from './errors.js';

const { ConfigResourceTypes } = kafkajs;

/**
 * Makes sure a state topic (latest record per key: suppressions, subject keys) exists with
 * cleanup.policy=compact. Creates it when missing and `create` is on; when it exists with another
 * policy, says so in the log (older records would be deleted by time, and with them state), but goes on.
 */
export async function ensureCompactedTopic(kafka: Kafka, topic: string, opts: { create: boolean; partitions: number; replicationFactor: number; log: LogLike }): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    if (!existing.has(topic)) {
      if (!opts.create) {
        throw new SealpostError(KAFKA_ERRORS.topicMissing, `Kafka topic ${topic} does not exist and kafka.createTopics is off; create it with cleanup.policy=compact`, { retriable: true, status: 503, details: { topics: [topic] } });
      }
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: opts.partitions, replicationFactor: opts.replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        });
        opts.log.info({ topic, partitions: opts.partitions }, 'created compacted Kafka topic');
      } catch (err) {
        if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
      }
      return;
    }
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== undefined && !policy.split(',').includes('compact')) {
      opts.log.warn({ topic, cleanupPolicy: policy }, 'this state topic is not compacted: set cleanup.policy=compact, or old state is deleted with old segments');
    }
  } catch (err) {
    if (err instanceof SealpostError) throw err;
    throw kafkaFailure(KAFKA_ERRORS.topicsFailed, `cannot ensure the compacted topic ${topic}`, err);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
