import { resolve } from 'node:path';
import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import type { IndexKeySource } from '../blind-index/index-key.js';
import type { Config } from '../config/index.js';
import { createKafka, type RecordSink } from '../kafka/index.js';
import type { Logger } from '../log/logger.js';
import type { RefusalLog } from '../log/refusal-log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { createVerifier } from '../verify/index.js';
import type { CheckRouteDeps } from './check-route.js';
import { SUPPRESSION_ERRORS } from './errors.js';
import { startSuppressionFollower, type SuppressionFollower } from './suppression-follower.js';
import { openSuppressionStore, type SuppressionStore } from './suppression-store.js';
import { createSuppressionWriter, type SuppressionWriter } from './suppression-writer.js';
import { startViewWriter } from './view-client.js';

/** The running suppression list, as the service and the admin API hold it. */
export interface Suppressions {
  store: SuppressionStore;
  writer: SuppressionWriter;
  follower: SuppressionFollower;
  topic: string;
  blindIndexer(): Promise<BlindIndexer>;
  close(): Promise<void>;
}

/**
 * The blind index on the main thread (the check hashes the addresses it is asked about), from the
 * service's one blind-index key source of that thread (service.ts, shared with the forget and the events
 * query): the local key file, or the KMS-wrapped key (loaded on first use; a KMS outage is a retriable
 * 503 of the check's own, never an answer computed with another key).
 */
async function checkIndexer(source: Pick<IndexKeySource, 'indexer'>): Promise<BlindIndexer> {
  try {
    return await source.indexer();
  } catch (cause) {
    if (isSealpostError(cause) && !cause.retriable) throw cause;
    throw new SealpostError(SUPPRESSION_ERRORS.indexKeyUnavailable, 'the blind-index key cannot be had yet (KMS away?); retry shortly', { status: 503, retriable: true, cause, details: { reason: 'index_key_unavailable' } });
  }
}

/**
 * Starts the suppression list of a service with Kafka: the local view, the follower of the topic
 * (in the background: the service starts even while Kafka is away), and the writer the forwarder's
 * results pass through.
 */
export function startSuppressions(opts: { config: Config; sink: RecordSink; indexKey: Pick<IndexKeySource, 'indexer'>; log: Logger; now: () => number }): Suppressions {
  const { config, log } = opts;
  const kafkaSettings = config.kafka!;
  const topic = config.suppressions.topic;
  const dataDir = resolve(config.dataDir);
  // This thread's connection first: it creates the view (or resets it for another topic) before its writer opens it.
  const store = openSuppressionStore({ dataDir, topic, now: opts.now });
  const viewWriter = startViewWriter({ dataDir, topic }, log);
  const writer = createSuppressionWriter({ store, sink: opts.sink, topic, log, now: opts.now });
  const follower = startSuppressionFollower({
    kafka: createKafka(kafkaSettings, log),
    topic,
    store,
    writer: viewWriter,
    log,
    topicSettings: { createTopics: kafkaSettings.createTopics, partitions: kafkaSettings.partitions, replicationFactor: kafkaSettings.replicationFactor },
    onApplied: (states) => writer.settled(states),
    onIncomplete: (keys) => void writer.repair(keys),
  });
  return {
    store,
    writer,
    follower,
    topic,
    blindIndexer: () => checkIndexer(opts.indexKey),
    async close() {
      await follower.stop();
      await viewWriter.close();
      store.close();
    },
  };
}

/** The check route's dependencies: the running list, or a stub that says why there is none. */
export function checkRouteDeps(opts: {
  config: Config;
  suppressions: Suppressions | undefined;
  metrics: ServiceMetrics;
  refusals: RefusalLog;
  log: Logger;
  now: () => number;
  adminPermissions?: CheckRouteDeps['adminPermissions'];
}): CheckRouteDeps {
  const { config, suppressions } = opts;
  const verify = config.suppressions.check.verify;
  const unavailable = suppressions
    ? null
    : new SealpostError(
        SUPPRESSION_ERRORS.unavailable,
        config.suppressions.enabled ? 'the suppression list lives in Kafka and this server has no kafka section (SEALPOST_KAFKA_BROKERS)' : 'the suppression list is off on this server (suppressions.enabled: false)',
        { status: 503, details: { reason: 'unavailable' } },
      );
  return {
    unavailable,
    ready: () => suppressions?.follower.state().ready ?? false,
    view: { summaries: (keys) => suppressions?.store.summaries(keys) ?? new Map() },
    blindIndexer: () => suppressions!.blindIndexer(),
    ...(verify ? { verifier: { verifier: createVerifier({ id: 'suppressions-check', kind: 'events', verify }, { now: opts.now, log: opts.log }), bearer: Boolean(verify.bearer) } } : {}),
    ...(opts.adminPermissions ? { adminPermissions: opts.adminPermissions } : {}),
    perMinute: config.suppressions.check.perMinute,
    metrics: opts.metrics,
    refusals: opts.refusals,
    now: opts.now,
  };
}
