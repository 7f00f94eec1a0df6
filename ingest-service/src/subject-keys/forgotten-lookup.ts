import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS_STORE_FILE } from './keys-store.js';

/** "Was this subject forgotten, and when?" from any thread, without holding the answers in memory. */
export interface ForgottenLookup {
  /** Epoch ms of the subject's latest forget this instance knows of; undefined when never forgotten (or no store yet). */
  forgottenAt(subject: string): number | undefined;
  close(): void;
}

/**
 * A read-only connection to the follower's store (`<dataDir>/subject-keys.db`), for the expand workers:
 * the ForgetSink notices tell them what changes while they run; this answers for every subject forgotten
 * before (millions, on disk), e.g. to apply the policy's `forgotten` choice to a new event or the
 * received-before-forget rule to an old journal entry. WAL mode lets it read while the follower writes.
 * Before the follower has created the store it answers undefined and looks again on the next call.
 */
export function openForgottenLookup(dataDir: string): ForgottenLookup {
  const path = join(dataDir, KEYS_STORE_FILE);
  let db: BetterSqlite3.Database | undefined;
  let get: BetterSqlite3.Statement<[string], { forgotten_at: number }> | undefined;
  const open = (): boolean => {
    if (get) return true;
    if (!existsSync(path)) return false;
    try {
      db = new BetterSqlite3(path, { readonly: true, fileMustExist: true, timeout: 2000 });
      get = db.prepare<[string], { forgotten_at: number }>('SELECT forgotten_at FROM forgotten WHERE subject = ?');
      return true;
    } catch {
      db?.close();
      db = undefined;
      return false;
    }
  };
  return {
    forgottenAt(subject) {
      if (!open()) return undefined;
      return get!.get(subject)?.forgotten_at;
    },
    close() {
      if (db?.open) db.close();
      db = undefined;
      get = undefined;
    },
  };
}
