import type { SuppressionEntry } from '../admin-api/types.js';
import type { LockReasonCode } from '../decrypt/types.js';

export type { SuppressionCountsResponse, SuppressionEntry } from '../admin-api/types.js';

/** One entry as the Suppressions page shows it: the service's entry, and the address if this identity opened it. */
export interface SuppressionRow extends SuppressionEntry {
  /** The address, opened with the viewing identity; null when no section it may open holds it. */
  address: string | null;
  /** Why it stayed closed (the first locked section), null when opened. */
  lock: { code: LockReasonCode; message: string } | null;
}

export interface SuppressionListResult {
  entries: SuppressionRow[];
  next: string | null;
  total: number;
  ready: boolean;
  /** Who opened the addresses ("local keys in …", a caller ARN). */
  identity: string;
}
