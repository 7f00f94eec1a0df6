import type { MessageHeader } from '@aws-crypto/serialize';
import type { Envelope } from '../envelope/index.js';
import type { SubjectKeySource } from '../subject-keys/key-book.js';
import { PURPOSE_CONTEXT_KEY, SUBJECT_KEY_CONTEXT_KEY, subjectKeyRecordKey, type SubjectKeyPlaintext, type SubjectKeyRecord } from '../subject-keys/format.js';
import { createFastKeyCache, type FastKeyCache } from './fast-key-cache.js';
import { LockError } from './lock-reason.js';
import { checkOpenedSection, failureReason } from './section-check.js';
import { locked, subjectKeyVerdict, tampered } from './subject-key-verdict.js';
import type { HeaderContext } from './subject-header.js';
import { openUnderSubjectKey, openUnderSubjectKeySync, type SubjectOpened } from './subject-section-open.js';
import type { LockedSection, SectionResult } from './types.js';

export interface SubjectSectionsOptions {
  /**
   * Opens an ESDK message sealed under the department's own key, exactly as the opener opens a v1 section
   * (its fast path, else the stock decrypt, through its materials): KMS failures throw LockError with
   * today's reasons (lock-reason.ts).
   */
  openDepartmentMessage(message: Buffer): Promise<{ plaintext: Buffer; messageHeader: MessageHeader }>;
  /** Opened subject keys kept per keys-topic book, and for how long. */
  capacity: number;
  maxAgeMs: number;
  maxEncryptedDataKeys: number;
}

/** The v2 half of one opener (one identity). */
export interface SubjectSections {
  /** Opens the `department` section (base64 `b64`) that `envelope.keys` says is sealed under subject key `keyId`. */
  /** `since`: when the records were already read (the open() call began), so one read of the keys topic serves them all. */
  open(envelope: Envelope, department: string, b64: string, keyId: string, source: SubjectKeySource | undefined, since?: number): Promise<SectionResult>;
  /**
   * The same, synchronously, when nothing need be awaited: the book holds the key record (no read of the keys topic)
   * and its subject key is already open here; otherwise undefined (then `open`). The caller has awaited
   * `source.ready()` for the records at hand (the consumer kit does, once per chunk).
   */
  openSync(envelope: Envelope, department: string, b64: string, keyId: string, source: SubjectKeySource): SectionResult | undefined;
  /** Zeroes every opened subject key (opener closed). */
  clear(): void;
}

/** An opened subject key's cache entry: the sealed record it came from, and the contexts its sections' headers state. */
interface KeyEntry {
  sealed: string;
  contexts: HeaderContext[];
  /** The key id's UTF-8 bytes (its sections' data keys are found by them). */
  keyName: Buffer;
}

/** A book record's record key, made once per record object (the book hands out the same object until it changes). */
const recordKeys = new WeakMap<SubjectKeyRecord, string>();
const recordKeyOf = (rec: SubjectKeyRecord): string => {
  let id = recordKeys.get(rec);
  if (id === undefined) recordKeys.set(rec, (id = subjectKeyRecordKey(rec.subject, rec.department, rec.keyId)));
  return id;
};

/**
 * Sections opened synchronously are decoded into one scratch buffer (no buffer per section): the message is read only
 * within openSync's synchronous call, and nothing opened keeps a view of it (the walked path states its context by the
 * cached HeaderContext; a header the SDK parsed is read by the checks before openSync returns). Ciphertext only.
 */
const scratch = Buffer.allocUnsafe(16 * 1024);
const decodeSection = (b64: string): Buffer => {
  if (b64.length > (scratch.length / 3) * 4) return Buffer.from(b64, 'base64');
  return scratch.subarray(0, scratch.write(b64, 'base64'));
};

/**
 * Opens v2 sections in the two documented steps, for one identity: (1) the sealed key record with the
 * department's own keyring, checked against its record (key id, subject, department) and context
 * (department, purpose); (2) the section under that subject key, then the usual context and id checks plus
 * `sealpost:subject-key`. Opened subject keys are cached per keys-topic book (bounded, aged, zeroed when
 * dropped), and dropped the moment the book reads their tombstone or their subject's forget marker; the
 * book is consulted before every use, so a forgotten key stops opening as soon as the book knows.
 */
export function createSubjectSections(opts: SubjectSectionsOptions): SubjectSections {
  /** Per keys-topic book: its opened keys (by record key, with the sealed record and their own data keys) and the key records being opened for it. */
  interface Held {
    keys: FastKeyCache<KeyEntry>;
    inflight: Map<string, Promise<LockedSection | undefined>>;
    unsubscribe: () => void;
  }
  const caches = new Map<SubjectKeySource, Held>();

  const heldFor = (source: SubjectKeySource): Held => {
    let held = caches.get(source);
    if (!held) {
      const keys = createFastKeyCache<KeyEntry>({ capacity: opts.capacity, maxAgeMs: opts.maxAgeMs });
      const unsubscribe = source.onDrop((recordKey) => {
        if (recordKey !== null) return keys.delete(recordKey);
        keys.clear();
        caches.get(source)?.unsubscribe();
        caches.delete(source);
      });
      caches.set(source, (held = { keys, inflight: new Map(), unsubscribe }));
    }
    return held;
  };

  /** Step 1: the subject key out of its sealed record (a copy the caller zeroes), or why not. */
  async function openKeyRecord(rec: SubjectKeyRecord, department: string): Promise<Buffer | LockedSection> {
    let opened: { plaintext: Buffer; messageHeader: MessageHeader };
    try {
      opened = await opts.openDepartmentMessage(Buffer.from(rec.sealed, 'base64'));
    } catch (err) {
      if (err instanceof LockError) return err.lock;
      const reason = failureReason(err);
      return locked('tampered', `the sealed subject key ${rec.keyId} of ${department} did not authenticate (${reason}): the keys topic holds an altered record`, { check: 'authentication' });
    }
    const { plaintext, messageHeader } = opened;
    try {
      const ctx = messageHeader.encryptionContext;
      if (ctx['sealpost:department'] !== department || ctx[PURPOSE_CONTEXT_KEY] !== 'subject-key') {
        return tampered(`the sealed subject key ${rec.keyId} is not a ${department} subject key (its encryption context says otherwise): do not trust the keys topic record`);
      }
      let p: Partial<SubjectKeyPlaintext> | undefined;
      try {
        p = JSON.parse(plaintext.toString('utf8')) as Partial<SubjectKeyPlaintext>;
      } catch {
        p = undefined;
      }
      const key = typeof p?.key === 'string' ? Buffer.from(p.key, 'base64') : undefined;
      if (!p || p.keyId !== rec.keyId || p.subject !== rec.subject || p.department !== department || !key || key.length !== 32) {
        key?.fill(0);
        return locked('tampered', `the sealed subject key ${rec.keyId} holds another key id, subject or department than its keys-topic record: do not trust it`, { check: 'id' });
      }
      return key;
    } finally {
      plaintext.fill(0);
    }
  }

  /** A copy of the opened subject key of `rec` (the caller zeroes it), or why not. */
  async function subjectKey(envelope: Envelope, rec: SubjectKeyRecord, department: string, source: SubjectKeySource): Promise<Buffer | LockedSection> {
    const { keys, inflight } = heldFor(source);
    const id = recordKeyOf(rec);
    for (let attempt = 0; attempt < 2; attempt++) {
      const hit = keys.lookup(id);
      if (hit && hit.meta.sealed === rec.sealed) return Buffer.from(hit.key);
      // Concurrent sections of one subject open its record once; the key reaches them through the cache only.
      const flight = `${id}\u0000${rec.sealed}`;
      let running = inflight.get(flight);
      if (!running) {
        running = openKeyRecord(rec, department).then((out) => {
          if (!Buffer.isBuffer(out)) return out;
          // Kept only while the book still holds this very record: a tombstone read meanwhile wins.
          if (source.key(rec.keyId, rec.department, rec.subject)?.sealed === rec.sealed) keys.put(id, out, { sealed: rec.sealed, contexts: [], keyName: Buffer.from(rec.keyId, 'utf8') });
          out.fill(0);
          return undefined;
        });
        inflight.set(flight, running);
        void running.finally(() => inflight.delete(flight)).catch(() => undefined);
      }
      const lock = await running;
      if (lock) return lock;
      const verdict = subjectKeyVerdict(envelope, department, rec.keyId, source);
      if ('state' in verdict) return verdict;
    }
    return locked('subject_key_missing', `subject key ${rec.keyId} could not be kept open (the opener's subject-key cache is full); retry`);
  }

  /** The held entry of `rec`'s subject key when it is open here (same sealed record), else undefined. */
  const entryOf = (source: SubjectKeySource, rec: SubjectKeyRecord): { key: Buffer; meta: KeyEntry } | undefined => {
    const hit = caches.get(source)?.keys.lookup(recordKeyOf(rec));
    return hit && hit.meta.sealed === rec.sealed ? hit : undefined;
  };

  /** Step 2's checks once the section opened under subject key `keyId`: the key id in its context, then the usual ones. */
  const checked = (envelope: Envelope, department: string, keyId: string, { plaintext, messageHeader }: SubjectOpened): SectionResult => {
    try {
      if (messageHeader.encryptionContext[SUBJECT_KEY_CONTEXT_KEY] !== keyId) {
        return tampered(`the ${department} section's encryption context does not name subject key ${keyId}: it was moved; do not trust it`);
      }
      return checkOpenedSection(envelope, department, messageHeader.encryptionContext, plaintext);
    } finally {
      plaintext.fill(0);
    }
  };
  const failed = (department: string, err: unknown): LockedSection => {
    if (err instanceof LockError) return err.lock;
    const reason = failureReason(err);
    return locked('tampered', `the ${department} section did not authenticate under its subject key (${reason}): it was altered; do not trust it`, { check: 'authentication' });
  };

  function openSync(envelope: Envelope, department: string, b64: string, keyId: string, source: SubjectKeySource): SectionResult | undefined {
    if (!caches.has(source)) return undefined; // nothing opened through this book yet
    let verdict: SubjectKeyRecord | LockedSection;
    if (envelope.recipient !== undefined) {
      const rec = source.key(keyId, department, envelope.recipient);
      if (!rec) return undefined; // a miss: read the topic first
      verdict = subjectKeyVerdict(envelope, department, keyId, source, rec);
    } else verdict = subjectKeyVerdict(envelope, department, keyId, source);
    if ('state' in verdict) return verdict;
    const entry = entryOf(source, verdict);
    if (!entry) return undefined;
    try {
      // Synchronous from the lookup on: the entry's key cannot be zeroed under this call.
      const opened = openUnderSubjectKeySync(decodeSection(b64), keyId, entry.key, department, opts.maxEncryptedDataKeys, entry.meta.contexts, entry.meta.keyName);
      return opened ? checked(envelope, department, keyId, opened) : undefined;
    } catch (err) {
      return failed(department, err);
    }
  }

  async function open(envelope: Envelope, department: string, b64: string, keyId: string, source: SubjectKeySource | undefined, since?: number): Promise<SectionResult> {
    if (!source) {
      return locked('subject_key_missing', `this ${department} section is sealed under a subject key (crypto-shredding) and this reader does not follow the keys topic: give it the keys topic (--keys-topic, or the console's Settings)`);
    }
    await source.ready();
    // Written just before this record (another partition), not read yet: read up to the end as of `since`.
    if (envelope.recipient !== undefined && !source.key(keyId, department, envelope.recipient)) await source.refresh(since);
    const verdict = subjectKeyVerdict(envelope, department, keyId, source);
    if ('state' in verdict) return verdict;
    const key = await subjectKey(envelope, verdict, department, source);
    if (!Buffer.isBuffer(key)) return key;
    try {
      // The book is asked again after every wait: a tombstone that arrived meanwhile stops this open.
      const now = subjectKeyVerdict(envelope, department, keyId, source);
      if ('state' in now) return now;
      const contexts = entryOf(source, now)?.meta.contexts;
      return checked(envelope, department, keyId, await openUnderSubjectKey(Buffer.from(b64, 'base64'), keyId, key, department, opts.maxEncryptedDataKeys, contexts));
    } catch (err) {
      return failed(department, err);
    } finally {
      key.fill(0);
    }
  }

  return {
    open,
    openSync,
    clear() {
      for (const { keys, unsubscribe } of caches.values()) {
        keys.clear();
        unsubscribe();
      }
      caches.clear();
    },
  };
}
