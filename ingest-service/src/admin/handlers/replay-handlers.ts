import type { ReplayManager } from '../../replay/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { audited } from '../audited.js';
import { ADMIN_ERRORS, adminError } from '../errors.js';
import type { AdminHandlers } from '../server.js';

/** Replay of a topic range into another topic: start (audited), list, status, cancel (audited). */
export function replayHandlers(deps: AdminDeps): Pick<AdminHandlers, 'replay' | 'listReplays' | 'replayStatus' | 'cancelReplay'> {
  const manager = (): ReplayManager => {
    if (!deps.replays) throw adminError(ADMIN_ERRORS.noKafka, 409, 'no Kafka is configured on this server, so there is nothing to replay');
    return deps.replays;
  };
  return {
    async replay({ body }, { principal }) {
      const m = manager();
      const partitions = body.ranges.map((r) => r.partition).join(',');
      return audited(
        deps.audit,
        deps.log,
        principal!,
        {
          action: 'replay',
          target: `topic/${body.sourceTopic}`,
          details: (job) => ({ sourceTopic: body.sourceTopic, targetTopic: body.targetTopic, partitions, ...(job ? { replayId: job.id, total: job.total } : {}) }),
        },
        () => m.start(body),
      );
    },
    async listReplays() {
      return { jobs: deps.replays?.list() ?? [] };
    },
    async replayStatus({ params }) {
      return manager().get(params.id);
    },
    async cancelReplay({ params }, { principal }) {
      const m = manager();
      return audited(deps.audit, deps.log, principal!, { action: 'replay-cancel', target: `replay/${params.id}`, details: (job) => (job ? { copied: job.copied, total: job.total, state: job.state } : {}) }, () => m.cancel(params.id));
    },
  };
}
