/** Stable codes of the suppression list. */
export const SUPPRESSION_ERRORS = {
  /** The view database could not be opened; the message names the file. */
  storeOpen: 'SP_SUPPRESSION_STORE_OPEN',
  /** The thread that writes the view stopped (it is started again and the records are read again). */
  viewWorker: 'SP_SUPPRESSION_VIEW_WORKER',
  /** The view has not yet read the topic to its end once (start, or Kafka away since the first start): retry. */
  notReady: 'SP_SUPPRESSION_NOT_READY',
  /** The suppression list is off (suppressions.enabled: false) or needs Kafka (no kafka section). */
  unavailable: 'SP_SUPPRESSION_UNAVAILABLE',
  /** A check body that is not {"addresses": [strings], "group"?: integer}, or too many addresses. */
  badRequest: 'SP_SUPPRESSION_BAD_REQUEST',
  /** Too many checks from this client; Retry-After says when. */
  rateLimited: 'SP_SUPPRESSION_RATE_LIMITED',
  /** Neither a valid check credential nor an admin session with suppressions:read. */
  unauthenticated: 'SP_SUPPRESSION_UNAUTHENTICATED',
  forbidden: 'SP_SUPPRESSION_FORBIDDEN',
  /** No suppression under that key (admin removal). */
  notFound: 'SP_SUPPRESSION_NOT_FOUND',
  /** The blind-index key cannot be had yet (KMS away). */
  indexKeyUnavailable: 'SP_SUPPRESSION_INDEX_KEY_UNAVAILABLE',
} as const;
