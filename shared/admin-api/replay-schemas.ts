import { z } from 'zod';
import { count, epochMs, offsetString, topicName } from './schema-primitives.js';

/** Topic replay: which ranges of a topic to copy to another, and the jobs that do it. */

/** A position in a partition: an offset, or a time (the first record at or after it). */
export const replayPosition = z.union([
  z.strictObject({ offset: offsetString }),
  z.strictObject({ time: z.union([z.iso.datetime({ offset: true }), epochMs]) }),
]);

export const replayRange = z.strictObject({
  /** A partition number, or `all` for every partition of the topic. */
  partition: z.union([z.number().int().min(0).max(100_000), z.literal('all')]),
  /** Inclusive start. */
  from: replayPosition,
  /** Exclusive end (an offset, or the first record at or after a time). */
  to: replayPosition,
});

export const replayRequest = z
  .strictObject({
    sourceTopic: topicName,
    targetTopic: topicName,
    ranges: z.array(replayRange).min(1).max(1000),
  })
  .refine((r) => r.sourceTopic !== r.targetTopic, { message: 'the target topic must differ from the source topic', path: ['targetTopic'] });

export const replayState = z.enum(['running', 'done', 'cancelled', 'failed']);

export const replayJob = z.strictObject({
  id: z.string(),
  sourceTopic: z.string(),
  targetTopic: z.string(),
  state: replayState,
  createdAt: epochMs,
  finishedAt: epochMs.nullable(),
  /** Records copied so far, and the number the resolved ranges hold. */
  copied: count,
  total: count,
  partitions: z.array(
    z.strictObject({ partition: count, startOffset: offsetString, endOffset: offsetString, nextOffset: offsetString, copied: count, total: count }),
  ),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
});

export const replayParams = z.strictObject({ id: z.string().uuid() });
export const replayListResponse = z.strictObject({ jobs: z.array(replayJob) });
