import { createBacklogPort } from './backlog-port.js';
import { openJournalCore, type JournalOptions } from './core.js';
import { createDeadLetterPort } from './dead-letter-port.js';
import { createDeadLetterStore } from './dead-letters.js';
import { createDedupe } from './dedupe.js';
import { startHousekeeping } from './housekeeping.js';
import { createIngestPort } from './ingest-port.js';
import type { Journal } from './ports.js';
import { createSourcesPort } from './sources-port.js';

export type { JournalOptions } from './core.js';

/**
 * Opens (creating on first start) the journal in `<dir>/journal.db` and assembles its ports: ingest
 * (the HTTP routes, the audit trail), backlog (the forwarder), dead letters and sources (the admin
 * API), with housekeeping on its own timer. Each caller is typed against the narrow port it uses
 * (ports.ts); the service hands the whole Journal only to the admin API, which serves all of them.
 */
export function openJournal(opts: JournalOptions): Journal {
  const core = openJournalCore(opts);
  const dedupe = createDedupe(core.db, { windowSeconds: opts.dedupeWindowSeconds ?? 7 * 24 * 3600, clock: core.clock });
  const store = createDeadLetterStore(core.db, core.cipher, core.clock);
  const ingest = createIngestPort(core, { ...(opts.groupCommitMs !== undefined ? { groupCommitMs: opts.groupCommitMs } : {}) });
  const sources = createSourcesPort(core);
  const backlog = createBacklogPort(core, { dedupe, deadLetters: store, pausedSources: sources.pausedSources });
  const deadLetters = createDeadLetterPort(core, store);
  const housekeeping = startHousekeeping(core, {
    dedupe,
    ...(opts.retainForwardedSeconds !== undefined ? { retainForwardedSeconds: opts.retainForwardedSeconds } : {}),
    ...(opts.maintenanceIntervalMs !== undefined ? { intervalMs: opts.maintenanceIntervalMs } : {}),
  });
  let closing: Promise<void> | undefined;

  return {
    path: core.path,
    ready: ingest.ready,
    append: ingest.append,
    unavailableReason: ingest.unavailableReason,
    ...backlog,
    ...deadLetters,
    ...sources,
    prune: housekeeping.prune,
    stats() {
      const oldest = core.pending.oldestBySource();
      const times = Object.values(oldest);
      return {
        pendingBySource: core.pending.counts(),
        pendingTotal: core.pending.total(),
        oldestPendingBySource: oldest,
        oldestPendingAt: times.length ? Math.min(...times) : null,
        deadLettersByReason: store.openCountsByReason(),
        pausedSources: sources.pausedSources(),
        ...ingest.counters,
      };
    },
    close() {
      closing ??= (async () => {
        core.closing = true;
        await ingest.drain();
        core.closed = true;
        housekeeping.stop();
        core.listeners.clear();
        await core.writer.close();
        core.db.close();
      })();
      return closing;
    },
  };
}
