import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics. Labels are source ids and stable reason codes only — never a
 * value from an event, so no personal data can reach a metric.
 */
export interface ServiceMetrics {
  registry: Registry;
  eventsAccepted: Counter<'source'>;
  requestsAccepted: Counter<'source'>;
  eventsForwarded: Counter<'source'>;
  duplicatesDropped: Counter<'source'>;
  deadLetters: Counter<'source' | 'reason'>;
  requestsRejected: Counter<'source' | 'reason'>;
  ackSeconds: Histogram<'source'>;
  journalPending: Gauge<'source'>;
  journalOldestPendingSeconds: Gauge<string>;
  /** 0 while the journal cannot be written (what /readyz says), so an alert fires even when no sender is retrying. */
  journalWritable: Gauge<string>;
  /** Exported only when a kafka section is configured: a journal-only instance has no Kafka to be down. */
  kafkaUp: Gauge<string>;
  forwardFailures: Counter<'reason'>;
  keyMaterialCalls: Counter<string>;
  kmsCalls: Counter<string>;
  kmsFailedCalls: Counter<string>;
  /** Subject keys made (crypto-shredding): one key record each, never a KMS call each. */
  subjectKeysCreated: Counter<string>;
  /** Events of forgotten subjects: `shredded` (sealed under a key never kept) or `dropped` (rule forgotten: drop). */
  forgottenEvents: Counter<'outcome'>;
  /** POST /v1/suppressions/check answers, by outcome (`ok` or a refusal reason such as `too_many_addresses`). */
  suppressionChecks: Counter<'outcome'>;
  /** Addresses answered by the check (a request holds up to 10,000). */
  suppressionCheckAddresses: Counter<string>;
  suppressionCheckSeconds: Histogram<string>;
  /** Forget calls (admin API) that wrote their marker: docs/forget.md. */
  subjectsForgotten: Counter<string>;
  /** Subject keys this instance tombstoned: `by` forget (the admin call) or follower (met on the keys topic after a forget). */
  subjectKeysTombstoned: Counter<'by'>;
  /** Forget markers this instance's follower applied (each one told the expand side). */
  forgetMarkersApplied: Counter<string>;
}

/**
 * Creates a fresh registry with every Sealpost metric (one per service instance, so tests don't share state).
 * `kafka: false` (a journal-only instance) leaves sealpost_kafka_up out, so SealpostKafkaDown cannot fire there.
 */
export function createMetrics(opts: { defaultMetrics?: boolean; kafka?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'sealpost_' });
  const registers = [registry];
  return {
    registry,
    eventsAccepted: new Counter({ name: 'sealpost_events_accepted_total', help: 'Events journaled and answered 2xx.', labelNames: ['source'], registers }),
    requestsAccepted: new Counter({ name: 'sealpost_requests_accepted_total', help: 'Requests journaled and answered 2xx.', labelNames: ['source'], registers }),
    eventsForwarded: new Counter({ name: 'sealpost_events_forwarded_total', help: 'Events sealed and acknowledged by Kafka.', labelNames: ['source'], registers }),
    duplicatesDropped: new Counter({ name: 'sealpost_duplicates_dropped_total', help: 'Provider retries of an event id already forwarded inside the dedupe window.', labelNames: ['source'], registers }),
    deadLetters: new Counter({ name: 'sealpost_dead_letters_total', help: 'Entries kept as dead letters (unparseable, too large...).', labelNames: ['source', 'reason'], registers }),
    requestsRejected: new Counter({ name: 'sealpost_requests_rejected_total', help: 'Requests refused (authentication, size, journal unavailable).', labelNames: ['source', 'reason'], registers }),
    ackSeconds: new Histogram({
      name: 'sealpost_ack_seconds',
      help: 'Time from request received to 2xx (journal durable).',
      labelNames: ['source'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    journalPending: new Gauge({ name: 'sealpost_journal_pending', help: 'Journal entries (requests) not yet in Kafka.', labelNames: ['source'], registers }),
    journalOldestPendingSeconds: new Gauge({ name: 'sealpost_journal_oldest_pending_seconds', help: 'Age of the oldest pending journal entry.', registers }),
    journalWritable: new Gauge({ name: 'sealpost_journal_writable', help: '1 while the journal accepts writes, 0 while /readyz answers 503 (disk full, read-only, I/O errors).', registers }),
    kafkaUp: new Gauge({ name: 'sealpost_kafka_up', help: '1 when the last produce succeeded, 0 while Kafka is away.', registers: opts.kafka === false ? [] : registers }),
    forwardFailures: new Counter({ name: 'sealpost_forward_failures_total', help: 'Forwarding attempts that failed and will be retried.', labelNames: ['reason'], registers }),
    keyMaterialCalls: new Counter({ name: 'sealpost_key_material_calls_total', help: 'Requests for new data keys from the department keyrings.', registers }),
    kmsCalls: new Counter({ name: 'sealpost_kms_calls_total', help: 'Calls to AWS KMS (GenerateDataKey, Encrypt, Decrypt), including failed ones.', registers }),
    kmsFailedCalls: new Counter({ name: 'sealpost_kms_failed_calls_total', help: 'KMS calls that failed (unreachable, throttled, denied): sealing waits and retries.', registers }),
    subjectKeysCreated: new Counter({ name: 'sealpost_subject_keys_created_total', help: 'Subject keys made (each sent to the keys topic, sealed under its department key).', registers }),
    forgottenEvents: new Counter({
      name: 'sealpost_forgotten_events_total',
      help: 'Events about forgotten subjects: shredded (received up to the forget, sealed under a key never kept) or dropped (policy forgotten: drop).',
      labelNames: ['outcome'],
      registers,
    }),
    suppressionChecks: new Counter({ name: 'sealpost_suppression_checks_total', help: 'Suppression checks answered, by outcome (ok, or why refused).', labelNames: ['outcome'], registers }),
    suppressionCheckAddresses: new Counter({ name: 'sealpost_suppression_check_addresses_total', help: 'Addresses answered by suppression checks.', registers }),
    suppressionCheckSeconds: new Histogram({
      name: 'sealpost_suppression_check_seconds',
      help: 'Time to answer a suppression check (after authentication).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    subjectsForgotten: new Counter({ name: 'sealpost_subjects_forgotten_total', help: 'People forgotten through the admin API on this instance (marker written, keys tombstoned).', registers }),
    subjectKeysTombstoned: new Counter({ name: 'sealpost_subject_keys_tombstoned_total', help: 'Subject keys tombstoned by this instance: by the forget call, or by the keys-topic follower.', labelNames: ['by'], registers }),
    forgetMarkersApplied: new Counter({ name: 'sealpost_forget_markers_applied_total', help: 'Forget markers read from the keys topic and applied here (cached keys dropped, expand told).', registers }),
  };
}
