export { eventIndexSchema, indexedSources, EVENT_INDEX_DEFAULTS, type EventIndexConfig, type IndexedSource } from './event-index-config.js';
export { openEventStore, type EventStore } from './event-store.js';
export { envelopeRow, clearFields, type EventRow } from './envelope-row.js';
export type { EventQuery, EventHit } from './event-query.js';
export { startIndexConsumer, type IndexerStats } from './index-consumer.js';
export { forwardableBacklog, startEventIndex, RESUME_AT_ENTRIES, YIELD_ABOVE_ENTRIES, type EventIndexHandle } from './worker-event-index.js';
export type { IndexState } from './index-protocol.js';
export { createSubjectIndexer, type SubjectIndexer } from './subject-indexer.js';
export { EVENT_INDEX_ERRORS } from './errors.js';
