export { openRecord, openRecords, type ConsumedRecord, type ConsumerEvent, type LockedEvent, type OpenedEvent, type OpenRecordOptions } from './open-record.js';
export { consumerLockOf, type ConsumerLock, type ConsumerLockReason } from './lock-reasons.js';
export { createConsumerKeys, verifyIdentity, type ConsumerKeysOptions } from './consumer-keys.js';
export { createDepartmentConsumer, type DepartmentConsumer, type DepartmentConsumerOptions } from './department-consumer.js';
export { createDedupeWindow, isRepeat, type DedupeCandidate, type DedupeWindow } from './dedupe-window.js';
export { CONSUMER_ERRORS, type ConsumerErrorCode } from './errors.js';
export { eventLine, eventTable } from './event-line.js';
export type { ConsumerStats } from './stats.js';
