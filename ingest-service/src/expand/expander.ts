import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import type { SourceKind } from '../../../shared/envelope/index.js';
import type { Policy } from '../../../shared/policy/index.js';
import type { SectionSealer } from '../../../shared/seal/types.js';
import type { Tallier } from '../activity/tally.js';
import type { ParseResult } from '../parse/index.js';
import { createEnvelopeBuilder, SUBJECT_FORGOTTEN } from './build-envelopes.js';
import type { Expand, ExpandedDeadLetter } from './contract.js';
import type { SubjectKeyring } from './subject-keys/subject-keyring.js';
import type { SuppressionDeriver } from '../suppressions/derive-records.js';

/** What the expander needs: the policy, a sealer, the blind index, the source table and a parser. */
export interface ExpanderDeps {
  policy: Policy;
  sealer: SectionSealer;
  blindIndex: Pick<BlindIndexer, 'many'>;
  sources: ReadonlyMap<string, { id: string; kind: SourceKind; topic: string }>;
  parse(kind: SourceKind, body: Buffer, receivedAt: Date): ParseResult;
  /** Counts the events for email activity (absent: activity off). */
  tally?: Tallier;
  /** Subject keys (crypto-shredding); absent: every record is a v1 envelope. */
  subjectKeys?: SubjectKeyring;
  /** Derives suppression records from the parsed events (absent: the suppression list is off). */
  suppressions?: SuppressionDeriver;
}

/** Dead-letter reason when an entry's source is no longer configured. */
export const SOURCE_REMOVED = 'source_removed';

/**
 * The real `expand`: one journal entry (one HTTP request) in, sealed records and dead letters out.
 * Bodies that do not parse, or elements of the wrong shape, become dead letters here — kept,
 * visible and replayable — rather than errors to the sender.
 */
export function createExpander(deps: ExpanderDeps): Expand {
  const build = createEnvelopeBuilder(deps);
  return async (entry) => {
    const source = deps.sources.get(entry.source);
    if (!source) {
      return { records: [], deadLetters: [{ eventIndex: null, reason: SOURCE_REMOVED, raw: entry.payload }] };
    }
    const parsed = deps.parse(source.kind, entry.payload, new Date(entry.receivedAt));
    const built = await build(source, parsed.events, entry.receivedAt);
    const deadLetters: ExpandedDeadLetter[] = parsed.rejects.map((r) => ({ eventIndex: r.index, reason: r.reason, raw: r.raw }));
    // As for a record too large: the whole entry is kept; re-driven, its other events are dropped as duplicates.
    for (const f of built.forgotten) {
      if (f.outcome === 'dead-letter') deadLetters.push({ eventIndex: null, reason: SUBJECT_FORGOTTEN, raw: entry.payload, clear: { eventId: f.eventId } });
    }
    // Activity counts what is forwarded, record for record: events of forgotten subjects dropped or kept aside are not.
    const withheld = new Set(built.forgotten.map((f) => f.eventId));
    const forwarded = withheld.size ? parsed.events.filter((e) => !withheld.has(e.id)) : parsed.events;
    const activity = deps.tally ? await deps.tally(source, forwarded, entry.receivedAt) : undefined;
    const dropped = built.forgotten.filter((f) => f.outcome === 'drop').length;
    // Suppressions from every event, forgotten subjects' included: a forgotten person must still not be mailed
    // (their address sealed under a key never kept). Their key records go first, with the envelopes'.
    const suppressions = deps.suppressions ? await deps.suppressions(source, parsed.events, entry.receivedAt) : undefined;
    const suppressionRecords = suppressions?.records ?? [];
    const keyRecords = suppressions?.keyRecords.length ? [...built.keyRecords, ...suppressions.keyRecords] : built.keyRecords;
    return {
      records: built.records,
      deadLetters,
      ...(keyRecords.length ? { keyRecords } : {}),
      ...(activity ? { activity } : {}),
      ...(built.shredded || dropped ? { forgotten: { shredded: built.shredded, dropped } } : {}),
      ...(suppressionRecords.length ? { suppressionRecords } : {}),
    };
  };
}
