/** Stable codes of topic replay. */
export const REPLAY_ERRORS = {
  /** The source topic does not exist. */
  topicMissing: 'SP_REPLAY_TOPIC_MISSING',
  /** A range names a partition the source topic does not have. */
  noSuchPartition: 'SP_REPLAY_NO_SUCH_PARTITION',
  /** The target topic does not exist and kafka.createTopics is off. */
  targetMissing: 'SP_REPLAY_TARGET_MISSING',
  /** Too many replays are running; wait for one to finish or cancel one. */
  tooMany: 'SP_REPLAY_TOO_MANY',
  /** No replay job with that id (finished jobs are kept in memory only, up to admin.replay.keepFinished). */
  notFound: 'SP_REPLAY_NOT_FOUND',
  /** Reading or producing failed; the job stopped where its progress says. */
  failed: 'SP_REPLAY_FAILED',
  /** Two ranges cover the same partition. */
  overlap: 'SP_REPLAY_OVERLAP',
} as const;

/** The header every replayed record carries: `<topic>/<partition>/<offset>` it was copied from. */
export const REPLAYED_FROM_HEADER = 'sealpost-replayed-from';
