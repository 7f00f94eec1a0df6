export { openJournal, type JournalOptions } from './journal.js';
export type { BacklogPort, DeadLetterPort, IngestPort, Journal, SourcesPort } from './ports.js';
export { createJournalCipher, entryAad, deadLetterAad, type JournalCipher } from './journal-cipher.js';
export { journalKeyPath, loadOrCreateJournalKey, JOURNAL_KEY_BYTES } from './journal-key.js';
export { JOURNAL_ERRORS } from './errors.js';
export type { DeadLetterQuery } from './dead-letters.js';
export type { NextBatchOptions } from './pending.js';
export type * from './types.js';
