import { isSealpostError } from '../../../../shared/errors/index.js';
import { actorLabel } from '../../audit/index.js';
import { FORWARDER_ERRORS } from '../../forwarder/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { audited } from '../audited.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';
import type { Principal } from '../sign-in/sign-in.js';

type Ops = 'listBacklog' | 'listDeadLetters' | 'drain' | 'pause' | 'resume' | 'redrive' | 'discard';

/** Backlog and dead letters: look (clear facts only), drain, pause/resume, re-drive, discard. */
export function backlogHandlers(deps: AdminDeps): Pick<AdminHandlers, Ops> {
  const { journal, audit, log } = deps;
  const who = (p: Principal | null): Principal => p!;
  const by = (p: Principal): string => actorLabel(p.arn, deps.auditIndex.actorRef(p.arn));
  const knownSource = (id: string): void => {
    if (!deps.sources.some((s) => s.id === id)) {
      throw adminError(ADMIN_ERRORS.notFound, 404, `no source "${id}"; the sources are ${deps.sources.map((s) => s.id).join(', ')}`);
    }
  };

  return {
    async listBacklog({ query }) {
      if (query.source) knownSource(query.source);
      const stats = journal.stats();
      const exclude = query.source ? Object.keys(stats.pendingBySource).filter((s) => s !== query.source) : [];
      const entries = journal.nextBatch(query.limit, { excludeSources: exclude }).map((e) => ({
        seq: e.seq,
        source: e.source,
        kind: e.kind,
        receivedAt: e.receivedAt,
        size: e.size,
        redriveOf: e.redriveOf,
      }));
      return { pendingTotal: stats.pendingTotal, pendingBySource: stats.pendingBySource, entries };
    },

    async listDeadLetters({ query }) {
      return { deadLetters: journal.listDeadLetters(query) };
    },

    async drain({ body }, { principal }) {
      const forwarder = deps.forwarder;
      if (!forwarder) throw adminError(ADMIN_ERRORS.noKafka, 409, 'no Kafka is configured on this server: the backlog stays in the journal until a kafka section is added');
      const pendingBefore = journal.stats().pendingTotal;
      const started = deps.now();
      return audited(audit, log, who(principal), { action: 'drain', target: 'backlog/all', details: (r) => (r ? { drained: r.drained, pendingBefore, pendingAfter: r.pendingAfter, elapsedMs: r.elapsedMs } : { pendingBefore }) }, async () => {
        let drained = true;
        try {
          await forwarder.drainNow({ timeoutMs: body.timeoutMs });
        } catch (err) {
          if (!isSealpostError(err, FORWARDER_ERRORS.drainTimeout)) throw err;
          drained = false;
        }
        return { drained, pendingBefore, pendingAfter: journal.stats().pendingTotal, elapsedMs: deps.now() - started, lastError: drained ? null : (forwarder.counters().lastError ?? null) };
      });
    },

    async pause({ params, body }, { principal }) {
      knownSource(params.source);
      const p = who(principal);
      const note = body.reason;
      return audited(audit, log, p, { action: 'pause', target: `source/${params.source}`, ...(note ? { note } : {}) }, () => {
        journal.pause(params.source, { by: by(p), ...(note ? { reason: note } : {}) });
        return { source: params.source, paused: true, pending: journal.stats().pendingBySource[params.source] ?? 0 };
      });
    },

    async resume({ params }, { principal }) {
      knownSource(params.source);
      return audited(audit, log, who(principal), { action: 'resume', target: `source/${params.source}` }, () => {
        journal.resume(params.source);
        return { source: params.source, paused: false, pending: journal.stats().pendingBySource[params.source] ?? 0 };
      });
    },

    async redrive({ params }, { principal }) {
      const p = who(principal);
      const dl = journal.getDeadLetter(params.id);
      const details = (r?: { seq: number }) => ({ ...(dl ? { source: dl.source, reason: dl.reason } : {}), ...(r ? { seq: r.seq } : {}) });
      return audited(audit, log, p, { action: 'redrive', target: `dead-letter/${params.id}`, details }, () => ({ id: params.id, seq: journal.redrive(params.id, { by: by(p) }) }));
    },

    async discard({ params, body }, { principal }) {
      const p = who(principal);
      const dl = journal.getDeadLetter(params.id);
      const details = () => (dl ? { source: dl.source, reason: dl.reason } : {});
      return audited(audit, log, p, { action: 'discard', target: `dead-letter/${params.id}`, details, note: body.reason }, () => {
        journal.discardDeadLetter(params.id, { reason: body.reason, by: by(p) });
        return { id: params.id, state: 'discarded' as const };
      });
    },
  };
}
