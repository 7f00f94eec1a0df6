import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

// `npm install` applies patches/kafkajs+2.2.4.patch (patch-package, in postinstall). Without it the service still
// works, but the producer thread spends twice the CPU per record (zero-filled buffers, a JS CRC): this suite
// fails so a missed patch is noticed, and proves the patched pieces produce the same bytes as the originals.
const require = createRequire(import.meta.url);
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const jsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (b: Buffer) => number;
const Encoder = require('kafkajs/src/protocol/encoder') as new (size?: number) => {
  writeVarIntBytes(v: Buffer | string): unknown;
  writeInt32(v: number): unknown;
  buffer: Buffer;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: { key: Buffer; value: Buffer; headers: Record<string, string> }) => {
  buffer: Buffer;
};

describe('kafkajs patch (record encoding on the producer thread)', () => {
  it('is applied: the batch CRC is native', () => {
    assert.equal(crc32C.toString().includes('native('), true, 'patches/kafkajs+2.2.4.patch is not applied: run `npm install`');
  });

  it('computes the CRC-32C Kafka checks, the same as the JS original', () => {
    assert.equal(crc32C(Buffer.from('123456789')), 0xe3069283);
    for (const size of [0, 1, 7, 64, 2_000, 1_000_000]) {
      const b = randomBytes(size);
      assert.equal(crc32C(b), jsCrc32C(b) >>> 0, `size ${size}`);
    }
  });

  it('exposes only written bytes from encoders that outgrow their buffer (no stale memory)', () => {
    // Fill Node's buffer pool with a recognisable byte, then encode: any unwritten byte would show up.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1024).fill(0xee);
    const value = Buffer.alloc(5_000, 0x41);
    const record = Record({ key: Buffer.from('k'), value, headers: { a: '1', b: '2' } }).buffer;
    assert.equal(record.includes(0xee), false);
    assert.equal(record.includes(value), true);
    const enc = new Encoder(3);
    enc.writeInt32(7);
    enc.writeVarIntBytes(value);
    assert.equal(enc.buffer.length, 4 + 2 + value.length);
    assert.equal(enc.buffer.includes(0xee), false);
  });
});
