export * from './format.js';
export { createKeyBook, madeBeforeForget, type KeyBook, type KeyClaim, type SubjectKeySource } from './key-book.js';
export { followKeysTopic, type FollowKeysTopicOptions, type KeysTopicFollower } from './follow-keys-topic.js';
