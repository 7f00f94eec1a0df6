import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient } from 'kafkajs';
import { SealpostError } from '../../../shared/errors/index.js';
import type { LogLike } from '../journal/types.js';
import { KAFKA_ERRORS, kafkaFailure } from './errors.js';

const { ConfigResourceTypes } = kafkajs;

/** Topic configs a topic must have, by topic name. */
export type TopicConfigs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * What a state topic (latest record per key) must be: compacted. The subject-keys topic, so a key outlives any
 * retention and only a tombstone (a forget) removes it from the brokers' disks (docs/forget.md); the suppression
 * topic, so an entry is never deleted with an old segment (docs/suppressions.md). The sink creates them so and
 * refuses them otherwise; so do their followers and the forget call.
 */
export const COMPACTED_TOPIC_CONFIG: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };

export interface EnsureTopicsOptions {
  /** kafka.createTopics: create missing topics, else a missing topic is refused (SP_KAFKA_TOPIC_MISSING). */
  createTopics: boolean;
  partitions: number;
  /** -1 = the broker's default.replication.factor. */
  replicationFactor: number;
  /** Configs a topic must have: set when it is created; an existing topic without them is refused (SP_KAFKA_TOPIC_CONFIG). */
  topicConfigs?: TopicConfigs;
  log: LogLike;
}

/** Refuses existing topics whose configs differ from what `configs` requires (retriable: records wait until it is changed). */
async function checkTopicConfigs(admin: Admin, topics: readonly string[], configs: TopicConfigs, tail: string): Promise<void> {
  if (topics.length === 0) return;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: Object.keys(configs[name]!) })),
  });
  for (const r of described.resources) {
    for (const [name, value] of Object.entries(configs[r.resourceName]!)) {
      const have = r.configEntries.find((e) => e.configName === name)?.configValue;
      if (have !== value) {
        throw new SealpostError(
          KAFKA_ERRORS.topicConfig,
          `Kafka topic ${r.resourceName} has ${name}=${have ?? '(unset)'} but needs ${name}=${value}; change it ` +
            `(kafka-configs.sh --alter --entity-type topics --entity-name ${r.resourceName} --add-config ${name}=${value}); ${tail}`,
          { retriable: true, status: 503, details: { topic: r.resourceName, config: name, have: have ?? null, want: value } },
        );
      }
    }
  }
}

/**
 * Makes sure `topics` exist with the configs they need, before anything is produced to or read from them:
 * the one check the forwarder's sink and the keys-topic follower share, so both refuse the same topic for
 * the same reason (a topic the broker auto-created would have its defaults, e.g. `cleanup.policy=delete`).
 * Missing topics are created with their configs when kafka.createTopics is on; another instance creating
 * one at the same moment is success. Every failure is a retriable SealpostError; `tail` ends the config
 * refusal's message with what waits meanwhile.
 */
export async function ensureTopics(kafka: KafkaClient, topics: readonly string[], opts: EnsureTopicsOptions, tail = 'records wait in the journal'): Promise<void> {
  const wanted = [...new Set(topics)];
  if (wanted.length === 0) return;
  const configs = opts.topicConfigs ?? {};
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length && !opts.createTopics) {
      throw new SealpostError(KAFKA_ERRORS.topicMissing, `Kafka topic(s) ${missing.join(', ')} do not exist and kafka.createTopics is off; create them or turn it on`, {
        retriable: true,
        status: 503,
        details: { topics: missing },
      });
    }
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: opts.partitions,
          replicationFactor: opts.replicationFactor,
          configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      opts.log.info({ topics: missing, partitions: opts.partitions }, 'created Kafka topics');
    }
    await checkTopicConfigs(admin, wanted.filter((t) => existing.has(t) && configs[t]), configs, tail);
  } catch (err) {
    if (err instanceof SealpostError) throw err;
    // Another instance (or this one's other client) created it between list and create: that is success.
    if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return;
    throw kafkaFailure(KAFKA_ERRORS.topicsFailed, 'cannot ensure Kafka topics', err);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** ensureTopics for one state topic that must be compacted (COMPACTED_TOPIC_CONFIG): the keys topic, the suppression topic. */
export function ensureCompactedTopic(kafka: KafkaClient, topic: string, opts: Omit<EnsureTopicsOptions, 'topicConfigs'>, tail: string): Promise<void> {
  return ensureTopics(kafka, [topic], { ...opts, topicConfigs: { [topic]: COMPACTED_TOPIC_CONFIG } }, tail);
}
