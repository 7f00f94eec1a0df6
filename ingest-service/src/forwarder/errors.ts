/** Stable codes of the forwarder. */
export const FORWARDER_ERRORS = {
  /** drainNow() gave up waiting: the backlog is still there (Kafka or KMS away); nothing is lost. */
  drainTimeout: 'SP_FORWARDER_DRAIN_TIMEOUT',
} as const;

/** Dead-letter reasons the forwarder itself assigns. */
export const FORWARDER_DEAD_LETTER_REASONS = {
  recordTooLarge: 'record_too_large',
  expandFailed: 'expand_failed',
  journalUnreadable: 'journal_unreadable',
} as const;
