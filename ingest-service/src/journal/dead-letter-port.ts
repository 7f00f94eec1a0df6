import { SealpostError } from '../../../shared/errors/index.js';
import type { JournalCore } from './core.js';
import type { DeadLetterStore } from './dead-letters.js';
import { JOURNAL_ERRORS } from './errors.js';
import { entryAad } from './journal-cipher.js';
import { sealNote } from './operator-notes.js';
import type { DeadLetterPort } from './ports.js';
import type { EntryRow } from './writer-ops.js';

/**
 * The operator's dead-letter actions. Re-drive puts the kept bytes back as a new pending entry (a new
 * seq, encrypted under its own AAD) and wakes the forwarder; discard erases the bytes and keeps a
 * tombstone; who and why are sealed as operator notes. Both write synchronously on this thread (rare,
 * and the admin API wants the answer).
 */
export function createDeadLetterPort(core: JournalCore, store: DeadLetterStore): DeadLetterPort {
  return {
    deadLetter: (input) => core.writeHere({ op: 'deadLetter', row: store.prepare(input) }),
    listDeadLetters: (q) => store.list(q),
    getDeadLetter: (id) => store.get(id),
    unsafeReadDeadLetterRaw: (id) => store.unsafeReadRaw(id),
    redrive(id, o = {}) {
      const { row, raw } = store.readOpen(id);
      const seq = core.nextSeq();
      const entry: EntryRow = {
        seq,
        source: row.source,
        kind: row.kind,
        receivedAt: row.receivedAt,
        size: raw.length,
        sealed: core.cipher.encrypt(raw, entryAad(seq, row.source, row.kind)),
        redriveOf: id,
      };
      core.writeHere({ op: 'redrive', id, entry, by: sealNote(core.cipher, o.by ?? null, { table: 'dead_letters', id, field: 'resolved_by' }), now: core.clock.now() });
      core.pending.add(row.source, 1);
      queueMicrotask(() => core.notify());
      return seq;
    },
    discardDeadLetter(id, o) {
      if (!o || typeof o.reason !== 'string' || o.reason.trim() === '') {
        throw new SealpostError(JOURNAL_ERRORS.reasonRequired, 'discarding a dead letter needs a reason', { status: 400 });
      }
      store.mustBeOpen(id);
      const reason = sealNote(core.cipher, o.reason, { table: 'dead_letters', id, field: 'resolution' })!;
      core.writeHere({ op: 'discard', id, reason, by: sealNote(core.cipher, o.by ?? null, { table: 'dead_letters', id, field: 'resolved_by' }), now: core.clock.now() });
    },
  };
}
