// The trivial expand the forwarder tests use: an entry's payload is a JSON array of {id, key, ...};
// each element becomes one record whose value is the element itself. The real expand (parse + seal)
// is ingest-service/src/expand's; this double obeys the same contract (Expand) and sets nothing the
// real one does not, so the forwarder must not care which one it is given.
import { SealpostError } from '../../../shared/errors/index.js';
import type { Expand, ExpandEntry } from '../../../ingest-service/src/expand/index.js';
import type { RecordSink, SinkRecord } from '../../../ingest-service/src/kafka/index.js';

export interface TestEvent {
  id: string;
  key: string;
  n?: number;
  pad?: number;
}

export const eventsBody = (events: TestEvent[]): Buffer => Buffer.from(JSON.stringify(events));

/** JSON array of events -> one record per event; an unparseable body -> one dead letter. */
export function testExpand(topicOf: (source: string) => string): Expand {
  return async (entry: ExpandEntry) => {
    let events: TestEvent[];
    try {
      events = JSON.parse(entry.payload.toString()) as TestEvent[];
    } catch {
      return { records: [], deadLetters: [{ eventIndex: null, reason: 'unparseable_json', raw: entry.payload }] };
    }
    return {
      records: events.map((e) => {
        const value = Buffer.from(JSON.stringify(e));
        return {
          eventId: e.id,
          topic: topicOf(entry.source),
          key: e.key,
          value: e.pad ? Buffer.concat([value, Buffer.alloc(e.pad, 32)]) : value,
          headers: { 'sealpost-source': entry.source, 'test-seq': String(entry.seq) },
        };
      }),
      deadLetters: [],
    };
  };
}

/** An expand that fails as told for the entries `failFor` picks, else behaves like testExpand. */
export function failingExpand(inner: Expand, failFor: (e: ExpandEntry) => 'retriable' | 'fatal' | undefined): Expand {
  return async (entry) => {
    const f = failFor(entry);
    if (f === 'retriable') throw new SealpostError('SP_TEST_KMS_AWAY', 'key service unreachable', { retriable: true });
    if (f === 'fatal') throw new SealpostError('SP_TEST_POLICY', 'no rule for this source', { retriable: false });
    return inner(entry);
  };
}

/**
 * An in-memory RecordSink for unit tests of the forwarder's logic (order, retries, dedupe). The
 * Kafka behaviour itself is tested against the real broker in kafka/ and forwarder-kafka tests.
 */
export function memorySink(): RecordSink & { records: SinkRecord[]; attempts: number; failNext: number } {
  const s = {
    records: [] as SinkRecord[],
    attempts: 0,
    failNext: 0,
    async connect() {},
    async send(records: readonly SinkRecord[]) {
      s.attempts++;
      if (s.failNext > 0) {
        s.failNext--;
        throw new SealpostError('SP_KAFKA_SEND_FAILED', 'broker away (test)', { retriable: true });
      }
      s.records.push(...records);
    },
    async ensureTopics() {},
    healthy: () => true,
    async disconnect() {},
  };
  return s;
}

export const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as never;
