import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { SUBJECT_KEYS_ERRORS } from './errors.js';

const { ConfigResourceTypes } = kafkajs;

export interface KeysTopicOptions {
  topic: string;
  /** kafka.createTopics: create it when missing (compacted), else a missing topic is an error naming it. */
  createTopics: boolean;
  partitions: number;
  replicationFactor: number;
  log: LogLike;
}

/**
 * Makes sure the keys topic exists and is compacted before anything is produced to it: a topic the
 * broker auto-created on the first produce would use `delete`, so tombstones would never remove a
 * shredded key from disk, and retention would delete live keys (their sections unreadable for good).
 * Creates it with cleanup.policy=compact when allowed; an existing topic that is not compacted is
 * reported loudly (changing a topic's policy is the cluster owner's call) but still used.
 */
export async function ensureKeysTopic(kafka: Kafka, opts: KeysTopicOptions): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const exists = (await admin.listTopics()).includes(opts.topic);
    if (!exists) {
      if (!opts.createTopics) {
        throw new SealpostError(SUBJECT_KEYS_ERRORS.topic, `the keys topic ${opts.topic} does not exist and kafka.createTopics is off; create it with cleanup.policy=compact`, { retriable: true, status: 503 });
      }
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: opts.topic, numPartitions: opts.partitions, replicationFactor: opts.replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        });
        opts.log.info({ topic: opts.topic, partitions: opts.partitions }, 'created the compacted subject-keys topic');
      } catch (err) {
        if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
      }
      return;
    }
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: opts.topic, configNames: ['cleanup.policy'] }] });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '';
    if (!policy.split(',').includes('compact')) {
      opts.log.error(
        { code: SUBJECT_KEYS_ERRORS.topic, topic: opts.topic, cleanupPolicy: policy },
        'the subject-keys topic is not compacted: forgotten keys stay on the brokers\' disks and retention may delete live keys; set cleanup.policy=compact on it (docs/forget.md)',
      );
    }
  } catch (err) {
    if (err instanceof SealpostError) throw err;
    throw new SealpostError(SUBJECT_KEYS_ERRORS.topic, `cannot check the keys topic ${opts.topic}: ${(err as Error).message}`, { cause: err, retriable: true, status: 503 });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
