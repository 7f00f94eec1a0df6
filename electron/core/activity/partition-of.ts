import { partitionOf } from '../../../shared/kafka/java-partitioner.js';

/**
 * The partition the ingest service's producer puts a record with this key on: the Java client's murmur2
 * partitioner (shared/kafka/java-partitioner.ts, the one the sink uses, the same as kafkajs' DefaultPartitioner).
 * A person's events are keyed by their blind index, so they all sit on this one partition — as long as the
 * topic's partition count has not changed since.
 */
export function partitionOfKey(key: string, partitions: number): number {
  return partitionOf(key, partitions);
}
