import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { startActivityOrNone, type Activity } from './activity/activity-service.js';
import { startAdmin, type AdminHandle } from './admin/index.js';
import type { Config } from './config/index.js';
import { sourceTable } from './config/source-table.js';
import { createIndexKeySource } from './blind-index/index-key.js';
import { createForwarder } from './forwarder/index.js';
import { startupWarnings } from './config/startup-warnings.js';
import { createHttpServer } from './http/server.js';
import { createRefusalLog } from './log/refusal-log.js';
import type { RouteSource } from './http/ingest-routes.js';
import { openJournal } from './journal/index.js';
import { nativeSealStatus } from '../../shared/seal/index.js';
import { startWorkerSink } from './kafka/index.js';
import { COMPACTED_TOPIC_CONFIG } from './kafka/ensure-topics.js';
import { createLogger, type Logger } from './log/logger.js';
import { createMetrics, type ServiceMetrics } from './metrics/metrics.js';
import { startWorkerExpander, type WorkerExpander } from './expand/index.js';
import type { ForgetSink } from './expand/contract.js';
import { startSubjectKeys, type SubjectKeysService } from './subject-keys/index.js';
import { processInstanceId } from './expand/subject-keys/instance.js';
import { forwardableBacklog, indexedSources, startEventIndex, type EventIndexHandle } from './event-index/index.js';
import { countEvents } from './parse/index.js';
import { reloadableChanges } from './config/reload.js';
import { confirmSubscription, createVerifier, writePendingSubscription } from './verify/index.js';
import { checkRouteDeps, startSuppressions, type Suppressions } from './suppressions/start-suppressions.js';

export interface RunningService {
  /** Base URL of the ingest listener. */
  url: string;
  /** This process's random instance id, written into the subject key records it makes (docs/forget.md). */
  instance: string;
  log: Logger;
  metrics: ServiceMetrics;
  /**
   * Applies a new configuration without stopping: only the policy (departments, keys, rules) and the
   * kms section may change; anything else is refused with the keys that need a restart. Entries not
   * yet forwarded are sealed under the new policy; records already in Kafka keep theirs.
   */
  reload(next: Config): Promise<string[]>;
  /** The admin API (config.admin): its URL, and the local admin token to print on first start. */
  admin?: AdminHandle;
  /** The suppression list (with Kafka and suppressions.enabled). */
  suppressions?: Suppressions;
  /** Stops accepting, lets in-flight requests finish, finishes the forwarder's batch, closes the journal. */
  stop(): Promise<void>;
}

/**
 * Sealing threads: the configured number, else one per core beyond the first (at most 4). The main
 * thread needs a core of its own to verify, journal and acknowledge: on 2 cores a second sealing
 * thread halved acceptance (bench:ingest --seal-workers 1 vs 2: 14.1k vs 6.1k events/s).
 */
function sealWorkers(config: Config): number {
  return config.forwarder.sealWorkers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
}

export interface StartOptions {
  /** Where logs go (tests pass a sink; default stdout). */
  logDestination?: Parameters<typeof createLogger>[1];
  now?: () => number;
}

/**
 * Assembles the service from its parts, in dependency order, and starts listening. Each part is a
 * factory taking its dependencies, so tests build the same service around real parts.
 */
export async function startService(config: Config, opts: StartOptions = {}): Promise<RunningService> {
  const now = opts.now ?? Date.now;
  const log = createLogger(config.log.level, opts.logDestination);
  const metrics = createMetrics({ kafka: Boolean(config.kafka) });
  const dataDir = resolve(config.dataDir);
  const sources = sourceTable(config); // checked here (the audit source), before the expand worker needs it

  // What started so far, closed in reverse order if a later step fails (port taken, bad key file...).
  const started: (() => Promise<void>)[] = [];
  const undo = async (): Promise<void> => {
    for (const close of started.reverse()) await close().catch(() => {});
  };
  try {
    return await assemble();
  } catch (err) {
    await undo();
    throw err;
  }

  async function assemble(): Promise<RunningService> {
    const journal = openJournal({
      dir: dataDir,
      groupCommitMs: config.journal.groupCommitMs,
      dedupeWindowSeconds: config.journal.dedupeWindowSeconds,
      retainForwardedSeconds: config.journal.retainForwardedSeconds,
      log,
    });
    started.push(() => journal.close());
    await journal.ready();

    const routeSources = new Map<string, RouteSource>();
    for (const s of config.sources) routeSources.set(s.id, { config: s, verifier: createVerifier(s, { now, log }) });

    let sink: Awaited<ReturnType<typeof startWorkerSink>> | undefined;
    let forwarder: ReturnType<typeof createForwarder> | undefined;
    let expander: WorkerExpander | undefined;
    let suppressions: Suppressions | undefined;
    let current = config;
    // Email activity counts (docs/activity.md): their own worker and database, fed by the forwarder.
    const activity: Activity | undefined = config.activity.enabled ? await startActivityOrNone(config, log) : undefined;
    if (activity) started.push(() => activity.close());
    // This process's id in the key records its expand workers make, so its follower knows its own keys (docs/forget.md).
    const instance = processInstanceId();
    // Before the expand workers: they read forgotten subjects from the store this opens (docs/forget.md).
    // Forget markers read from the keys topic reach whichever expand workers run now (a reload swaps them).
    const forgetSink: ForgetSink = { forgotten: (notices) => expander?.forgotten(notices), shredded: (keys) => expander?.shredded(keys) };
    // The main thread's one blind-index key source: the forget, the suppression check and the events query by subject.
    const indexKey = createIndexKeySource(config);
    started.push(async () => indexKey.close());
    const subjectKeys: SubjectKeysService | undefined = startSubjectKeys({ config, self: instance, sink: forgetSink, indexKey, log, metrics, now });
    if (subjectKeys) started.push(() => subjectKeys.close());
    if (config.kafka) {
      expander = await startWorkerExpander(config, sources, { workers: sealWorkers(config), instance });
      started.push(() => expander!.close());
      // The producer in its own thread: kafkajs is about half of what the acknowledging thread did (bench:ingest profile).
      sink = await startWorkerSink(
        config.kafka,
        {
          createTopics: config.kafka.createTopics,
          partitions: config.kafka.partitions,
          replicationFactor: config.kafka.replicationFactor,
          topics: [...sources.map((s) => s.topic), ...(config.subjectKeys.enabled ? [config.subjectKeys.topic] : [])],
          // State topics must outlive any retention: compacted, so only a tombstone (a forget) removes a subject key
          // and no suppression is deleted with an old segment. The suppression writer produces through this sink.
          topicConfigs: { [config.subjectKeys.topic]: COMPACTED_TOPIC_CONFIG, ...(config.suppressions.enabled ? { [config.suppressions.topic]: COMPACTED_TOPIC_CONFIG } : {}) },
        },
        log,
      );
      started.push(() => sink!.close());
      if (config.suppressions.enabled) {
        suppressions = startSuppressions({ config, sink, indexKey, log, now });
        started.push(() => suppressions!.close());
      }
      const supp = suppressions;
      forwarder = createForwarder({
        journal,
        sink,
        // Through `expander` (not its method) so that a reload swaps the worker under a running forwarder.
        // Suppression records are merged with the local view before they are produced (suppressions/suppression-writer.ts).
        expand: supp ? (entry) => expander!.expand(entry).then((r) => supp.writer.complete(r)) : (entry) => expander!.expand(entry),
        keyRecordsProduced: (records) => expander!.keyRecordsProduced(records),
        log,
        metrics,
        ...(activity ? { activity } : {}),
        batchEvents: config.forwarder.batchEvents,
        retryInitialMs: config.forwarder.retryInitialMs,
        retryMaxMs: config.forwarder.retryMaxMs,
        maxRecordBytes: config.forwarder.maxRecordBytes,
      });
      forwarder.start();
      started.push(async () => {
        await forwarder!.stop();
        await sink!.disconnect();
      });
    }
    const NOTHING_SEEN = { calls: 0, failed: 0, keyring: 0, subjectKeys: 0 };
    let kmsSeen = NOTHING_SEEN;
    /** The worker keeps its own counters; add what grew since the last look to the service's metrics. */
    const refreshWorkerCounters = (): void => {
      if (!expander) return;
      const w = expander.stats();
      if (w.kmsCalls > kmsSeen.calls) metrics.kmsCalls.inc(w.kmsCalls - kmsSeen.calls);
      if (w.kmsFailedCalls > kmsSeen.failed) metrics.kmsFailedCalls.inc(w.kmsFailedCalls - kmsSeen.failed);
      if (w.keyringCalls > kmsSeen.keyring) metrics.keyMaterialCalls.inc(w.keyringCalls - kmsSeen.keyring);
      if (w.subjectKeysCreated > kmsSeen.subjectKeys) metrics.subjectKeysCreated.inc(w.subjectKeysCreated - kmsSeen.subjectKeys);
      kmsSeen = { calls: w.kmsCalls, failed: w.kmsFailedCalls, keyring: w.keyringCalls, subjectKeys: w.subjectKeysCreated };
    };
    // The main thread's own KMS calls (unwrapping the blind-index key for the check, the forget, the events query).
    let mainKmsSeen = { total: 0, failed: 0 };
    const refreshMainKms = (): void => {
      const c = indexKey.kmsCalls() ?? mainKmsSeen;
      if (c.total > mainKmsSeen.total) metrics.kmsCalls.inc(c.total - mainKmsSeen.total);
      if (c.failed > mainKmsSeen.failed) metrics.kmsFailedCalls.inc(c.failed - mainKmsSeen.failed);
      mainKmsSeen = { ...c };
    };
    const refreshGauges = (): void => {
      const stats = journal.stats();
      metrics.journalPending.reset();
      for (const [source, n] of Object.entries(stats.pendingBySource)) metrics.journalPending.set({ source }, n);
      metrics.journalOldestPendingSeconds.set(stats.oldestPendingAt ? (now() - stats.oldestPendingAt) / 1000 : 0);
      metrics.kafkaUp.set(sink?.healthy() ? 1 : 0);
      metrics.journalWritable.set(journal.unavailableReason() ? 0 : 1);
      refreshWorkerCounters();
      refreshMainKms();
    };
    const metricsPage = {
      contentType: metrics.registry.contentType,
      render: async () => {
        refreshGauges();
        return metrics.registry.metrics();
      },
    };
    // The events query's index: its own thread tailing the events topics, never on the acknowledging path.
    let eventIndex: EventIndexHandle | undefined;
    if (config.kafka && config.admin && config.eventIndex.enabled) {
      eventIndex = await startEventIndex({
        kafka: config.kafka,
        dataDir,
        sources: indexedSources(config.eventIndex, sources),
        retentionDays: config.eventIndex.retentionDays,
        log,
        backlog: () => forwardableBacklog(journal),
      });
      started.push(() => eventIndex!.close());
    }
    const refusals = createRefusalLog({ log, now });
    for (const w of startupWarnings(config)) log.warn(w.fields, w.message);
    const admin = config.admin
      ? await startAdmin({
          config,
          sources,
          journal,
          forwarder,
          sink,
          metrics,
          log,
          refusals,
          metricsPage,
          now,
          indexKey,
          ...(activity ? { activity } : {}),
          ...(suppressions ? { suppressions } : {}),
          ...(subjectKeys ? { subjects: subjectKeys.forgetter } : {}),
          ...(eventIndex ? { eventIndex } : {}),
        })
      : undefined;
    if (admin) started.push(() => admin.close());

    const app = createHttpServer({
      config,
      metrics,
      log,
      refusals,
      metricsPage,
      sources: routeSources,
      append: (entry) => journal.append(entry),
      countEvents,
      confirmSubscription: (url) => confirmSubscription(url, { log }),
      keepPendingSubscription: (sourceId, url) => writePendingSubscription(dataDir, sourceId, url),
      now,
      notReadyReason: () => journal.unavailableReason(),
      suppressionCheck: checkRouteDeps({ config, suppressions, metrics, refusals, log, now, ...(admin ? { adminPermissions: admin.permissions } : {}) }),
    });
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const addr = app.server.address() as AddressInfo;
    const scheme = config.listen.tls ? 'https' : 'http';
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `${scheme}://${host}:${addr.port}`;
    log.info({ listening: url, instance, sources: config.sources.map((s) => s.id), kafka: config.kafka ? config.kafka.brokers : 'none (journal only)', sealing: nativeSealStatus() }, 'sealpost-ingest listening');

    return {
      url,
      instance,
      log,
      metrics,
      async reload(next) {
        const changed = reloadableChanges(current, next);
        if (!expander) {
          current = next;
          return changed;
        }
        const fresh = await startWorkerExpander(next, sourceTable(next), { workers: sealWorkers(next), instance });
        const old = expander;
        refreshWorkerCounters();
        expander = fresh;
        kmsSeen = NOTHING_SEEN;
        current = next;
        await old.idle();
        await old.close();
        log.info({ changed, policyVersion: next.policy.version }, 'configuration reloaded: new entries are sealed under the new policy and keys');
        return changed;
      },
      ...(admin ? { admin } : {}),
      ...(suppressions ? { suppressions } : {}),
      async stop() {
        await admin?.close();
        await eventIndex?.close();
        await app.close();
        await subjectKeys?.close();
        await forwarder?.stop();
        await suppressions?.close();
        await sink?.disconnect();
        await sink?.close();
        await activity?.close();
        await journal.close();
        await expander?.close();
      },
    };
  }
}
