import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the Kafka client and sink. */
export const KAFKA_ERRORS = {
  /** A produce failed (broker away, leader moving, timeout...). The forwarder backs off and retries the same batch. */
  sendFailed: 'SP_KAFKA_SEND_FAILED',
  /** Topics could not be created or checked. */
  topicsFailed: 'SP_KAFKA_TOPICS_FAILED',
  /** A topic does not exist and createTopics is off: create it, or turn kafka.createTopics on. */
  topicMissing: 'SP_KAFKA_TOPIC_MISSING',
  /** A topic exists with a config it must not have (a state topic, subject keys or suppressions, not compacted): change it, records wait. */
  topicConfig: 'SP_KAFKA_TOPIC_CONFIG',
  /** The kafka section points at files that cannot be read (ssl.ca, ssl.cert, ssl.key). */
  config: 'SP_KAFKA_CONFIG',
} as const;

/** Wraps a kafkajs failure: always retriable from the forwarder's point of view (never skip, never lose). */
export function kafkaFailure(code: string, what: string, err: unknown): SealpostError {
  const e = err as { name?: string; type?: string; message?: string };
  return new SealpostError(code, `${what}: ${e?.message ?? String(err)}`, {
    cause: err,
    retriable: true,
    status: 503,
    details: { kafkaError: e?.name ?? null, kafkaType: e?.type ?? null },
  });
}
