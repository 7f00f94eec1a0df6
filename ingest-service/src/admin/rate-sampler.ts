import type { Journal } from '../journal/index.js';
import type { ServiceMetrics } from '../metrics/metrics.js';

/** Totals and backlog of one source at one instant. */
export interface SourceSample {
  accepted: number;
  forwarded: number;
  pending: number;
}
export interface Sample {
  at: number;
  sources: Record<string, SourceSample>;
}

async function bySource(counter: ServiceMetrics['eventsAccepted']): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await counter.get()).values) {
    const s = v.labels.source;
    if (typeof s === 'string') out.set(s, (out.get(s) ?? 0) + v.value);
  }
  return out;
}

/**
 * Samples the accept/forward counters and the journal backlog every few seconds, so the status can
 * give rates over a sliding window (not since start) and the console can chart the last hour
 * without a Prometheus server. Samples hold source ids and numbers only.
 */
export function createRateSampler(opts: {
  metrics: ServiceMetrics;
  journal: Journal;
  sourceIds: () => string[];
  now: () => number;
  intervalMs?: number;
  keepMs?: number;
}) {
  const intervalMs = opts.intervalMs ?? 5000;
  const keepMs = opts.keepMs ?? 3600_000;
  const samples: Sample[] = [];

  const read = async (): Promise<Sample> => {
    const [accepted, forwarded] = await Promise.all([bySource(opts.metrics.eventsAccepted), bySource(opts.metrics.eventsForwarded)]);
    const pending = opts.journal.stats().pendingBySource;
    const sources: Record<string, SourceSample> = {};
    for (const id of opts.sourceIds()) sources[id] = { accepted: accepted.get(id) ?? 0, forwarded: forwarded.get(id) ?? 0, pending: pending[id] ?? 0 };
    return { at: opts.now(), sources };
  };
  const take = async (): Promise<void> => {
    try {
      samples.push(await read());
    } catch {
      return; // journal closing: skip this tick
    }
    const cutoff = opts.now() - keepMs;
    while (samples.length > 1 && samples[0]!.at < cutoff) samples.shift();
  };
  const timer = setInterval(() => void take(), intervalMs);
  timer.unref();
  void take();

  return {
    intervalMs,
    /** A fresh reading, plus per-source events/s against the oldest sample inside the window. */
    async current(windowMs: number): Promise<{ sample: Sample; rates: Record<string, { acceptRate: number; forwardRate: number }> }> {
      const sample = await read();
      const base = samples.find((s) => s.at >= sample.at - windowMs) ?? samples[samples.length - 1];
      const rates: Record<string, { acceptRate: number; forwardRate: number }> = {};
      for (const [id, cur] of Object.entries(sample.sources)) {
        const old = base?.sources[id];
        const secs = base ? (sample.at - base.at) / 1000 : 0;
        rates[id] =
          old && secs >= 1
            ? { acceptRate: Math.max(0, (cur.accepted - old.accepted) / secs), forwardRate: Math.max(0, (cur.forwarded - old.forwarded) / secs) }
            : { acceptRate: 0, forwardRate: 0 };
      }
      return { sample, rates };
    },
    history: (): Sample[] => samples.slice(),
    stop: () => clearInterval(timer),
  };
}
export type RateSampler = ReturnType<typeof createRateSampler>;
