import { randomUUID } from 'node:crypto';
import type { SuppressionEntry } from '../../../../shared/admin-api/index.js';
import type { StoredSuppression } from '../../suppressions/suppression-store.js';
import { isActive, stampTime } from '../../suppressions/suppression-state.js';
import type { Suppressions } from '../../suppressions/start-suppressions.js';
import type { AdminDeps } from '../admin-deps.js';
import { audited } from '../audited.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

const BUCKET_MS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
const EXPORT_LIMIT = 100_000;
const toMs = (v: string | number | undefined, fallback: number): number => (v === undefined ? fallback : typeof v === 'number' ? v : Date.parse(v));

/** A view row as the contract shows it: reasons in detail, the address only sealed. */
export function entryView(row: StoredSuppression): SuppressionEntry {
  const v = row.value;
  const detail: SuppressionEntry['detail'] = {};
  for (const [name, r] of Object.entries(v.reasons)) {
    detail[name] = {
      active: isActive(r),
      since: isActive(r) ? (r.since ?? null) : null,
      lastAt: r.lastOrd ? stampTime(r.lastOrd) : null,
      liftedAt: r.liftedOrd ? stampTime(r.liftedOrd) : null,
      liftedBy: r.liftedBy ?? null,
      source: r.source,
      eventId: r.eventId,
    };
  }
  return {
    key: row.key,
    subject: row.subject,
    group: row.group,
    reasons: row.reasons,
    since: row.since,
    updatedAt: new Date(row.updatedAt).toISOString(),
    detail,
    source: v.source,
    eventId: v.eventId,
    policyVersion: v.policyVersion,
    sealedId: v.sealedId,
    sealedSource: v.sealedSource,
    sections: v.sections,
    ...(v.keys ? { keys: v.keys } : {}),
  };
}

type Handlers = Pick<AdminHandlers, 'listSuppressions' | 'suppressionCounts' | 'exportSuppressions' | 'removeSuppression'>;

/**
 * The suppression list on the admin API, answered from this instance's view. Removal is an admin's
 * act: it writes the lifting record to the topic (so every instance lifts it) and is audited with
 * the operator's reason kept sealed in the audit record.
 */
export function suppressionHandlers(deps: AdminDeps & { suppressions?: Suppressions }): Handlers {
  const list = (): Suppressions => {
    if (!deps.suppressions) {
      throw adminError(ADMIN_ERRORS.notFound, 404, 'this server keeps no suppression list (it needs Kafka and suppressions.enabled)');
    }
    return deps.suppressions;
  };
  return {
    async listSuppressions({ query }) {
      const s = list();
      const active = query.active === 'true';
      if (query.subject) {
        const rows = s.store.bySubject(query.subject).filter((r) => !active || r.reasons.length > 0);
        return { entries: rows.map(entryView), next: null, total: s.store.activeCount(), ready: s.follower.state().ready };
      }
      const page = s.store.list({ activeOnly: active, limit: query.limit, ...(query.reason ? { reason: query.reason } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) });
      return { entries: page.rows.map(entryView), next: page.next, total: s.store.activeCount(), ready: s.follower.state().ready };
    },
    async suppressionCounts({ query }) {
      const s = list();
      const to = toMs(query.to, deps.now());
      const from = toMs(query.from, to - 30 * 86_400_000);
      const bucketMs = BUCKET_MS[query.bucket];
      const c = s.store.counts({ from, to, bucketMs });
      return {
        bucket: query.bucket,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        series: c.buckets.map((b) => ({ start: new Date(b.start).toISOString(), reason: b.reason, count: b.count })),
        totals: c.totals,
      };
    },
    async exportSuppressions(_req, { principal }) {
      const s = list();
      return audited(deps.audit, deps.log, principal!, { action: 'suppressions-export', target: `topic/${s.topic}`, details: (r) => ({ entries: r?.entries.length ?? 0 }) }, () => {
        const entries: SuppressionEntry[] = [];
        let truncated = false;
        for (const row of s.store.all()) {
          if (row.reasons.length === 0) continue;
          if (entries.length >= EXPORT_LIMIT) {
            truncated = true;
            break;
          }
          entries.push(entryView(row));
        }
        return { exportedAt: new Date(deps.now()).toISOString(), entries, truncated };
      });
    },
    async removeSuppression({ body }, { principal }) {
      const s = list();
      const key = body.group === undefined ? body.subject : `${body.subject}/group/${body.group}`;
      return audited(
        deps.audit,
        deps.log,
        principal!,
        { action: 'suppression-remove', target: `suppression/${key}`, note: body.reason, details: (r) => ({ reasons: r ? Object.keys(r.entry.detail).length : 0 }) },
        async () => {
          const eventId = `admin-${randomUUID()}`;
          const lifted = await s.writer.lift(body.subject, body.group, eventId);
          if (!lifted) throw adminError(ADMIN_ERRORS.notFound, 404, 'no suppression under this address (and group) on this server; search it first');
          const row = s.store.bySubject(body.subject).find((r) => r.key === key)!;
          // The view catches up when the lifting record is read back; answer with the lifted state now.
          return { entry: entryView({ ...row, value: lifted, reasons: [], since: null, updatedAt: deps.now() }) };
        },
      );
    },
  };
}
