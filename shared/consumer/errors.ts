/**
 * Stable codes for what stops a department consumer as a whole. A record it cannot open is NOT an
 * error (it is reported as a LockedEvent and the consumer goes on); these are the failures that mean
 * nothing can be read at all, or that the application asked to stop.
 */
export const CONSUMER_ERRORS = {
  /** Options are missing or contradict each other (both a group and from-beginning, no keys...). */
  badOptions: 'SP_CONSUMER_BAD_OPTIONS',
  /** The brokers could not be reached, or refused us (SASL, ACL). */
  kafkaUnavailable: 'SP_CONSUMER_KAFKA_UNAVAILABLE',
  /** The topic does not exist. */
  noTopic: 'SP_CONSUMER_NO_TOPIC',
  /** The AWS profile cannot authenticate at all (no credentials, SSO expired, keys rejected). */
  cannotAuthenticate: 'SP_CONSUMER_CANNOT_AUTHENTICATE',
  /** The application's handler threw: its offset was not committed, the consumer stopped. */
  handlerFailed: 'SP_CONSUMER_HANDLER_FAILED',
} as const;

/** One of CONSUMER_ERRORS, for callers that branch on `code`. */
export type ConsumerErrorCode = (typeof CONSUMER_ERRORS)[keyof typeof CONSUMER_ERRORS];
