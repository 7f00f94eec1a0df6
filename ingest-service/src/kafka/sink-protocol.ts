import type { KafkaSettings } from './client.js';
import type { PackedRecords } from './packed-records.js';
import type { KafkaSinkOptions } from './sink.js';

/** What the sink thread is started with: the cluster settings and the sink's options (no client: it builds its own). */
export interface SinkWorkerInit {
  settings: KafkaSettings;
  options: Omit<KafkaSinkOptions, 'kafka' | 'log'>;
}

/** One RecordSink call, as posted to the sink thread (records packed: packed-records.ts). */
export type SinkRequest =
  | { op: 'connect' }
  | { op: 'send'; packed: PackedRecords }
  | { op: 'ensureTopics'; topics: readonly string[] }
  | { op: 'disconnect' };

/** Every answer carries the sink's health, so healthy() on the main thread stays a plain read. */
export interface SinkAnswer {
  healthy: boolean;
}
