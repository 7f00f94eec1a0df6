import type { Database } from 'better-sqlite3';
import type { JournalCipher } from './journal-cipher.js';

/**
 * An operator note as the journal stores it: who paused, redrove or discarded (an ARN whose session
 * name is often an e-mail address) and why (free text). New rows hold a BLOB sealed with the journal
 * cipher; rows written before notes were sealed held TEXT in clear: schema step 2 seals them (sealClearNotes), and
 * a clear one is still read as it is (SQLite keeps each value's type, so the two never mix up). Null stays null.
 */
export type StoredNote = Uint8Array | string | null;

/** Which note of which row: the additional data binds a sealed note to it, so it cannot be moved. */
export type NoteSlot =
  | { table: 'paused_sources'; source: string; field: 'paused_by' | 'reason' }
  | { table: 'dead_letters'; id: number; field: 'resolved_by' | 'resolution' };

function noteAad(slot: NoteSlot): string {
  const row = slot.table === 'paused_sources' ? slot.source : String(slot.id);
  return `sealpost-journal/1\u0000note\u0000${slot.table}\u0000${slot.field}\u0000${row}`;
}

/** Seals a note for its slot (null stays null): the only form operator notes are written in. */
export function sealNote(cipher: JournalCipher, note: string | null, slot: NoteSlot): Uint8Array | null {
  return note === null ? null : cipher.encrypt(Buffer.from(note, 'utf8'), noteAad(slot));
}

/** What a sealed note that does not authenticate reads as: altered or moved, it must not stop the journal. */
export const UNREADABLE_NOTE = '(unreadable note: altered or moved in the database)';

/**
 * Opens a stored note: sealed ones are decrypted, clear ones from older rows are returned as they are.
 * The journal key was checked at open, so a note that does not authenticate was altered or moved: it
 * reads as UNREADABLE_NOTE rather than keeping a service from starting over a pause reason.
 */
export function openNote(cipher: JournalCipher, stored: StoredNote, slot: NoteSlot): string | null {
  if (stored === null || typeof stored === 'string') return stored;
  const sealed = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  try {
    return cipher.decrypt(sealed, noteAad(slot)).toString('utf8');
  } catch {
    return UNREADABLE_NOTE;
  }
}

/**
 * Seals, once, the notes older versions wrote in clear (schema step 2): they were read as they were, but stayed
 * readable in the file. secure_delete makes SQLite zero the old cells instead of leaving them in free space.
 */
export function sealClearNotes(db: Database, cipher: JournalCipher): void {
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const paused = db.prepare<[], { source: string; paused_by: StoredNote; reason: StoredNote }>(
      `SELECT source, paused_by, reason FROM paused_sources WHERE typeof(paused_by) = 'text' OR typeof(reason) = 'text'`,
    );
    const setPaused = db.prepare('UPDATE paused_sources SET paused_by = ?, reason = ? WHERE source = ?');
    for (const r of paused.all()) {
      const by = reseal(cipher, r.paused_by, { table: 'paused_sources', source: r.source, field: 'paused_by' });
      setPaused.run(by, reseal(cipher, r.reason, { table: 'paused_sources', source: r.source, field: 'reason' }), r.source);
    }
    const dead = db.prepare<[], { id: number; resolved_by: StoredNote; resolution: StoredNote }>(
      `SELECT id, resolved_by, resolution FROM dead_letters WHERE typeof(resolved_by) = 'text' OR typeof(resolution) = 'text'`,
    );
    const setDead = db.prepare('UPDATE dead_letters SET resolved_by = ?, resolution = ? WHERE id = ?');
    for (const r of dead.all()) {
      const by = reseal(cipher, r.resolved_by, { table: 'dead_letters', id: r.id, field: 'resolved_by' });
      setDead.run(by, reseal(cipher, r.resolution, { table: 'dead_letters', id: r.id, field: 'resolution' }), r.id);
    }
  } finally {
    db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  }
}

/** A clear note sealed for its slot; a sealed one (or null) kept as it is. */
function reseal(cipher: JournalCipher, stored: StoredNote, slot: NoteSlot): StoredNote {
  return typeof stored === 'string' ? sealNote(cipher, stored, slot) : stored;
}
