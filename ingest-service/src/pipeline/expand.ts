import type { SourceKind } from '../../../shared/envelope/index.js';
import type { Policy } from '../../../shared/policy/index.js';
import type { SectionSealer } from '../../../shared/seal/types.js';
import { createEnvelopeBuilder, type OutRecord, type PipelineEvent } from './build-envelopes.js';

/** A journal entry as the forwarder hands it over. */
export interface JournalEntryView {
  seq: number;
  source: string;
  kind: string;
  receivedAt: number;
  payload: Buffer;
}

export interface ExpandResult {
  records: OutRecord[];
  deadLetters: { eventIndex: number | null; reason: string; raw: Buffer }[];
}

export interface ExpanderDeps {
  policy: Policy;
  sealer: SectionSealer;
  blindIndex(address: string): string;
  sources: ReadonlyMap<string, { id: string; kind: SourceKind; topic: string }>;
  parse(kind: SourceKind, body: Buffer, receivedAt: Date): {
    events: PipelineEvent[];
    rejects: { index: number | null; reason: string; raw: Buffer }[];
  };
}

/**
 * The forwarder's `expand`: one journal entry (one HTTP request) in, sealed records and dead letters
 * out. Bodies that do not parse, or elements of the wrong shape, become dead letters here — kept,
 * visible and replayable — rather than errors to the sender.
 */
export function createExpander(deps: ExpanderDeps): (entry: JournalEntryView) => Promise<ExpandResult> {
  const build = createEnvelopeBuilder(deps);
  return async (entry) => {
    const source = deps.sources.get(entry.source);
    if (!source) {
      return { records: [], deadLetters: [{ eventIndex: null, reason: 'source_removed', raw: entry.payload }] };
    }
    const parsed = deps.parse(source.kind, entry.payload, new Date(entry.receivedAt));
    const records = await build(source, parsed.events, entry.receivedAt);
    return {
      records,
      deadLetters: parsed.rejects.map((r) => ({ eventIndex: r.index, reason: r.reason, raw: r.raw })),
    };
  };
}
