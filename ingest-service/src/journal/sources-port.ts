import type { JournalCore } from './core.js';
import { openNote, sealNote, type StoredNote } from './operator-notes.js';
import type { SourcesPort } from './ports.js';
import type { PausedSource } from './types.js';

/**
 * Pausing and resuming sources: persisted (a paused source stays paused across restarts; who and why
 * sealed as operator notes), kept in memory for the forwarder's every round.
 */
export function createSourcesPort(core: JournalCore): SourcesPort {
  const paused = new Map<string, PausedSource>();
  for (const r of core.db.prepare<[], { source: string; paused_at: number; paused_by: StoredNote; reason: StoredNote }>('SELECT * FROM paused_sources').all()) {
    const pausedBy = openNote(core.cipher, r.paused_by, { table: 'paused_sources', source: r.source, field: 'paused_by' });
    paused.set(r.source, { source: r.source, pausedAt: r.paused_at, pausedBy, reason: openNote(core.cipher, r.reason, { table: 'paused_sources', source: r.source, field: 'reason' }) });
  }
  return {
    pause(source, o = {}) {
      const p: PausedSource = { source, pausedAt: core.clock.now(), pausedBy: o.by ?? null, reason: o.reason ?? null };
      const by = sealNote(core.cipher, p.pausedBy, { table: 'paused_sources', source, field: 'paused_by' });
      core.writeHere({ op: 'pause', source, now: p.pausedAt, by, reason: sealNote(core.cipher, p.reason, { table: 'paused_sources', source, field: 'reason' }) });
      paused.set(source, p);
    },
    resume(source) {
      core.writeHere({ op: 'resume', source });
      if (paused.delete(source)) queueMicrotask(() => core.notify());
    },
    pausedSources: () => [...paused.keys()],
    listPaused: () => [...paused.values()],
  };
}
