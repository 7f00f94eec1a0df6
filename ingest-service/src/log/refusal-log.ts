import { createKeyedRateLimiter } from '../limits/keyed-rate-limiter.js';
import type { Logger } from './logger.js';

/** One refused request, as logged: stable labels and the client's address, never a value from the request. */
export interface Refusal {
  listener: 'ingest' | 'admin';
  /** Source id (or `_unknown`) on the ingest listener; absent on the admin listener. */
  source?: string;
  /** A stable reason label (`bad_signature`, `body_too_large`) or error code (`SP_ADMIN_LOGIN_REJECTED`). */
  reason: string;
  status: number;
  /** The peer address as the socket saw it (a proxy's address behind one), so an operator can block a flood. */
  client: string | undefined;
}

/** Logs refused requests. */
export interface RefusalLog {
  refused(r: Refusal): void;
}

/**
 * Every refused request is logged, at most `perMinute` lines per (listener, source, reason): a flood
 * of forged requests must not flood the log as well. Lines held back are counted into the next one
 * (`suppressed`); the metric sealpost_requests_rejected_total counts every single one.
 */
export function createRefusalLog(opts: { log: Pick<Logger, 'warn'>; now: () => number; perMinute?: number }): RefusalLog {
  const limiter = createKeyedRateLimiter({ perMinute: opts.perMinute ?? 20, maxKeys: 1000, now: opts.now });
  const suppressed = new Map<string, number>();
  return {
    refused(r) {
      const key = `${r.listener}\u0000${r.source ?? ''}\u0000${r.reason}`;
      if (!limiter.take(key)) {
        if (suppressed.size < 1000 || suppressed.has(key)) suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
        return;
      }
      const held = suppressed.get(key) ?? 0;
      suppressed.delete(key);
      const fields = { listener: r.listener, ...(r.source ? { source: r.source } : {}), reason: r.reason, status: r.status, client: r.client ?? 'unknown' };
      opts.log.warn(held ? { ...fields, suppressed: held } : fields, 'request refused');
    },
  };
}
