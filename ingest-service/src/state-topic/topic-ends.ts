import type { Kafka } from 'kafkajs';

/** Where each partition of a topic begins and ends (the next offset to be written), as the brokers say now. */
export type TopicEnds = ReadonlyMap<number, { low: bigint; high: bigint }>;

/** Next offset to read per partition, as a view of the topic stores it. */
export type Positions = ReadonlyMap<number, bigint>;

/** The topic's ends, read with an admin client of its own (kafkajs' error when Kafka is away). */
export async function readTopicEnds(kafka: Kafka, topic: string): Promise<TopicEnds> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const marks = await admin.fetchTopicOffsets(topic);
    return new Map(marks.map((m) => [m.partition, { low: BigInt(m.low), high: BigInt(m.high) }]));
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Partitions that hold records the view has not read yet; an empty partition (nothing between low and high) never does. */
export function partitionsBehind(ends: TopicEnds, positions: Positions): number {
  let behind = 0;
  for (const [partition, { low, high }] of ends) if (high > low && (positions.get(partition) ?? 0n) < high) behind++;
  return behind;
}

/** True when the view has read past a partition's end: the topic was deleted and created again since. */
export function viewIsAhead(ends: TopicEnds, positions: Positions): boolean {
  return [...positions].some(([partition, at]) => at > (ends.get(partition)?.high ?? 0n));
}
