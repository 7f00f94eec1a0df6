import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordCache, detach } from '../../../../electron/core/messages/record-cache.js';
import type { RawRecord } from '../../../../electron/core/kafka/raw-fetch.js';

/** A record as kafkajs hands it over: views into one large fetch response. */
function viewRecord(response: Buffer, at: number): RawRecord {
  return {
    offset: String(at),
    timestamp: '0',
    key: response.subarray(at, at + 22),
    value: response.subarray(at + 22, at + 2_000),
    headers: { 'sealpost-type': response.subarray(at, at + 6), multi: [response.subarray(at, at + 3)] },
  };
}

test('a cached record owns its bytes: it does not keep the whole fetch response alive', () => {
  const response = Buffer.alloc(16 * 1024 * 1024, 7);
  const kept = detach(viewRecord(response, 4096));
  for (const b of [kept.key!, kept.value!, kept.headers['sealpost-type'] as Buffer, (kept.headers.multi as Buffer[])[0]!]) {
    assert.notEqual(b.buffer, response.buffer);
    assert.ok(b.buffer.byteLength < 64 * 1024, `backing store of ${b.buffer.byteLength} bytes`);
  }
  assert.deepEqual(kept.value, response.subarray(4096 + 22, 4096 + 2_000));
});

test('the cache keeps at most its bound, dropping the oldest first', () => {
  const cache = createRecordCache(3);
  const response = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; i < 5; i++) cache.put('t', `0:${i}`, viewRecord(response, i * 10));
  assert.equal(cache.size(), 3);
});
