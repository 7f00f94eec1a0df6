import type { BlindIndexer } from '../../../shared/blind-index/index.js';
import { subjectKeyRecordKey } from '../../../shared/subject-keys/index.js';
import type { ForgetSink } from '../expand/contract.js';
import type { KeysFollower } from './follower.js';
import { forgottenRecord, type KeysProducer } from './keys-producer.js';
import type { KeysStore } from './keys-store.js';

/** What one forget did (the admin API's answer). */
export interface ForgetOutcome {
  subject: string;
  keysTombstoned: number;
  departments: string[];
  forgottenAt: string;
}

/** Forgets people by address; see createSubjectForgetter. */
export interface SubjectForgetter {
  /** The blind index of an address (the audit target), without forgetting anything. */
  subjectOf(address: string): Promise<string>;
  /** Forgets the subject of `address` (already validated by the contract). */
  forget(address: string): Promise<ForgetOutcome>;
}

export interface SubjectForgetterDeps {
  indexer(): Promise<BlindIndexer>;
  /** The keys topic exists and is compacted (kafka/ensure-topics.ts); rejects retriable otherwise. */
  ensureTopic(): Promise<void>;
  follower: Pick<KeysFollower, 'caughtUp' | 'flushSoon'>;
  store: Pick<KeysStore, 'liveKeys' | 'forgetLocally'>;
  producer: KeysProducer;
  sink: ForgetSink;
  now: () => number;
  /** How long to wait for this instance to have read the keys topic to its end (default 10 s). */
  catchUpMs?: number;
  counted?: { forgotten(): void; tombstones(n: number): void };
}

/**
 * Forgetting one person: the address becomes its blind index here (never stored, never logged); this
 * instance first reads the keys topic to its end, so it knows every key any instance made until now;
 * then every one of them is tombstoned and the forget marker written, in one produce acknowledged by all
 * in-sync replicas, before anything is changed locally. Only then does the local store drop the keys
 * and the local expand side hear of it; every other instance learns it from the marker (follower.ts),
 * and keys that were still on their way are shredded there by the marker's time. A second call for the
 * same person writes a new marker and tombstones nothing more (0 keys): harmless.
 */
export function createSubjectForgetter(deps: SubjectForgetterDeps): SubjectForgetter {
  const subjectOf = async (address: string): Promise<string> => (await deps.indexer())(address);
  return {
    subjectOf,
    async forget(address) {
      const subject = await subjectOf(address);
      await deps.ensureTopic();
      await deps.follower.caughtUp(deps.catchUpMs ?? 10_000);
      const keys = deps.store.liveKeys(subject);
      const at = deps.now();
      const tombstoned = keys.map((k) => subjectKeyRecordKey(k.subject, k.department, k.keyId));
      await deps.producer.send(tombstoned, forgottenRecord(subject, at));
      if (deps.store.forgetLocally(subject, at, tombstoned).length) deps.follower.flushSoon();
      deps.sink.forgotten([{ subject, forgottenAtMs: at }]);
      deps.counted?.forgotten();
      deps.counted?.tombstones(keys.length);
      return { subject, keysTombstoned: keys.length, departments: [...new Set(keys.map((k) => k.department))].sort(), forgottenAt: new Date(at).toISOString() };
    },
  };
}
