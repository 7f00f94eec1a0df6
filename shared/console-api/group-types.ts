import type { z } from 'zod';
import type { resetTarget } from './group-schemas.js';

/** Where a reset moves a consumer group (see group-schemas.ts). */
export type ResetTarget = z.output<typeof resetTarget>;

/** One partition of a reset: where the group is, where it would go, and the lag either side. */
export interface OffsetResetPartition {
  partition: number;
  /** Committed offset now, or null when the group committed nothing on this partition. */
  committed: string | null;
  /** The offset the group is (or would be) reset to. */
  target: string;
  low: string;
  high: string;
  /** Lag now (high - committed; the whole partition when nothing is committed). */
  lagBefore: number;
  lagAfter: number;
  /** The asked offset lay outside [low, high] and was moved to the nearest end (as kafka-consumer-groups does). */
  clamped: boolean;
}

/**
 * A reset as previewed (nothing written) or applied. `blocked` says why it cannot be applied now (active
 * members), so the preview already tells the operator what to do; apply refuses with the same sentence.
 */
export interface OffsetResetPlan {
  groupId: string;
  topic: string;
  /** Group state as the broker describes it (Empty, Stable, Dead...). */
  state: string;
  members: number;
  to: ResetTarget;
  partitions: OffsetResetPartition[];
  lagBefore: number;
  lagAfter: number;
  blocked: string | null;
  /** Epoch ms when the offsets were committed; null for a preview. */
  appliedAt: number | null;
}
