import BetterSqlite3 from 'better-sqlite3';
import { prepareOwnerOnlyDatabase } from '../../../shared/secret-files/index.js';

/**
 * Opens a connection to the journal with the durability settings every connection must share.
 *
 * WAL with synchronous=FULL. SQLite documents that in WAL mode synchronous=NORMAL stays consistent
 * but "a transaction committed in WAL mode with synchronous=NORMAL might roll back following a power
 * loss or system crash": NORMAL syncs only at checkpoints, and no checkpoint discipline can make a
 * commit durable *at the moment we answer 2xx*. FULL fsyncs the WAL at every commit; group commit
 * makes that one fsync per group of requests, and the writer thread keeps it off the event loop.
 *
 * `rebuildable`: a view made from a Kafka topic that stores its resume offsets in the same transactions as
 * the rows (the suppression view). A commit lost to a power cut rolls back with its offsets, so the view
 * re-reads those records: synchronous=NORMAL is consistent there and spares the follower an fsync per batch
 * on the service's main thread (the largest share of its busy time in bench:ingest).
 */
export function openConnection(path: string, busyTimeoutMs: number, durability: 'durable' | 'rebuildable' = 'durable'): BetterSqlite3.Database {
  prepareOwnerOnlyDatabase(path); // 0600, and so are its -wal and -shm
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL could not be enabled`);
    db.pragma(durability === 'durable' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    // After a checkpoint, a WAL that grew during a burst is truncated back to 64 MB.
    db.pragma('journal_size_limit = 67108864');
    // SQLite silently falls back to read-only when the file or its folder cannot be written (a volume
    // remounted read-only): take the write lock once, so that such a journal refuses to open.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
