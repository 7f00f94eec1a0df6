/** Stable codes of the service's side of subject keys (follower, forget). */
export const SUBJECT_KEYS_ERRORS = {
  /** The keys-topic store (`<dataDir>/subject-keys.db`) cannot be opened; the message names the file. */
  storeOpen: 'SP_SUBJECT_KEYS_STORE_OPEN',
  /** The keys topic could not be read up to its end in time (Kafka away?): retry. */
  notCaughtUp: 'SP_SUBJECT_KEYS_NOT_CAUGHT_UP',
  /** Tombstones or the forget marker could not be produced (acks=all): nothing is half-forgotten; retry. */
  produceFailed: 'SP_SUBJECT_KEYS_PRODUCE_FAILED',
} as const;
