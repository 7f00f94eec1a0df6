import type { ConsumerEvent } from './open-record.js';

/** What a department consumer did so far: the summary the CLI prints and tests assert on. */
export interface ConsumerStats {
  /** Events handed to the application. */
  events: number;
  /** ...of which had the department's section, opened. */
  opened: number;
  /** ...of which carried no section for the department (the clear part only). */
  noSection: number;
  /** ...of which locked, by reason. */
  locked: Record<string, number>;
  /** Records dropped as repeats of an envelope id inside the window. */
  duplicates: number;
}

/** A mutable counter behind the read-only snapshots handed out. */
export function createConsumerStats(): { count(event: ConsumerEvent): void; duplicate(): void; snapshot(): ConsumerStats } {
  const s: ConsumerStats = { events: 0, opened: 0, noSection: 0, locked: {}, duplicates: 0 };
  return {
    count(event) {
      s.events += 1;
      if (event.state === 'locked') s.locked[event.locked.reason] = (s.locked[event.locked.reason] ?? 0) + 1;
      else if (!event.hasSection) s.noSection += 1;
      else s.opened += 1;
    },
    duplicate() {
      s.duplicates += 1;
    },
    snapshot: () => ({ ...s, locked: { ...s.locked } }),
  };
}
