import type { AdminDeps } from '../admin-deps.js';
import type { AdminHandlers } from '../server.js';

const toMs = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : Date.parse(v));

/** The console's audit view (query) and its reports of decryptions and exports (record). */
export function auditHandlers(deps: AdminDeps): Pick<AdminHandlers, 'recordAudit' | 'queryAudit'> {
  return {
    async recordAudit({ body }, { principal }) {
      return deps.audit.record({
        action: body.action,
        actor: principal!.arn,
        target: body.target,
        outcome: body.outcome,
        details: body.details,
        reporter: 'sealpost-console',
      });
    },
    async queryAudit({ query }) {
      const action = query.action?.startsWith('sealpost.admin.') ? query.action.slice('sealpost.admin.'.length) : query.action;
      const from = toMs(query.from);
      const to = toMs(query.to);
      const r = deps.auditIndex.query({
        limit: query.limit,
        ...(query.actor !== undefined ? { actor: query.actor } : {}),
        ...(query.actorAccount !== undefined ? { actorAccount: query.actorAccount } : {}),
        ...(query.actorRole !== undefined ? { actorRole: query.actorRole } : {}),
        ...(action !== undefined ? { action } : {}),
        ...(query.target !== undefined ? { target: query.target } : {}),
        ...(query.outcome !== undefined ? { outcome: query.outcome } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(query.keyword !== undefined ? { keyword: query.keyword } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      return {
        next: r.next,
        events: r.events.map((e) => ({
          id: e.id,
          type: e.type,
          action: e.action,
          time: e.time,
          actor: { arn: e.actor, ...e.actorFacts },
          target: e.target,
          outcome: e.outcome,
          details: e.details,
        })),
      };
    },
  };
}
