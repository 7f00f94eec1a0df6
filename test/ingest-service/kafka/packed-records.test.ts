import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { packRecords, unpackRecords } from '../../../ingest-service/src/kafka/packed-records.js';
import type { SinkRecord } from '../../../ingest-service/src/kafka/sink.js';

const headerSets = new Map<string, Record<string, string>>();
const headersOf = (type: string): Record<string, string> => {
  if (!headerSets.has(type)) headerSets.set(type, { 'sealpost-schema': '2', 'sealpost-source': 'sendgrid', 'sealpost-type': type });
  return headerSets.get(type)!;
};
const record = (i: number, topic: string, type: string, value: Buffer): SinkRecord => ({ topic, key: `key-${i}-ü`, value, headers: headersOf(type) });

describe('records packed for the sink thread', () => {
  it('arrive as the same records, in order, across a real message port, and the senders keep their values for a retry', () => {
    const shared = Buffer.from('0123456789abcdefghij'); // two records' values are views of one entry's buffer
    const records = [
      record(0, 'events', 'open', shared.subarray(0, 10)),
      record(1, 'keys', 'open', Buffer.from('{"key":1}')),
      record(2, 'events', 'click', shared.subarray(10)),
      record(3, 'events', 'open', Buffer.alloc(0)),
    ];
    const packed = packRecords(records);
    assert.deepEqual(packed.topics, ['events', 'keys']);
    assert.equal(packed.headerSets.length, 2, 'a headers object crosses once');
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed.values]);
    const received = receiveMessageOnPort(port2)!.message as typeof packed;
    port1.close();
    assert.equal(packed.values.byteLength, 0, 'the values buffer was moved, not copied');
    const out = unpackRecords(received);
    assert.deepEqual(
      out.map((r) => ({ ...r, value: r.value.toString() })),
      records.map((r) => ({ ...r, value: r.value.toString() })),
    );
    assert.equal(shared.toString(), '0123456789abcdefghij', "the records' own values are untouched");
  });
});
