import type { Database } from 'better-sqlite3';
import type { JournalCipher } from './journal-cipher.js';
import { sealClearNotes } from './operator-notes.js';

/**
 * The journal's tables. Payloads sit in their own table so that marking an entry forwarded rewrites
 * a small row, not the request body. Partial indexes keep the two hot queries (pending per source in
 * seq order; forwarded and old enough to delete) independent of how many rows are retained.
 */
const V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  forwarded_at INTEGER,
  redrive_of INTEGER
);
CREATE INDEX entries_pending ON entries(source, seq) WHERE forwarded_at IS NULL;
CREATE INDEX entries_forwarded ON entries(forwarded_at) WHERE forwarded_at IS NOT NULL;
CREATE TABLE payloads (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE claims (
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (source, event_id)
) WITHOUT ROWID;
CREATE INDEX claims_seen ON claims(seen_at);
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  event_index INTEGER,
  reason TEXT NOT NULL,
  size INTEGER NOT NULL,
  clear TEXT,
  raw BLOB,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'open',
  resolved_at INTEGER,
  resolved_by TEXT,
  resolution TEXT,
  redriven_seq INTEGER
);
CREATE INDEX dead_letters_state ON dead_letters(state, id);
CREATE TABLE paused_sources (source TEXT PRIMARY KEY, paused_at INTEGER NOT NULL, paused_by TEXT, reason TEXT);
`;

/** A schema step: SQL, or a rewrite of data under the journal key (run only once that key was checked). */
type Migration = string | ((db: Database, cipher: JournalCipher) => void);

/**
 * V2: operator notes are sealed at rest; older rows' clear notes are sealed once. Its version number is also what
 * keeps an older build (which would write notes in clear again) from opening the journal.
 */
const MIGRATIONS: readonly Migration[] = [V1, sealClearNotes];

/** What migrating needs beyond SQL: the journal key, and the check that it is this journal's (before data steps). */
export interface MigrateKey {
  cipher: JournalCipher;
  checkKey(): void;
}

/**
 * Brings the database to the current schema version (PRAGMA user_version), one transaction per step. The key is
 * checked once the tables exist and before any step that rewrites data (a wrong key would seal notes for good).
 */
export function migrate(db: Database, key: MigrateKey): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`journal schema version ${current} is newer than this build understands (${MIGRATIONS.length}); run a newer sealpost-ingest`);
  }
  let checked = false;
  for (let v = current; v < MIGRATIONS.length; v++) {
    const step = MIGRATIONS[v]!;
    if (typeof step !== 'string' && !checked) {
      key.checkKey();
      checked = true;
    }
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else step(db, key.cipher);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  if (!checked) key.checkKey();
}
