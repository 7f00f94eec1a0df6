import { ADMIN_ERRORS } from '../../../../shared/admin-api/errors.js';
import { FUNNEL_STAGES, funnelStage } from '../../activity/facts.js';
import type { Activity } from '../../activity/activity-service.js';
import type { RangeQuery } from '../../activity/activity-store.js';
import { planRange } from '../../activity/plan-range.js';
import type { AdminDeps } from '../admin-deps.js';
import { adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

type Handled = 'activitySeries' | 'activityFunnel' | 'activityBounces' | 'activityDeferrals' | 'activityLinks';
/** Categories a funnel answer lists at most. */
const FUNNEL_ROWS = 100;

/**
 * Email activity: every answer reads the activity worker's counts (never events), so it costs the same
 * on a topic of millions as on an empty one. The queries run on the activity worker's thread.
 */
export function activityHandlers(deps: AdminDeps): Pick<AdminHandlers, Handled> {
  const kindOf = new Map(deps.sources.map((s) => [s.id, s.kind]));
  const need = (): Activity => {
    if (!deps.activity) throw adminError(ADMIN_ERRORS.activityOff, 404, deps.config.activity.enabled
          ? 'email activity is off on this server: it could not start (see the service log for SP_ACTIVITY_STORE_OPEN); events are still forwarded, a restart tries again'
          : 'email activity is off on this server (activity.enabled: false in its config)');
    return deps.activity;
  };
  const plan = (q: { from: string | number; to: string | number; step?: number | undefined; source?: string | undefined }, series: boolean) => {
    if (q.source !== undefined && !kindOf.has(q.source)) throw adminError(ADMIN_ERRORS.notFound, 404, `no source "${q.source}" on this server`);
    const p = planRange(q, { now: deps.now(), minuteRetentionDays: deps.config.activity.minuteRetentionDays, series });
    const range: RangeQuery = { resolution: p.resolution, from: p.from, to: p.to, ...(q.source ? { sources: [q.source] } : {}) };
    return { p, range, answered: { from: p.from, to: p.to, resolution: p.resolution } };
  };
  const breakdown = (dim: 'bounce' | 'deferral') => async (q: Parameters<AdminHandlers['activityBounces']>[0]['query']) => {
    const { range, answered } = plan(q, false);
    const rows = await need().totals(dim, { ...range, limit: q.limit });
    return { ...answered, rows: rows.map((r) => ({ source: r.source, type: r.type, class: r.key, count: r.n })) };
  };

  return {
    async activitySeries({ query }) {
      const { p, range, answered } = plan(query, true);
      const rows = await need().series({ ...range, stepMs: p.stepMs });
      const series = new Map<string, { source: string; type: string; counts: number[]; total: number }>();
      for (const r of rows) {
        const id = `${r.source}\u0000${r.type}`;
        let s = series.get(id);
        if (!s) series.set(id, (s = { source: r.source, type: r.type, counts: new Array<number>(p.points).fill(0), total: 0 }));
        s.counts[r.i] = (s.counts[r.i] ?? 0) + r.n;
        s.total += r.n;
      }
      return { ...answered, stepSeconds: p.stepMs / 1000, points: p.points, series: [...series.values()].sort((a, b) => b.total - a.total) };
    },
    async activityFunnel({ query }) {
      const { range, answered } = plan(query, false);
      const rows = await need().totals('category', { ...range, limit: 100_000 });
      const by = new Map<string, Record<(typeof FUNNEL_STAGES)[number], number>>();
      for (const r of rows) {
        const stage = funnelStage(kindOf.get(r.source) ?? '', r.type);
        if (!stage) continue;
        let c = by.get(r.key);
        if (!c) by.set(r.key, (c = { processed: 0, delivered: 0, open: 0, click: 0 }));
        c[stage] += r.n;
      }
      const categories = [...by.entries()]
        .map(([category, c]) => ({ category, ...c }))
        .sort((a, b) => b.processed - a.processed || b.delivered - a.delivered || b.open - a.open || b.click - a.click || a.category.localeCompare(b.category));
      return { ...answered, categories: categories.slice(0, Math.min(query.limit, FUNNEL_ROWS)), truncated: categories.length > Math.min(query.limit, FUNNEL_ROWS) };
    },
    activityBounces: async ({ query }) => breakdown('bounce')(query),
    activityDeferrals: async ({ query }) => breakdown('deferral')(query),
    async activityLinks({ query }) {
      const { range, answered } = plan(query, false);
      const activity = need();
      const rows = await activity.totals('link', { ...range, limit: query.limit });
      const sealed = new Map((await activity.sealedLinks([...new Set(rows.map((r) => r.key))])).map((l) => [l.ref, l]));
      return {
        ...answered,
        links: rows.map((r) => {
          const s = sealed.get(r.key);
          return { ref: r.key, source: r.source, clicks: r.n, sealed: s ? { policyVersion: s.policyVersion, sections: s.sections } : null };
        }),
      };
    },
  };
}
