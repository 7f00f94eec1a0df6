import { SealpostError } from '../../../shared/errors/index.js';
import type { JournalCore } from './core.js';
import { JOURNAL_ERRORS, journalUnavailable, sqliteCode } from './errors.js';
import { createGroupCommitter } from './group-commit.js';
import { entryAad } from './journal-cipher.js';
import type { IngestPort } from './ports.js';
import type { EntryRow } from './writer-ops.js';

/** Counters of the appends' group commits, for stats(). */
export interface AppendCounters {
  appendCommits: number;
  appendedEntries: number;
  failedCommits: number;
}

/**
 * Appends: each request encrypted under its own AAD (seq, source, kind), queued, and committed with
 * the others of the same few milliseconds in one transaction (one fsync) on the writer thread. A
 * failed commit rejects every append in it (the senders get a 503 and retry) and marks the journal
 * unavailable for /readyz until a write succeeds again.
 */
export function createIngestPort(core: JournalCore, opts: { groupCommitMs?: number }): IngestPort & { counters: AppendCounters; drain(): Promise<void> } {
  const counters: AppendCounters = { appendCommits: 0, appendedEntries: 0, failedCommits: 0 };
  const committer = createGroupCommitter<EntryRow>({
    delayMs: opts.groupCommitMs ?? 2,
    async commit(rows) {
      try {
        await core.writer.write({ op: 'append', rows });
      } catch (err) {
        counters.failedCommits++;
        const e = journalUnavailable(err, core.path);
        if (core.unavailable === undefined) core.log.error({ code: e.code, sqliteCode: sqliteCode(err) ?? null, entries: rows.length }, e.message);
        core.unavailable = e.message;
        throw e;
      }
      if (core.unavailable !== undefined) core.log.info('journal writable again');
      core.unavailable = undefined;
      counters.appendCommits++;
      counters.appendedEntries += rows.length;
      for (const r of rows) core.pending.add(r.source, 1);
      core.notify();
    },
  });

  return {
    counters,
    drain: () => committer.drain(),
    ready: () => core.writer.ready().catch((err: unknown) => Promise.reject(journalUnavailable(err, core.path, 'open'))),
    append(entry) {
      if (core.closed || core.closing) return Promise.reject(core.closedError());
      if (!entry || typeof entry.source !== 'string' || typeof entry.kind !== 'string' || !Buffer.isBuffer(entry.payload) || !Number.isFinite(entry.receivedAt)) {
        return Promise.reject(new SealpostError(JOURNAL_ERRORS.badEntry, 'journal append needs { source, kind, receivedAt, payload: Buffer }'));
      }
      const seq = core.nextSeq();
      const sealed = core.cipher.encrypt(entry.payload, entryAad(seq, entry.source, entry.kind));
      const row: EntryRow = { seq, source: entry.source, kind: entry.kind, receivedAt: entry.receivedAt, size: entry.payload.length, sealed, redriveOf: null };
      return committer.submit(row).then(() => seq);
    },
    unavailableReason: () => (core.closed ? 'the journal is closed' : (core.unavailable ?? null)),
  };
}
