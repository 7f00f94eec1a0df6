import { z } from 'zod';
import { SealpostError } from '../../../shared/errors/index.js';
import type { KnownSource } from '../config/source-table.js';
import { EVENT_INDEX_ERRORS } from './errors.js';

/**
 * The `eventIndex` section: the local query index of `events` sources behind the admin API's events
 * query. Kept beside the index code so config-schema.ts only gains one line. It runs only when the
 * service has Kafka (it tails the topics) and an admin API (the only way to query it).
 */
export const eventIndexSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Rows older than this (by the time the service received the event) are deleted. */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** Source ids to index (each an `events` source, or the audit source); absent: every `events` source. */
  sources: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)).min(1).optional(),
});
export type EventIndexConfig = z.infer<typeof eventIndexSchema>;
export const EVENT_INDEX_DEFAULTS: EventIndexConfig = { enabled: true, retentionDays: 30 };

/** An indexed source: its id and the topic its envelopes are read from. */
export interface IndexedSource {
  id: string;
  topic: string;
}

/**
 * The sources the index tails: the `events` sources of the source table (the audit source included),
 * narrowed to eventIndex.sources when given. Checked at start: a listed id that is not an `events`
 * source stops the service with a message naming it.
 */
export function indexedSources(settings: EventIndexConfig, table: readonly KnownSource[]): IndexedSource[] {
  const events = table.filter((s) => s.kind === 'events');
  if (!settings.sources) return events.map((s) => ({ id: s.id, topic: s.topic }));
  const unknown = settings.sources.filter((id) => !events.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new SealpostError(
      EVENT_INDEX_ERRORS.unknownSource,
      `eventIndex.sources names ${unknown.map((u) => `"${u}"`).join(', ')}, not an events source of this config (events sources: ${events.map((s) => s.id).join(', ') || 'none'})`,
    );
  }
  return events.filter((s) => settings.sources!.includes(s.id)).map((s) => ({ id: s.id, topic: s.topic }));
}
