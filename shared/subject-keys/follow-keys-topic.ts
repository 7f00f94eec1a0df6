import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { SUBJECT_KEYS_TOPIC } from './format.js';
import { createKeyBook, type KeyBook, type SubjectKeySource } from './key-book.js';

export interface FollowKeysTopicOptions {
  /** A kafkajs client with the reader's own brokers, TLS and SASL (it needs read access to the keys topic). */
  kafka: Kafka;
  /** Default SUBJECT_KEYS_TOPIC. */
  topic?: string;
  /** How long ready() waits for the first full read. Default 20 s (a consumer group join alone may take 3 s). */
  readyTimeoutMs?: number;
  /** How long refresh() waits to reach the current end. Default 5 s. */
  refreshTimeoutMs?: number;
  /** A start that failed (topic missing, brokers away) is tried again at most this often. Default 2 s. */
  refreshEveryMs?: number;
  /** Silence (fetches answering no record) after which a joined reader counts as at the end. Default 1.5 s. */
  idleMs?: number;
  /**
   * Keep only the key records of these departments (a department consumer opens nothing else). Every key record
   * kept costs about 1.3 KB of heap (docs/consumers.md, "Memory"): a book of every department holds them all.
   */
  departments?: readonly string[];
}

/** A book that follows the keys topic; closing it zeroes every opened copy its listeners hold. */
export interface KeysTopicFollower extends SubjectKeySource {
  readonly book: KeyBook;
  close(): Promise<void>;
}

interface Waiter {
  targets: Map<number, number>;
  since: number;
  resolve(reached: boolean): void;
}

/**
 * Follows the compacted keys topic from its beginning, every partition, for as long as the reader runs:
 * a consumer group of its own (random id, nothing committed), so each reader holds every key record and
 * forget marker and applies a tombstone as soon as the broker hands it over (within the fetch wait, well
 * under a second). It starts on first use, so a reader of v1 records only never touches the keys topic.
 *
 * "At the end" is the high watermark per partition; because compaction can remove the last records of a
 * partition, a reader that joined and whose fetches brought nothing for `idleMs` also counts as at the end.
 * A miss (a record names a key the book does not hold) is answered only after a read to an end taken
 * after the record was read: the service writes a key record before the records sealed under it, but on
 * another partition, so it may be on its way; reporting subject_key_missing before would be wrong.
 * Problems (topic missing, no read access, brokers away) never throw: they are reported by problem(), and
 * sections that need a key this book does not hold lock with that reason (subject_key_missing).
 */
export function followKeysTopic(opts: FollowKeysTopicOptions): KeysTopicFollower {
  const topic = opts.topic ?? SUBJECT_KEYS_TOPIC;
  const book = createKeyBook(opts.departments ? { departments: opts.departments } : {});
  const idleMs = opts.idleMs ?? 1_500;
  const positions = new Map<number, number>();
  const waiters = new Set<Waiter>();
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let started: Promise<void> | undefined;
  let current = false;
  let failure: string | undefined;
  let failedAt = 0;
  let joinedAt = 0;
  let lastRecordAt = 0;
  let lastFetchAt = 0;
  let reading: { startedAt: number; done: Promise<void> } | undefined;
  let queued: Promise<void> | undefined;
  let closed = false;

  const settle = (): void => {
    const now = Date.now();
    for (const w of [...waiters]) {
      // Silence since the wait began (and since joining), while fetches kept answering, also ends it: compaction
      // may have removed a partition's tail, so its position never reaches the high watermark. The position is then
      // taken as that end, so the next wait for the same end does not sit through the silence again.
      const idle = joinedAt > 0 && lastFetchAt > w.since && now - Math.max(joinedAt, lastRecordAt, w.since) >= idleMs;
      if (idle || [...w.targets].every(([p, end]) => (positions.get(p) ?? 0) >= end)) {
        if (idle) for (const [p, end] of w.targets) positions.set(p, Math.max(positions.get(p) ?? 0, end));
        waiters.delete(w);
        w.resolve(true);
      }
    }
  };
  const ticker = setInterval(settle, Math.max(50, Math.floor(idleMs / 3)));
  ticker.unref();

  const fail = (what: string, err: unknown): void => {
    failure = `${what}: ${((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 200)}`;
    failedAt = Date.now();
    for (const w of [...waiters]) {
      waiters.delete(w);
      w.resolve(false);
    }
  };

  const ends = async (): Promise<Map<number, number>> => {
    const marks = await admin!.fetchTopicOffsets(topic);
    return new Map(marks.filter((m) => Number(m.high) > Number(m.low)).map((m) => [m.partition, Number(m.high)]));
  };

  /** True once the targets (or a silence) were reached; false on timeout, failure or close. */
  const waitFor = (targets: Map<number, number>, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(w);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const w: Waiter = { targets, since: Date.now(), resolve: (reached) => (clearTimeout(timer), resolve(reached)) };
      waiters.add(w);
      settle();
    });

  async function eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    for (const m of batch.messages) {
      book.apply(m.key, m.value);
      positions.set(batch.partition, Number(m.offset) + 1);
    }
    lastRecordAt = Date.now();
    settle();
    await heartbeat();
  }

  async function start(): Promise<void> {
    failure = undefined;
    admin ??= opts.kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) {
        failure = `the keys topic ${topic} does not exist on these brokers (no record here was sealed under a subject key, or the reader names another keys topic than the service)`;
        failedAt = Date.now();
        return;
      }
      const targets = await ends();
      consumer = opts.kafka.consumer({
        groupId: `sealpost-keys-reader-${randomBytes(6).toString('hex')}`,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: 250,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        // No restart by kafkajs (its scheduled restart outlives disconnect() and keeps a closed reader's process
        // alive): a crash is reported below and the next refresh() starts a new consumer.
        retry: { retries: 5, restartOnFailure: async () => false },
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joinedAt = Date.now();
      });
      consumer.on(consumer.events.FETCH, () => {
        lastFetchAt = Date.now();
      });
      const own = consumer;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        fail(`reading the keys topic ${topic} stopped`, payload.error);
        // Started again by the next refresh(); the book keeps what it read (tombstones still apply on return).
        if (consumer === own) consumer = undefined;
        void own.disconnect().catch(() => undefined);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch });
      if ((await waitFor(targets, opts.readyTimeoutMs ?? 20_000)) && !failure) current = true;
    } catch (err) {
      fail(`cannot read the keys topic ${topic}`, err);
      await consumer?.disconnect().catch(() => undefined);
      consumer = undefined;
    }
  }

  const ensureStarted = (): Promise<void> => {
    if (closed) return Promise.resolve();
    // A failed start (topic missing, brokers away) is tried again, at most every refreshEveryMs.
    if (started && failure && !consumer && Date.now() - failedAt >= (opts.refreshEveryMs ?? 2_000)) started = undefined;
    return (started ??= start());
  };

  /** Reads up to the topic's end as of now (one ListOffsets, then the wait). */
  const readToEnd = async (): Promise<void> => {
    await ensureStarted();
    if (!consumer || failure) return;
    try {
      if ((await waitFor(await ends(), opts.refreshTimeoutMs ?? 5_000)) && !failure) current = true;
    } catch (err) {
      fail(`cannot read the keys topic ${topic}`, err);
    }
  };
  const startReading = (): Promise<void> => {
    const startedAt = Date.now();
    const done: Promise<void> = readToEnd().finally(() => {
      if (reading?.done === done) reading = undefined;
    });
    reading = { startedAt, done };
    return done;
  };

  return {
    topic,
    book,
    ready: () => ensureStarted(),
    refresh(since = Date.now()) {
      if (closed) return Promise.resolve();
      // Every miss is answered by a read that began after it (never "what is known" while a key may be on its
      // way); misses that come while one runs share the next, so a batch of misses costs one or two reads.
      if (!reading) return startReading();
      if (reading.startedAt >= since) return reading.done;
      return (queued ??= reading.done.then(() => {
        queued = undefined;
        return reading ? reading.done : startReading();
      }));
    },
    key: (keyId, department, subject) => book.key(keyId, department, subject),
    claims: (keyId) => book.claims(keyId),
    forgottenAt: (subject) => book.forgottenAt(subject),
    shredded: (keyId, department, subject) => book.shredded(keyId, department, subject),
    problem() {
      if (failure) return failure;
      if (!current) return `the keys topic ${topic} is still being read (${book.stats().keys} keys so far); retry in a moment`;
      return undefined;
    },
    onDrop: (listener) => book.onDrop(listener),
    async close() {
      closed = true;
      clearInterval(ticker);
      for (const w of [...waiters]) w.resolve(false);
      waiters.clear();
      await Promise.allSettled([consumer?.disconnect(), admin?.disconnect()]);
      book.close();
    },
  };
}
