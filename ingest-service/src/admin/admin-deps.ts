import type { Activity } from '../activity/activity-service.js';
import type { IndexKeySource } from '../blind-index/index-key.js';
import type { Config } from '../config/index.js';
import type { AuditIndex, AuditTrail } from '../audit/index.js';
import type { Forwarder } from '../forwarder/index.js';
import type { Journal } from '../journal/index.js';
import type { RecordSink } from '../kafka/index.js';
import type { Logger } from '../log/logger.js';
import type { RefusalLog } from '../log/refusal-log.js';
import type { MetricsPage } from '../metrics/metrics-route.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { ReplayManager } from '../replay/index.js';
import type { AdminConfig } from './admin-config.js';
import type { RateSampler } from './rate-sampler.js';
import type { SignIn } from './sign-in/sign-in.js';
import type { KnownSource } from '../config/source-table.js';
import type { Suppressions } from '../suppressions/start-suppressions.js';
import type { SubjectForgetter } from '../subject-keys/index.js';
import type { EventIndexHandle, SubjectIndexer } from '../event-index/index.js';

/** What the service hands the admin API: its running parts, never copies of their state. */
export interface AdminServiceParts {
  config: Config;
  /** The service's source table (config/source-table.ts), worked out once at start. */
  sources: readonly KnownSource[];
  journal: Journal;
  /** Absent when no Kafka is configured (journal only). */
  forwarder?: Forwarder;
  sink?: RecordSink;
  metrics: ServiceMetrics;
  log: Logger;
  refusals: RefusalLog;
  /** /metrics, served on the admin listener when metrics.listener is `admin`. */
  metricsPage: MetricsPage;
  /** Forgetting people (subject keys on and Kafka configured); absent otherwise. */
  subjects?: SubjectForgetter;
  /** The events query's index (event-index/), when Kafka is configured and eventIndex.enabled. */
  eventIndex?: EventIndexHandle;
  now?: () => number;
  /** Email activity counts; absent when activity.enabled is false. */
  activity?: Activity;
  /** The suppression list (with Kafka and suppressions.enabled). */
  suppressions?: Suppressions;
  /** The main thread's one blind-index key source (the events query by subject hashes with it). */
  indexKey: Pick<IndexKeySource, 'indexer'>;
}

/** A source as the admin API lists it: the service's source table. */
export type { KnownSource } from '../config/source-table.js';

/** Everything the handlers use, built once by startAdmin. */
export interface AdminDeps extends Required<Pick<AdminServiceParts, 'config' | 'journal' | 'metrics' | 'log' | 'now'>> {
  admin: AdminConfig;
  forwarder: Forwarder | undefined;
  sink: RecordSink | undefined;
  sources: KnownSource[];
  audit: AuditTrail;
  auditIndex: AuditIndex;
  sampler: RateSampler;
  signIn: SignIn;
  replays: ReplayManager | undefined;
  activity: Activity | undefined;
  subjects: SubjectForgetter | undefined;
  eventIndex: EventIndexHandle | undefined;
  /** Blind index of a subject value, for the events query. */
  subjectIndex: SubjectIndexer;
  startedAt: number;
}
