import type { z } from 'zod';
import type { openedFilterSchema } from '../../../shared/console-api/schemas.js';
import type { OpenedScanFacts } from '../../../shared/console-api/types.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import type { DecodedRecord } from '../messages/decode-row.js';

/** An opened-field filter as the contract parses it. */
export type OpenedFilter = z.output<typeof openedFilterSchema>;

/** Sections opened per call: large enough to amortise the opener, small enough to keep cancel prompt. */
const OPEN_BATCH = 500;

/** Calls `visit` with every scalar under `v` (objects and arrays walked, at most a few levels deep). */
function eachScalar(v: unknown, visit: (s: string) => boolean, depth = 0): boolean {
  if (typeof v === 'string') return visit(v);
  if (typeof v === 'number' || typeof v === 'boolean') return visit(String(v));
  if (depth > 4 || v === null || typeof v !== 'object') return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (eachScalar(x, visit, depth + 1)) return true;
  return false;
}

/**
 * The predicate over one opened section's fields: a keyword contained in any value, or the named field
 * (a dotted path) equal to the value, both case-insensitive (addresses differ in case, people type them lower).
 */
export function compileOpenedMatch(f: OpenedFilter): (fields: Record<string, unknown>) => boolean {
  if (f.keyword !== undefined) {
    const needle = f.keyword.toLowerCase();
    return (fields) => eachScalar(fields, (s) => s.toLowerCase().includes(needle));
  }
  const path = f.field!.split('.');
  const want = f.value!.toLowerCase();
  return (fields) => {
    let v: unknown = fields;
    for (const k of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
    const list = Array.isArray(v) ? v : [v];
    return list.some((x) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') && String(x).trim().toLowerCase() === want);
  };
}

/** Running totals of an opened-field scan, plus the departments it opened (for the audit trail). */
export interface OpenedTally extends OpenedScanFacts {
  opened: Set<string>;
}

export const newOpenedTally = (): OpenedTally => ({ searched: 0, locked: 0, lockedBy: {}, opened: new Set() });

/**
 * Keeps the records whose opened sections match, opening them with `opener` in batches. A section the
 * identity cannot open never matches; a record that did not match with any of its sections locked is
 * counted as locked (by reason), so the operator learns what the search could not see. Opened values
 * live only inside this call: nothing of them is kept, logged or returned.
 */
export async function filterOpened(
  opener: EnvelopeOpener,
  records: readonly DecodedRecord[],
  match: (fields: Record<string, unknown>) => boolean,
  tally: OpenedTally,
): Promise<DecodedRecord[]> {
  const kept: DecodedRecord[] = [];
  const candidates = records.filter((r): r is DecodedRecord & { envelope: Envelope } => r.envelope !== null && Object.keys(r.envelope.sections).length > 0);
  for (let i = 0; i < candidates.length; i += OPEN_BATCH) {
    const batch = candidates.slice(i, i + OPEN_BATCH);
    const opened = await opener.open(batch.map((r) => r.envelope));
    for (const [j, o] of opened.entries()) {
      tally.searched++;
      let hit = false;
      let lockedHere = false;
      for (const [dept, s] of Object.entries(o.sections)) {
        if (s.state === 'open') {
          tally.opened.add(dept);
          if (!hit && match(s.fields)) hit = true;
        } else {
          lockedHere = true;
          tally.lockedBy[s.code] = (tally.lockedBy[s.code] ?? 0) + 1;
        }
      }
      if (hit) kept.push(batch[j]!);
      else if (lockedHere) tally.locked++;
    }
  }
  return kept;
}
