import type { Admin } from 'kafkajs';
import { SealpostError } from '../errors/index.js';
import { CONSUMER_ERRORS } from './errors.js';

/**
 * Partition -> offset the consumer must reach to have read "everything there was when it started":
 * the high watermark, for the partitions where the group's start position (its committed offset, else
 * the earliest or latest offset) is below it. Partitions already at their end are left out, so an empty
 * result means there is nothing to read. A committed offset older than the log start (retention deleted
 * what the group had not read) is where Kafka resets the group, to the earliest or latest offset, so that
 * is the start too: else the target could lie where no record will ever be read. Throws noTopic when the
 * topic does not exist.
 */
export async function endOffsets(admin: Pick<Admin, 'listTopics' | 'fetchTopicOffsets' | 'fetchOffsets'>, topic: string, groupId: string, fromBeginning: boolean): Promise<Map<number, bigint>> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new SealpostError(CONSUMER_ERRORS.noTopic, `topic ${topic} does not exist on these brokers; check --topic`, { details: { topic } });
  const [marks, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  const out = new Map<number, bigint>();
  for (const m of marks) {
    const high = BigInt(m.high);
    const low = BigInt(m.low);
    const own = byPartition.get(m.partition) ?? -1n;
    const start = own >= low ? own : fromBeginning ? low : high;
    if (start < high) out.set(m.partition, high);
  }
  return out;
}
