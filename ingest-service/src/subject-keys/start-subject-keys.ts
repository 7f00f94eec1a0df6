import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import type { ForgetSink } from '../expand/contract.js';
import type { IndexKeySource } from '../blind-index/index-key.js';
import { createKafka } from '../kafka/index.js';
import { ensureCompactedTopic } from '../kafka/ensure-topics.js';
import type { Logger } from '../log/logger.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { createSubjectForgetter, type SubjectForgetter } from './forget.js';
import { createKeysFollower, type KeysFollower } from './follower.js';
import { createKeysProducer } from './keys-producer.js';
import { openKeysStore } from './keys-store.js';

/** The service side of forgetting, as service.ts holds it. */
export interface SubjectKeysService {
  forgetter: SubjectForgetter;
  follower: KeysFollower;
  close(): Promise<void>;
}

export interface SubjectKeysDeps {
  config: Config;
  /** This process's instance id (the one its expand workers write into the key records they make). */
  self: string;
  /** The local expand side. */
  sink: ForgetSink;
  /** The main thread's one blind-index key source (the forget hashes the address with it). */
  indexKey: Pick<IndexKeySource, 'indexer'>;
  log: Logger;
  metrics: ServiceMetrics;
  now: () => number;
}

/**
 * Opens the keys store, starts the follower in the background and builds the forget call, when subject
 * keys are on and Kafka is configured (otherwise there is nothing to follow or forget: undefined).
 * Starting never waits for Kafka: the follower retries on its own, a forget meanwhile answers 503.
 */
export function startSubjectKeys(deps: SubjectKeysDeps): SubjectKeysService | undefined {
  const { config, log, metrics } = deps;
  if (!config.kafka || !config.subjectKeys.enabled) return undefined;
  const kafka = createKafka(config.kafka, log);
  const topic = config.subjectKeys.topic;
  const store = openKeysStore({ dataDir: resolve(config.dataDir), topic, self: deps.self, now: deps.now });
  const producer = createKeysProducer(kafka, topic);
  const settings = config.kafka;
  // The sink's own check (one copy): a keys topic that is not compacted is refused, retriable, until it is changed.
  const ensureTopic = (): Promise<void> =>
    ensureCompactedTopic(
      kafka,
      topic,
      { createTopics: settings.createTopics, partitions: settings.partitions, replicationFactor: settings.replicationFactor, log },
      'forgets are refused and the keys topic is not followed meanwhile',
    );
  const follower = createKeysFollower({
    kafka,
    topic,
    self: deps.self,
    store,
    producer,
    sink: deps.sink,
    log,
    ensureTopic,
    counted: { tombstones: (n) => metrics.subjectKeysTombstoned.inc({ by: 'follower' }, n), notices: (n) => metrics.forgetMarkersApplied.inc(n) },
  });
  const forgetter = createSubjectForgetter({
    indexer: () => deps.indexKey.indexer(),
    ensureTopic,
    follower,
    store,
    producer,
    sink: deps.sink,
    now: deps.now,
    counted: { forgotten: () => metrics.subjectsForgotten.inc(), tombstones: (n) => metrics.subjectKeysTombstoned.inc({ by: 'forget' }, n) },
  });
  follower.start();
  return {
    forgetter,
    follower,
    async close() {
      await follower.stop();
      await producer.close();
      store.close();
    },
  };
}
