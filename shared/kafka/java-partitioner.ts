import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const M = 0x5bd1e995;

/**
 * The Java client's murmur2 (org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c) in 32-bit
 * arithmetic. kafkajs' own copy (producer/partitioners/default/murmur2.js) computes the same value with
 * BigInt-backed longs, several allocations per 4 bytes of key: it was about a tenth of the sink thread.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      h ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key among `partitions`, as the Java client's (and kafkajs') default partitioner picks it. */
export function partitionOf(key: Uint8Array | string, partitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % partitions;
}

/**
 * kafkajs' DefaultPartitioner (producer/partitioners/legacy/partitioner.js over murmur2) for keyed records,
 * with the fast murmur2: an explicit partition wins, else murmur2 of the key's bytes (a string key as
 * UTF-8, as kafkajs writes it). Records without a key, which Sealpost never sends, go round robin as there.
 * test/shared/kafka/java-partitioner.test.ts compares it with kafkajs' own over many keys and partition counts.
 */
export const JavaPartitioner: ICustomPartitioner = () => {
  let counter = Math.floor(Math.random() * 0x7fffffff);
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) return partitionOf(key, partitionMetadata.length);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    counter = (counter + 1) & 0x7fffffff;
    return available.length > 0 ? available[counter % available.length]!.partitionId : counter % partitionMetadata.length;
  };
};
