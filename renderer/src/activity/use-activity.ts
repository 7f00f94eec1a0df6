import { useCallback, useEffect, useRef, useState } from 'react';
import type { ActivityLinks, ActivityOverview } from '../../../shared/console-api/activity-types.js';
import { api } from '../api/client.js';

/** Ranges the page offers, and the step of their chart. */
export const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000, step: 60 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000, step: 300 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, step: 900 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, step: 3_600 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, step: 6 * 3_600 },
] as const;
export type RangeId = (typeof RANGES)[number]['id'];

export interface ActivityQuery {
  service: string;
  range: RangeId;
  source: string;
  profile: string;
}

/** The last answers per query, so coming back to the page shows them at once while they refresh. */
const cache = new Map<string, { overview?: ActivityOverview; links?: ActivityLinks }>();
const keyOf = (q: ActivityQuery): string => `${q.service}|${q.range}|${q.source}`;

/**
 * Loads the page's counts (one call: series, funnel, bounces, deferrals), then the top links opened as the
 * operator. A later query supersedes an earlier one still in flight.
 */
export function useActivity(q: ActivityQuery) {
  const cached = cache.get(keyOf(q));
  const [overview, setOverview] = useState<ActivityOverview | null>(cached?.overview ?? null);
  const [links, setLinks] = useState<ActivityLinks | null>(cached?.links ?? null);
  const [error, setError] = useState<unknown>(null);
  const [linksError, setLinksError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [linksBusy, setLinksBusy] = useState(false);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const gen = ++generation.current;
    const key = keyOf(q);
    const hit = cache.get(key) ?? {};
    setOverview(hit.overview ?? null);
    setLinks(hit.links ?? null);
    const r = RANGES.find((x) => x.id === q.range)!;
    const to = Math.ceil(Date.now() / 60_000) * 60_000;
    const range = { service: q.service, from: to - r.ms, to, ...(q.source ? { source: q.source } : {}) };
    setBusy(true);
    setError(null);
    try {
      const o = await api.activityOverview({ ...range, step: r.step });
      if (gen !== generation.current) return;
      setOverview(o);
      cache.set(key, { ...cache.get(key), overview: o });
    } catch (err) {
      if (gen === generation.current) setError(err);
    } finally {
      if (gen === generation.current) setBusy(false);
    }
    setLinksBusy(true);
    setLinksError(null);
    try {
      const l = await api.activityLinks({ ...range, profile: q.profile, limit: 10 });
      if (gen !== generation.current) return;
      setLinks(l);
      cache.set(key, { ...cache.get(key), links: l });
    } catch (err) {
      if (gen === generation.current) setLinksError(err);
    } finally {
      if (gen === generation.current) setLinksBusy(false);
    }
  }, [q.service, q.range, q.source, q.profile]);

  useEffect(() => void load(), [load]);
  return { overview, links, error, linksError, busy, linksBusy, reload: load };
}
