// The follower hands fetched records to the view's writer thread packed into one buffer of their own: a fetched
// value is a view of kafkajs' whole fetch response, which a structured clone would copy whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { packRecords } from '../../../ingest-service/src/suppressions/view-client.js';

const message = (key: string | null, value: Buffer | null): KafkaMessage => ({ key: key === null ? null : Buffer.from(key), value, offset: '0', timestamp: '0', attributes: 0, headers: {} });

describe('view writer: records packed for the thread', () => {
  it('keeps every key and value in order (a missing value stays missing), and copies only the values, not what they are views of', () => {
    const response = Buffer.alloc(1 << 20, 7); // what kafkajs decoded the values from
    response.write('{"a":1}', 100);
    response.write('{"b":22}', 5000);
    const packed = packRecords([message('k1', response.subarray(100, 107)), message('k2', null), message(null, response.subarray(5000, 5008)), message('k4', Buffer.alloc(0))]);
    assert.deepEqual(packed.keys, ['k1', 'k2', null, 'k4']);
    assert.deepEqual([...packed.lengths], [7, -1, 8, 0]);
    assert.equal(Buffer.from(packed.values).toString(), '{"a":1}{"b":22}');
    assert.equal(packed.values.buffer.byteLength, 15, 'a buffer of its own, of exactly the values');
  });
});
