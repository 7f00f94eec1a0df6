import type { SourceKind } from '../../../shared/envelope/index.js';
import type { Policy } from '../../../shared/policy/index.js';
import type { SectionSealer } from '../../../shared/seal/types.js';
import type { Tallier } from '../activity/tally.js';
import type { ParseResult } from '../parse/index.js';
import { createEnvelopeBuilder } from './build-envelopes.js';
import type { Expand } from './contract.js';

/** What the expander needs: the policy, a sealer, the blind index, the source table and a parser. */
export interface ExpanderDeps {
  policy: Policy;
  sealer: SectionSealer;
  blindIndex(address: string): string;
  sources: ReadonlyMap<string, { id: string; kind: SourceKind; topic: string }>;
  parse(kind: SourceKind, body: Buffer, receivedAt: Date): ParseResult;
  /** Counts the events for email activity (absent: activity off). */
  tally?: Tallier;
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
    const records = await build(source, parsed.events, entry.receivedAt);
    const activity = deps.tally ? await deps.tally(source, parsed.events, entry.receivedAt) : undefined;
    return {
      records,
      deadLetters: parsed.rejects.map((r) => ({ eventIndex: r.index, reason: r.reason, raw: r.raw })),
      ...(activity ? { activity } : {}),
    };
  };
}
