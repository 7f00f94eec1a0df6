// Test helpers: a journal in a fresh temp dir, and a clock tests can move.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, type Journal, type JournalOptions } from '../../../ingest-service/src/journal/index.js';

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2025, 0, 1)): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function tempDir(prefix = 'sp-journal-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openTemp(opts: Partial<JournalOptions> = {}): { journal: Journal; dir: string; reopen(o?: Partial<JournalOptions>): Promise<Journal>; cleanup(): Promise<void> } {
  const t = tempDir();
  let journal = openJournal({ dir: t.dir, groupCommitMs: 0, ...opts });
  return {
    dir: t.dir,
    get journal() {
      return journal;
    },
    async reopen(o = {}) {
      await journal.close();
      journal = openJournal({ dir: t.dir, groupCommitMs: 0, ...opts, ...o });
      return journal;
    },
    async cleanup() {
      await journal.close();
      t.cleanup();
    },
  };
}

/** A SendGrid-like batch body holding personal values, for at-rest checks. */
export function personalBody(address: string, n = 3): Buffer {
  return Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ email: address, ip: '203.0.113.7', sg_event_id: `ev-${i}` }))));
}
