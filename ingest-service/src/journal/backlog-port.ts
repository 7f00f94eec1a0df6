import type { JournalCore } from './core.js';
import type { DeadLetterStore } from './dead-letters.js';
import type { Dedupe } from './dedupe.js';
import { entryAad } from './journal-cipher.js';
import type { BacklogPort } from './ports.js';

/**
 * The forwarder's side: pending entries read on this thread's connection (through the partial index),
 * their payloads decrypted, dedupe lookups, and `complete` — entries marked forwarded with their
 * claims and dead letters in one transaction on the writer thread.
 */
export function createBacklogPort(core: JournalCore, deps: { dedupe: Dedupe; deadLetters: DeadLetterStore; pausedSources(): string[] }): BacklogPort {
  return {
    nextBatch: (limit, o) => core.pending.next(limit, o),
    decryptPayload: (e) => core.cipher.decrypt(e.sealed, entryAad(e.seq, e.source, e.kind)),
    findDuplicates: (items) => deps.dedupe.findDuplicates(items),
    async complete(seqs, o = {}) {
      const r = await core.write({
        op: 'complete',
        seqs: [...seqs],
        now: core.clock.now(),
        claims: deps.dedupe.claimsToWrite(o.claims ?? []),
        deadLetters: (o.deadLetters ?? []).map((d) => deps.deadLetters.prepare(d)),
      });
      for (const s of r.sources) core.pending.add(s, -1);
      return { deadLetterIds: r.deadLetterIds };
    },
    pausedSources: deps.pausedSources,
    pendingTotal: () => core.pending.total(),
    onWork(listener) {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
  };
}
