import { EVENT_INDEX_ERRORS } from '../../event-index/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

const toMs = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : Date.parse(v));

/**
 * The audit query over `events` sources: checked here (a source this service does not index is a 400
 * that lists the ones it does), the subject turned into its blind index here (so the value never
 * reaches the index thread), the query answered by the index thread.
 */
export function eventHandlers(deps: AdminDeps): Pick<AdminHandlers, 'queryEvents'> {
  return {
    async queryEvents({ body }) {
      const index = deps.eventIndex;
      if (!index) {
        throw adminError(
          EVENT_INDEX_ERRORS.off,
          409,
          deps.config.kafka
            ? 'the event index is off on this server (eventIndex.enabled: false); turn it on to query events sources'
            : 'the event index needs Kafka (it reads the events topics); this server runs journal-only: configure kafka',
        );
      }
      if (body.source !== undefined && !index.sources.some((s) => s.id === body.source)) {
        throw adminError(EVENT_INDEX_ERRORS.notIndexed, 400, `source "${body.source}" is not indexed here; indexed sources: ${index.sources.map((s) => s.id).join(', ') || 'none'}`, {
          details: { indexed: index.sources.map((s) => s.id) },
        });
      }
      const from = toMs(body.from);
      const to = toMs(body.to);
      const subject = body.subject !== undefined ? await deps.subjectIndex(body.subject) : undefined;
      const [page, state] = await Promise.all([
        index.query({
          limit: body.limit,
          ...(body.source !== undefined ? { source: body.source } : {}),
          ...(body.type !== undefined ? { type: body.type } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          ...(body.fields !== undefined ? { fields: body.fields } : {}),
          ...(subject !== undefined ? { subject } : {}),
          ...(body.keyword !== undefined ? { keyword: body.keyword } : {}),
          ...(body.cursor !== undefined ? { cursor: body.cursor } : {}),
        }),
        index.state(),
      ]);
      return {
        ...page,
        index: {
          sources: index.sources.map((s) => ({ id: s.id, topic: s.topic })),
          running: state.running,
          yielding: state.yielding,
          indexed: state.indexed,
          skipped: state.skipped,
          lastIndexedAt: state.lastIndexedAt,
          lastError: state.lastError,
          retentionDays: deps.config.eventIndex.retentionDays,
        },
      };
    },
  };
}
