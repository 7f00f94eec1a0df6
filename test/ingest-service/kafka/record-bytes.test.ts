import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordBytes, recordBytesAtMost, type SinkRecord } from '../../../ingest-service/src/kafka/index.js';

const strings = ['', 'plain', 'é', '€uro', '😀', 'a😀b', '\ud800', '\udc00', '\udc00\ud800', 'x\ud83d', '\u0000', 'ß'.repeat(50), '中文'.repeat(30), '\u{10FFFF}'];

test('recordBytes: value bytes, key and headers in UTF-8 (a lone surrogate as 3 bytes), and a fixed overhead per record and header', () => {
  const base = recordBytes({ topic: 't', key: '', value: Buffer.alloc(0), headers: {} });
  for (const s of strings) {
    const r: SinkRecord = { topic: 't', key: s, value: Buffer.alloc(10), headers: { [`h-${s}`]: s, other: '1' } };
    const expected = base + 10 + Buffer.byteLength(s) + (Buffer.byteLength(`h-${s}`) + Buffer.byteLength(s) + 4) + ('other'.length + 1 + 4);
    assert.equal(recordBytes(r), expected, JSON.stringify(s));
  }
});

test('recordBytesAtMost is never below recordBytes, whatever the key and headers hold', () => {
  for (const a of strings) {
    for (const b of strings) {
      const r: SinkRecord = { topic: 't', key: a + b, value: Buffer.alloc(a.length), headers: { [a || 'k']: b, [`${b}-2`]: a } };
      assert.ok(recordBytesAtMost(r) >= recordBytes(r), JSON.stringify([a, b]));
    }
  }
});
