import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { KafkaCall } from '../session/kafka-session.js';
import { groupLag, topicPartitions } from './topic-admin.js';
import { listTopics } from './topic-list.js';

/** The channels of the Topics and Partitions & lag pages. */
export type TopicChannel = 'topics:list' | 'topic:partitions' | 'groups:lag';

/** Topics, a topic's partitions and its consumer groups' lag; long fan-outs stop when the session closes. */
export function topicHandlers(kafkaCall: KafkaCall): Pick<ConsoleHandlers, TopicChannel> {
  return {
    async 'topics:list'(args) {
      return kafkaCall((s) => listTopics(s.admin, s.cluster, args?.includeInternal ?? false, () => s.closed));
    },

    async 'topic:partitions'({ topic }) {
      return kafkaCall((s) => topicPartitions(s.admin, topic), topic);
    },

    async 'groups:lag'({ topic }) {
      return kafkaCall((s) => groupLag(s.admin, topic, () => s.closed), topic);
    },
  };
}
