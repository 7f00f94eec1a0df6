import type { AdminHandlers } from '../server.js';
import type { AdminDeps } from '../admin-deps.js';

const SEAL_OR_KMS = /^SP_(SEAL|KMS)_/;

/** The policy's key kinds: all local files, all KMS, or both. */
function keyMode(deps: AdminDeps): 'local' | 'kms' | 'mixed' {
  const kinds = new Set(Object.values(deps.config.policy.departments).flatMap((d) => d.keys.map((k) => ('kms' in k ? 'kms' : 'local'))));
  return kinds.size > 1 ? 'mixed' : kinds.has('kms') ? 'kms' : 'local';
}

/** status and history: what an on-call operator looks at first. */
export function statusHandlers(deps: AdminDeps): Pick<AdminHandlers, 'status' | 'history'> {
  const windowMs = deps.admin.rateWindowSeconds * 1000;
  return {
    async status() {
      const now = deps.now();
      const { sample, rates } = await deps.sampler.current(windowMs);
      const stats = deps.journal.stats();
      const paused = new Map(deps.journal.listPaused().map((p) => [p.source, p]));
      const counters = deps.forwarder?.counters();
      const sealError = counters?.lastError && SEAL_OR_KMS.test(counters.lastError.code) ? counters.lastError : null;
      const ageOf = (t: number | null | undefined): number | null => (t == null ? null : Math.max(0, (now - t) / 1000));
      return {
        serverId: deps.admin.serverId ?? null,
        now,
        startedAt: deps.startedAt,
        windowSeconds: deps.admin.rateWindowSeconds,
        sources: deps.sources.map((s) => {
          const p = paused.get(s.id);
          const cur = sample.sources[s.id] ?? { accepted: 0, forwarded: 0, pending: 0 };
          return {
            id: s.id,
            kind: s.kind,
            topic: s.topic,
            internal: s.internal,
            acceptRate: rates[s.id]?.acceptRate ?? 0,
            forwardRate: rates[s.id]?.forwardRate ?? 0,
            accepted: cur.accepted,
            forwarded: cur.forwarded,
            pending: stats.pendingBySource[s.id] ?? 0,
            oldestPendingAgeSeconds: ageOf(stats.oldestPendingBySource[s.id]),
            paused: p ? { since: p.pausedAt, by: p.pausedBy, reason: p.reason } : null,
          };
        }),
        journal: { pendingTotal: stats.pendingTotal, oldestPendingAgeSeconds: ageOf(stats.oldestPendingAt), unavailable: deps.journal.unavailableReason() },
        deadLetters: { open: Object.values(stats.deadLettersByReason).reduce((a, b) => a + b, 0), byReason: stats.deadLettersByReason },
        kafka: {
          configured: Boolean(deps.config.kafka),
          healthy: deps.sink?.healthy() ?? false,
          forwarder: counters
            ? {
                state: counters.state,
                forwardedEvents: counters.forwardedEvents,
                duplicatesDropped: counters.duplicatesDropped,
                batches: counters.batches,
                consecutiveFailures: counters.consecutiveFailures,
                failures: counters.failures,
                lastError: counters.lastError,
                lastSuccessAt: counters.lastSuccessAt,
              }
            : null,
        },
        kms: { mode: keyMode(deps), healthy: !(sealError && counters && counters.consecutiveFailures > 0), lastError: sealError ?? null },
      };
    },
    async history() {
      return { intervalSeconds: deps.sampler.intervalMs / 1000, samples: deps.sampler.history() };
    },
  };
}
