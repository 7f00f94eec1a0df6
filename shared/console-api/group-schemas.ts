import { z } from 'zod';
import { offsetString, topicName } from './schemas.js';

/**
 * Consumer group ids the console may reset. Narrower than Kafka allows on purpose: the id goes to the audit
 * trail as `group/<id>`, whose targets are object references (letters, digits, . _ : -), never free text.
 */
export const groupId = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a consumer group id uses letters, digits, ".", "_", ":" and "-"');

/** Where a reset moves the group: the oldest record kept, the end, the first record at or after a time, or an offset. */
export const resetTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('earliest') }),
  z.strictObject({ kind: z.literal('latest') }),
  z.strictObject({ kind: z.literal('time'), at: z.number().int().min(0).max(8_640_000_000_000) }),
  z.strictObject({ kind: z.literal('offset'), offset: offsetString }),
]);

/**
 * One reset: a group, a topic, where to, and which partitions (all of the topic's when absent). The same
 * arguments preview and apply, so what is applied is what was previewed, recomputed against the broker.
 */
export const offsetResetArgs = z.strictObject({
  groupId,
  topic: topicName,
  to: resetTarget,
  partitions: z.array(z.number().int().min(0).max(100_000)).min(1).max(10_000).optional(),
});
