/** Stable codes of the event index (the audit query over `events` sources). */
export const EVENT_INDEX_ERRORS = {
  /** The index database could not be opened; the message names the file. */
  open: 'SP_EVENT_INDEX_OPEN',
  /** eventIndex.sources names a source that is not an `events` source of this config. */
  unknownSource: 'SP_EVENT_INDEX_UNKNOWN_SOURCE',
  /** A query cursor this server did not hand out. */
  badCursor: 'SP_EVENT_INDEX_BAD_CURSOR',
  /** A query naming a source that is not indexed here. */
  notIndexed: 'SP_EVENT_INDEX_NOT_INDEXED',
  /** The index thread is not running (no Kafka configured, or eventIndex.enabled is false). */
  off: 'SP_EVENT_INDEX_OFF',
  /** The blind-index key cannot be read yet (KMS away): a subject query cannot be answered now. */
  subjectKey: 'SP_EVENT_INDEX_SUBJECT_KEY',
} as const;
