import type { ForgetNotice } from '../contract.js';

/** Forgotten subjects remembered at most (about 100 bytes each); the oldest notice goes first. */
export const FORGOTTEN_LIMIT = 1_000_000;

/**
 * The subjects this worker was told are forgotten: when (the forget's time, which decides what happens
 * to an entry received before or after it) and in which order the notices arrived (so a batch sealed
 * while a notice came in can tell that its new keys are already forgotten). Bounded: past `limit`,
 * the oldest notice is dropped (a later event of that subject then simply gets a new key).
 */
export function createForgottenSubjects(limit = FORGOTTEN_LIMIT) {
  const bySubject = new Map<string, { atMs: number; seq: number }>();
  let seq = 0;
  return {
    /**
     * Notes each notice (the latest forget of a subject wins); returns the subjects newly or again forgotten.
     * A notice no later than the one known is no news (the keys topic is read again from its start after
     * every restart or rebalance, and forget markers stay on it): it must neither drop the keys made since
     * nor withhold the records of keys being made now for the subject's new events.
     */
    add(notices: readonly ForgetNotice[]): string[] {
      const out: string[] = [];
      for (const n of notices) {
        if (typeof n?.subject !== 'string' || !Number.isFinite(n.forgottenAtMs)) continue;
        const prev = bySubject.get(n.subject);
        if (prev && n.forgottenAtMs <= prev.atMs) continue;
        bySubject.delete(n.subject);
        bySubject.set(n.subject, { atMs: n.forgottenAtMs, seq: ++seq });
        if (bySubject.size > limit) bySubject.delete(bySubject.keys().next().value!);
        out.push(n.subject);
      }
      return out;
    },
    /** Epoch ms of the subject's forget, if it was forgotten. */
    atMs: (subject: string): number | undefined => bySubject.get(subject)?.atMs,
    /** True when a notice about `subject` arrived after the point `since` (a value of `now()`). */
    since: (subject: string, since: number): boolean => (bySubject.get(subject)?.seq ?? 0) > since,
    /** A point in the order of notices, for `since`. */
    now: (): number => seq,
    /** Every notice kept (to start another worker with the same knowledge). */
    notices: (): ForgetNotice[] => [...bySubject].map(([subject, v]) => ({ subject, forgottenAtMs: v.atMs })),
    size: (): number => bySubject.size,
  };
}

export type ForgottenSubjects = ReturnType<typeof createForgottenSubjects>;
