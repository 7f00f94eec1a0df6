import type { DecryptedRow } from '../../../shared/console-api/types.js';
import { isAddress } from '../../../shared/policy/split-event.js';

/** Where the default policy's sources keep the recipient (its `recipient` paths): SendGrid, SES, audit. */
const RECIPIENT_PATHS: readonly (readonly string[])[] = [['email'], ['mail', 'destination', '0'], ['subject']];

/**
 * The recipient's address as this identity opened it in a record's sections, to prefill *Forget this
 * person*; undefined when no opened section holds it (the operator then types it, and the count checks
 * it is this record's recipient). The console only holds the blind index otherwise.
 */
export function recipientAddress(row: DecryptedRow | undefined): string | undefined {
  for (const s of Object.values(row?.sections ?? {})) {
    if (s.state !== 'open') continue;
    for (const path of RECIPIENT_PATHS) {
      let v: unknown = s.fields;
      for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
      if (typeof v === 'string' && isAddress(v)) return v;
    }
  }
  return undefined;
}
