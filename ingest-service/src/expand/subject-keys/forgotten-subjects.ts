import type { ForgetNotice } from '../contract.js';
import { oldestEvictor } from '../../../../shared/collections/oldest-evictor.js';

/** Where the whole forgotten state lives: the follower's store on disk (subject-keys/forgotten-lookup.ts). */
export interface ForgottenSource {
  /** Epoch ms of the subject's latest forget, or undefined. */
  forgottenAt(subject: string): number | undefined;
}

/**
 * What one expand worker knows of forgotten subjects: a bounded cache in front of the follower's store
 * on disk, which holds every forget this instance knows (the follower writes it before any notice is
 * posted), so a restarted worker or a reload knows every forgotten subject without being handed a list,
 * and memory stays flat however many people are forgotten. A subject is looked up once and then held
 * (forgotten or not); notices from the main thread keep held answers current. Past `limit`, the oldest
 * held answer is dropped and read again from disk when needed; `learned` hears of every forget found on
 * disk that way. Without a store (a worker started on its own, in tests) only the notices count.
 */
export function createForgottenSubjects(opts: { source?: ForgottenSource; limit: number; learned?(subject: string, atMs: number): void }) {
  /** Subject -> epoch ms of its forget, or null: not forgotten when last looked at. */
  const held = new Map<string, number | null>();
  const evictOldestHeld = oldestEvictor(held);
  const hold = (subject: string, at: number | null): void => {
    held.delete(subject);
    held.set(subject, at);
    if (held.size > opts.limit) evictOldestHeld();
  };
  const atMs = (subject: string): number | undefined => {
    let at = held.get(subject);
    if (at === undefined) {
      at = opts.source?.forgottenAt(subject) ?? null;
      hold(subject, at);
      if (at !== null) opts.learned?.(subject, at);
    }
    return at ?? undefined;
  };
  return {
    /** Epoch ms of the subject's forget, if it was forgotten. */
    atMs,
    /**
     * Notes each notice (the latest forget of a subject wins); returns the subjects newly or again forgotten.
     * A notice no later than the forget held is no news: it must neither drop the keys made since nor
     * withhold the records of keys being made now for the subject's new events.
     */
    add(notices: readonly ForgetNotice[]): string[] {
      const out: string[] = [];
      for (const n of notices) {
        if (typeof n?.subject !== 'string' || !Number.isFinite(n.forgottenAtMs)) continue;
        const known = held.get(n.subject);
        if (typeof known === 'number' && n.forgottenAtMs <= known) continue;
        hold(n.subject, n.forgottenAtMs);
        out.push(n.subject);
      }
      return out;
    },
    /** Answers held in memory (at most `limit`). */
    size: (): number => held.size,
  };
}

export type ForgottenSubjects = ReturnType<typeof createForgottenSubjects>;
