import { oldestEvictor } from '../../../../shared/collections/oldest-evictor.js';
import { HEADERS } from '../../../../shared/envelope/index.js';
import { fillRandom, type SubjectKey } from '../../../../shared/seal/index.js';
import { SUBJECT_KEY_SCHEMA, subjectKeyRecordKey, subjectKeyRecordValue, type SubjectKeyPlaintext, type SubjectKeyRecord } from '../../../../shared/subject-keys/index.js';
import type { SinkRecord } from '../../kafka/sink.js';
import type { ForgetNotice } from '../contract.js';
import { createForgottenSubjects, type ForgottenSource } from './forgotten-subjects.js';
import { createRetiredKeys } from './retired-keys.js';

/** What the keyring needs: where key records go, how many keys to hold, who made them, and the sealer. */
export interface SubjectKeyringOptions {
  topic: string;
  cacheSize: number;
  /** Random id of this service process (SubjectKeyRecord.instance). */
  instance: string;
  /** The policy's departments (to drop every key of a forgotten subject). */
  departments: readonly string[];
  /** Seals subject keys under their departments' keys (FastSectionSealer.sealSubjectKeys). */
  seal(keys: readonly SubjectKeyPlaintext[]): Promise<string[]>;
  /** Zeroes keys nothing will seal with again, and their materials (FastSectionSealer.discardSubjectKeys). */
  discard(keys: readonly SubjectKey[]): void;
  /** Every forget this instance knows, on disk (the keys-topic follower's store); absent: only the notices count. */
  forgottenSource?: ForgottenSource;
  now?: () => number;
}

/** A cached key, with its key record until the forwarder says that record is in Kafka. */
interface Cached {
  key: SubjectKey;
  record: SinkRecord | undefined;
  /** Epoch ms it was made (its record's createdAt). */
  createdAt: number;
}

/** How an event about a subject is sealed. */
export type SubjectMode = 'keyed' | 'throwaway' | 'drop' | 'dead-letter';

// The key in memory of its own (never a slice of Node's shared pool, which a cached key would keep alive whole).
const newKey = (): SubjectKey => ({ id: fillRandom(Buffer.allocUnsafe(16)).toString('base64url'), key: fillRandom(Buffer.allocUnsafeSlow(32)) });
const slotOf = (subject: string, department: string): string => `${subject}\u0000${department}`;

/**
 * The subject keys of one expand worker (crypto-shredding, shared/subject-keys): an LRU of the key of
 * each (subject, department), new keys made locally and sealed under the department's held materials
 * (never a KMS call per subject), and their key records for the keys topic.
 *
 * A key's record goes with every batch that uses the key until the forwarder reports it produced: a
 * batch can be expanded and then dropped (a failed send, a look-ahead past the batch's end), and the next
 * batch must not carry sections under a key whose record never reached Kafka. Duplicates are harmless
 * on a compacted topic.
 *
 * A key that leaves the cache (evicted, replaced, forgotten) is zeroed with its materials once the expands
 * that may still seal with it have ended (retired-keys.ts); a throwaway key, when its expand ends.
 */
export function createSubjectKeyring(opts: SubjectKeyringOptions) {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const evictOldestKey = oldestEvictor(cache);
  const stats = { keysCreated: 0 };
  const retired = createRetiredKeys((keys) => opts.discard(keys));
  /** Drops the subject's cached keys (those made up to `madeUpTo`, when given): they are, or will be, tombstoned. */
  const dropKeysOf = (subject: string, madeUpTo = Infinity): void => {
    for (const d of opts.departments) {
      const cached = cache.get(slotOf(subject, d));
      if (!cached || cached.createdAt > madeUpTo) continue;
      cache.delete(slotOf(subject, d));
      retired.retire(cached.key);
    }
  };
  // As many forget answers held as keys. A forget first learned from disk (its notice not here yet, or its
  // answer dropped and read again) drops the keys made up to it, so none is used again for the subject.
  const forgotten = createForgottenSubjects({
    ...(opts.forgottenSource ? { source: opts.forgottenSource } : {}),
    limit: opts.cacheSize,
    learned: (subject, atMs) => dropKeysOf(subject, atMs),
  });

  const put = (slot: string, value: Cached): void => {
    const prev = cache.get(slot);
    cache.delete(slot);
    cache.set(slot, value);
    if (prev && prev.key !== value.key) retired.retire(prev.key); // two expands made a key for one slot
    if (cache.size > opts.cacheSize) evictOldestKey((slot) => retired.retire(cache.get(slot)!.key));
  };

  /** One expand's use of the keyring: the keys it took and made, then its key records. */
  function begin() {
    /** What mode() saw of each subject's forget: a different answer at finish() means it was forgotten meanwhile. */
    const seen = new Map<string, number | undefined>();
    const forgottenSince = (subject: string): boolean => forgotten.atMs(subject) !== seen.get(subject);
    const fresh = new Map<string, { subject: string; department: string; key: SubjectKey; createdAt: number }>();
    const unconfirmed = new Map<string, { subject: string; record: SinkRecord }>();
    const throwaways: SubjectKey[] = [];
    const kept = new Set<SubjectKey>();
    const leave = retired.enter();
    let ended = false;
    return {
      /** How an event about `subject`, received at `receivedAt`, is sealed under the rule's `forgotten` setting. */
      mode(subject: string, receivedAt: number, rule: 'new-key' | 'drop' | 'dead-letter'): SubjectMode {
        const at = forgotten.atMs(subject);
        seen.set(subject, at);
        if (at === undefined) return 'keyed';
        if (receivedAt <= at) return 'throwaway';
        return rule === 'new-key' ? 'keyed' : rule;
      },
      /** The key of (subject, department): cached, made earlier in this expand, or new. */
      keyFor(subject: string, department: string): SubjectKey {
        const slot = slotOf(subject, department);
        const mine = fresh.get(slot);
        if (mine) return mine.key;
        const cached = cache.get(slot);
        if (cached) {
          put(slot, cached); // most recently used
          if (cached.record) unconfirmed.set(cached.record.key, { subject, record: cached.record });
          return cached.key;
        }
        const key = newKey();
        fresh.set(slot, { subject, department, key, createdAt: now() });
        return key;
      },
      /** A key that is never kept nor sent: what it seals is unreadable from the start (a forgotten subject's older entries). */
      throwaway(): SubjectKey {
        const key = newKey();
        throwaways.push(key);
        return key;
      },
      /**
       * Seals the new keys, caches them, and returns the key records this expand's records need. A key of
       * a subject forgotten while this expand ran is neither kept nor sent: what it sealed stays unreadable.
       */
      async finish(): Promise<SinkRecord[]> {
        const made = [...fresh.values()];
        const sealed = made.length ? await opts.seal(made.map((f) => ({ keyId: f.key.id, subject: f.subject, department: f.department, key: f.key.key.toString('base64') }))) : [];
        const out: SinkRecord[] = [];
        for (const { subject, record } of unconfirmed.values()) if (!forgottenSince(subject)) out.push(record);
        made.forEach((f, i) => {
          if (forgottenSince(f.subject)) return;
          const value: SubjectKeyRecord = {
            schema: SUBJECT_KEY_SCHEMA,
            subject: f.subject,
            department: f.department,
            keyId: f.key.id,
            createdAt: new Date(f.createdAt).toISOString(),
            instance: opts.instance,
            sealed: sealed[i]!,
          };
          const record: SinkRecord = {
            topic: opts.topic,
            key: subjectKeyRecordKey(f.subject, f.department, f.key.id),
            value: subjectKeyRecordValue(value),
            headers: { [HEADERS.schema]: SUBJECT_KEY_SCHEMA },
          };
          put(slotOf(f.subject, f.department), { key: f.key, record, createdAt: f.createdAt });
          kept.add(f.key);
          stats.keysCreated++;
          out.push(record);
        });
        return out;
      },
      /** Once the expand's sealing and finish() have settled (or failed): its keys that were not kept are zeroed. */
      end(): void {
        if (ended) return;
        ended = true;
        const own = [...throwaways];
        for (const f of fresh.values()) if (!kept.has(f.key)) own.push(f.key);
        if (own.length) opts.discard(own);
        leave();
      },
    };
  }

  return {
    begin,
    /** Subjects forgotten: their cached keys are dropped; their entries received up to the forget are shredded. */
    forgotten(notices: readonly ForgetNotice[]): void {
      for (const subject of forgotten.add(notices)) dropKeysOf(subject);
    },
    /**
     * Key records (their Kafka keys) this instance's follower tombstoned after a forget (a key made within the
     * grace, docs/forget.md): a cached one is dropped, so nothing more is sealed under a shredded key.
     */
    shredded(recordKeys: readonly string[]): void {
      for (const k of recordKeys) {
        const [kind, subject, department, keyId] = k.split('/');
        if (kind !== 'key' || !subject || !department) continue;
        const cached = cache.get(slotOf(subject, department));
        if (!cached || cached.key.id !== keyId) continue;
        cache.delete(slotOf(subject, department));
        retired.retire(cached.key);
      }
    },
    /** Key records (their Kafka keys) the forwarder produced: they need not travel with later batches. */
    produced(recordKeys: readonly string[]): void {
      for (const k of recordKeys) {
        const [kind, subject, department, keyId] = k.split('/');
        if (kind !== 'key' || !subject || !department) continue;
        const cached = cache.get(slotOf(subject, department));
        if (cached && cached.key.id === keyId) cached.record = undefined; // (not `delete`: that makes thousands of objects slow)
      }
    },
    stats: () => ({ ...stats, cachedKeys: cache.size, forgottenSubjects: forgotten.size() }),
    /** Zeroes every key held (the worker is closing: nothing seals again). */
    close(): void {
      retired.discardAll();
      opts.discard([...cache.values()].map((c) => c.key));
      cache.clear();
    },
  };
}

export type SubjectKeyring = ReturnType<typeof createSubjectKeyring>;
export type SubjectKeyBatch = ReturnType<SubjectKeyring['begin']>;
