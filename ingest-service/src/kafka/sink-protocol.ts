import type { KafkaSettings } from './client.js';
import type { KafkaSinkOptions, SinkRecord } from './sink.js';

/** What the sink thread is started with: the cluster settings and the sink's options (no client: it builds its own). */
export interface SinkWorkerInit {
  settings: KafkaSettings;
  options: Omit<KafkaSinkOptions, 'kafka' | 'log'>;
}

/** One RecordSink call, as posted to the sink thread (record values arrive as Uint8Arrays). */
export type SinkRequest =
  | { op: 'connect' }
  | { op: 'send'; records: (Omit<SinkRecord, 'value'> & { value: Uint8Array })[] }
  | { op: 'ensureTopics'; topics: readonly string[] }
  | { op: 'disconnect' };

/** Every answer carries the sink's health, so healthy() on the main thread stays a plain read. */
export interface SinkAnswer {
  healthy: boolean;
}
