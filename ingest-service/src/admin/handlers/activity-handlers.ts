import { ADMIN_ERRORS } from '../../../../shared/admin-api/errors.js';
import { funnelStageTypes } from '../../activity/facts.js';
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
 * on a topic of millions as on an empty one. The worker answers each query whole (summed by SQL, sorted,
 * cut to its limit), so this thread only plans the range and passes the answer on.
 */
export function activityHandlers(deps: AdminDeps): Pick<AdminHandlers, Handled> {
  const kindOf = new Map(deps.sources.map((s) => [s.id, s.kind]));
  const stages = funnelStageTypes(deps.sources);
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
      const series = await need().series({ ...range, stepMs: p.stepMs, points: p.points });
      return { ...answered, stepSeconds: p.stepMs / 1000, points: p.points, series };
    },
    async activityFunnel({ query }) {
      const { range, answered } = plan(query, false);
      const { categories, truncated } = await need().funnel({ ...range, limit: Math.min(query.limit, FUNNEL_ROWS), stages });
      return { ...answered, categories, truncated };
    },
    activityBounces: async ({ query }) => breakdown('bounce')(query),
    activityDeferrals: async ({ query }) => breakdown('deferral')(query),
    async activityLinks({ query }) {
      const { range, answered } = plan(query, false);
      return { ...answered, links: await need().topLinks({ ...range, limit: query.limit }) };
    },
  };
}
