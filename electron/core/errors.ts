import { SealpostError } from '../../shared/errors/index.js';

/** Stable codes of the console's Node side; the renderer styles and explains errors by these. */
export const CONSOLE_ERRORS = {
  notConnected: 'SP_CONSOLE_NOT_CONNECTED',
  brokerUnreachable: 'SP_CONSOLE_BROKER_UNREACHABLE',
  tlsFailed: 'SP_CONSOLE_TLS_FAILED',
  saslFailed: 'SP_CONSOLE_SASL_FAILED',
  ssoExpired: 'SP_CONSOLE_SSO_EXPIRED',
  noCredentials: 'SP_CONSOLE_NO_CREDENTIALS',
  noPermission: 'SP_CONSOLE_NO_PERMISSION',
  topicNotFound: 'SP_CONSOLE_TOPIC_NOT_FOUND',
  timeout: 'SP_CONSOLE_TIMEOUT',
  kafka: 'SP_CONSOLE_KAFKA_ERROR',
  noPassword: 'SP_CONSOLE_NO_PASSWORD',
  scanNotFound: 'SP_CONSOLE_SCAN_NOT_FOUND',
  scanNotResumable: 'SP_CONSOLE_SCAN_NOT_RESUMABLE',
  noBlindIndexKey: 'SP_CONSOLE_NO_BLIND_INDEX_KEY',
  /** The blind-index key is KMS-wrapped and the operator views as "local": pick an AWS profile. */
  blindIndexNeedsProfile: 'SP_CONSOLE_BLIND_INDEX_NEEDS_PROFILE',
  /** KMS refused the chosen profile's Decrypt of the wrapped blind-index key (or the key is not visible to it). */
  blindIndexDenied: 'SP_CONSOLE_BLIND_INDEX_DENIED',
  /** The key wrapping the blind-index key is disabled, or the wrapped file does not fit it. */
  blindIndexKeyUnusable: 'SP_CONSOLE_BLIND_INDEX_KEY_UNUSABLE',
  /** KMS did not answer (network, VPN, endpoint) or throttled. */
  kmsUnreachable: 'SP_CONSOLE_KMS_UNREACHABLE',
  rowNotFound: 'SP_CONSOLE_ROW_NOT_FOUND',
  /** An event to open is not among the envelopes the console keeps from recent events queries: query again. */
  eventNotFound: 'SP_CONSOLE_EVENT_NOT_FOUND',
  unknownProfile: 'SP_CONSOLE_UNKNOWN_PROFILE',
  decryptUnavailable: 'SP_CONSOLE_DECRYPT_UNAVAILABLE',
  exportCancelled: 'SP_CONSOLE_EXPORT_CANCELLED',
  settings: 'SP_CONSOLE_SETTINGS',
} as const;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The chain of errors behind `err` (kafkajs wraps in `originalError`, Node and the AWS SDK in `cause`). */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && out.length < 8) {
    const e = cur as ErrorLike;
    out.push(e);
    cur = e.originalError ?? e.cause;
  }
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Maps what kafkajs, Node's sockets, TLS and the AWS SDK throw to an error a person can act on:
 * what happened and what to try next. Pure, so it is tested with a table of real error shapes.
 * `context.brokers` is the broker list the user typed (not personal), for the message.
 */
export function describeKafkaError(err: unknown, context: { brokers?: readonly string[]; topic?: string } = {}): SealpostError {
  if (err instanceof SealpostError) return err;
  const errors = chain(err);
  const text = errors.map((e) => `${str(e.name)} ${str(e.type)} ${str(e.code)} ${str(e.message)}`).join(' | ');
  const where = context.brokers?.length ? ` (${context.brokers.join(', ')})` : '';
  const has = (re: RegExp): boolean => re.test(text);

  if (has(/SSO session .*(expired|invalid)|Token is expired|token.*has expired|sso.*(expired|refresh)|ExpiredToken/i)) {
    return new SealpostError(CONSOLE_ERRORS.ssoExpired, 'Your AWS SSO session has expired. Run `aws sso login --profile <your profile>` and connect again.', {
      cause: err,
      retriable: true,
      status: 401,
    });
  }
  if (has(/Could not load credentials|CredentialsProviderError|Profile .* (could not be found|not found)|Unable to find .*credentials/i)) {
    return new SealpostError(CONSOLE_ERRORS.noCredentials, 'The chosen AWS profile has no usable credentials. Check ~/.aws/config for that profile, or pick another one.', {
      cause: err,
      status: 401,
    });
  }
  if (has(/SASL|SASL_AUTHENTICATION_FAILED|Authentication failed|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM/i)) {
    return new SealpostError(
      CONSOLE_ERRORS.saslFailed,
      `The brokers${where} refused the login. Check the user name, password and mechanism (PLAIN, SCRAM-SHA-256/512, or MSK IAM) of this connection.`,
      { cause: err, status: 401 },
    );
  }
  if (has(/TOPIC_AUTHORIZATION_FAILED|GROUP_AUTHORIZATION_FAILED|CLUSTER_AUTHORIZATION_FAILED|not authorized|Access ?Denied/i)) {
    return new SealpostError(
      CONSOLE_ERRORS.noPermission,
      `The cluster says this identity may not do that${context.topic ? ` on topic "${context.topic}"` : ''}. Ask for read access (Describe, Read) to the topic and its consumer groups.`,
      { cause: err, status: 403 },
    );
  }
  if (has(/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition|TopicMetadataNotLoaded/i)) return topicNotFound(context.topic, err);
  if (has(/certificate|self[- ]signed|CERT_|ERR_TLS|SSL routines|wrong version number|EPROTO/i)) {
    return new SealpostError(
      CONSOLE_ERRORS.tlsFailed,
      `TLS with the brokers${where} failed. Check that TLS is on for a TLS listener (off for a plain one) and that the CA certificate is the cluster's.`,
      { cause: err, status: 502 },
    );
  }
  if (has(/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EAI_AGAIN|Connection (timeout|error)|KafkaJSConnectionError|KafkaJSBrokerNotFound|Closed connection|Failed to connect/i)) {
    return new SealpostError(
      CONSOLE_ERRORS.brokerUnreachable,
      `No broker answered${where}. Check the addresses and ports, your VPN or network, and that the cluster is up; then retry.`,
      { cause: err, retriable: true, status: 503 },
    );
  }
  if (has(/timed? ?out|KafkaJSRequestTimeoutError|ETIMEDOUT/i)) {
    return new SealpostError(CONSOLE_ERRORS.timeout, `The brokers${where} took too long to answer. Retry; if it repeats, the cluster may be overloaded.`, {
      cause: err,
      retriable: true,
      status: 504,
    });
  }
  return new SealpostError(CONSOLE_ERRORS.kafka, `Kafka reported an error: ${firstLine(errors)}. Retry; if it repeats, check the broker logs.`, {
    cause: err,
    retriable: true,
    status: 502,
  });
}

/** The innermost kafkajs/Node message, shortened; these never hold record contents. */
function firstLine(errors: ErrorLike[]): string {
  const last = errors[errors.length - 1];
  const msg = str(last?.message) || str(last?.type) || 'unknown error';
  return msg.split('\n')[0]!.slice(0, 160);
}

/** A topic the cluster does not have (never created, or deleted since it was listed). */
export function topicNotFound(topic: string | undefined, cause?: unknown): SealpostError {
  return new SealpostError(CONSOLE_ERRORS.topicNotFound, `Topic${topic ? ` "${topic}"` : ''} does not exist on this cluster (or was just deleted). Refresh the topic list.`, {
    cause,
    status: 404,
  });
}

/** True when the broker refused for a topic it does not know, however deep kafkajs wrapped the refusal (its retries). */
export function isUnknownTopicError(err: unknown): boolean {
  return chain(err).some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION');
}

/** Raised when a call needs a connection and there is none. */
export function notConnected(): SealpostError {
  return new SealpostError(CONSOLE_ERRORS.notConnected, 'Not connected to a Kafka cluster. Open Connections and connect first.', { status: 409 });
}
