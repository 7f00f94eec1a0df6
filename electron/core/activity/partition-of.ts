import kafkajs from 'kafkajs';

const partitioner = kafkajs.Partitioners.DefaultPartitioner();

/**
 * The partition the ingest service's producer puts a record with this key on: kafkajs's DefaultPartitioner
 * (the Java client's murmur2), the one the sink names explicitly. A person's events are keyed by their blind
 * index, so they all sit on this one partition — as long as the topic's partition count has not changed since.
 */
export function partitionOfKey(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
  return partitioner({ topic: 'sealpost', partitionMetadata, message: { key } } as unknown as Parameters<typeof partitioner>[0]);
}
