import type { KafkaSettings } from '../kafka/client.js';
import type { IndexedSource } from './event-index-config.js';
import type { EventHit, EventQuery } from './event-query.js';
import type { IndexerStats } from './index-consumer.js';

/** What the event-index thread starts from. */
export interface IndexWorkerInit {
  kafka: KafkaSettings;
  dataDir: string;
  sources: IndexedSource[];
  retentionDays: number;
}

export type IndexRequest = { op: 'query'; query: EventQuery } | { op: 'stats' } | { op: 'yield'; on: boolean };

/** The index's state as the admin API reports it. */
export interface IndexState extends IndexerStats {
  groupId: string;
  /** Rows in the index now. */
  rows: number;
}

export type IndexAnswer = { events: EventHit[]; next: string | null } | IndexState | null;
