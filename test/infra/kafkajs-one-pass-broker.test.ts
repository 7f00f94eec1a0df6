import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import type { IHeaders, Message } from 'kafkajs';
import { ensureKafka, readAll, uniqueTopic } from '../support/kafka.js';

// The one-pass produce encoder (patches/kafkajs+2.2.4.patch) against the real broker: what the broker accepts
// (it checks each batch's CRC-32C and walks every record before it appends) and what kafkajs' consumer reads back.
const { Kafka, logLevel } = kafkajs;
const require = createRequire(import.meta.url);

const headersOf = (i: number): IHeaders =>
  i % 4 === 0 ? {} : { 'sp-event-id': `evt-${i}`, multi: ['a', Buffer.from([i & 0xff]), ''], 'ключ': 'значение 😀', big: 'h'.repeat(i % 130) };

function sample(count: number): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    partition: i % 3,
    key: i % 5 === 0 ? null : i % 2 ? Buffer.from(`key-${i}`) : `clé-${i}`,
    value: i % 7 === 0 ? null : i % 11 === 0 ? '' : Buffer.alloc((i * 37) % 9_000, i & 0xff),
    headers: headersOf(i),
    ...(i % 3 === 1 ? { timestamp: String(1_700_000_000_000 + i * 1_000) } : {}),
  }));
}

const asBuffer = (v: Buffer | string | null | undefined): Buffer | null => (v == null ? null : Buffer.from(v));
const flat = (h: IHeaders): [string, string][] =>
  Object.entries(h).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, Buffer.from(x as Buffer | string).toString('hex')]));

test('an idempotent acks=all producer (as the sink) writes records the broker accepts and the consumer reads back intact', async () => {
  const { brokers } = await ensureKafka();
  const kafka = new Kafka({ clientId: 'sealpost-one-pass-test', brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueTopic('one-pass');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const sent = sample(600);
  try {
    for (let i = 0; i < sent.length; i += 200) await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 200) });
  } finally {
    await producer.disconnect();
  }

  const got = await readAll(brokers, topic, sent.length);
  assert.equal(got.length, sent.length);
  for (let p = 0; p < 3; p++) {
    const mine = sent.filter((m) => m.partition === p);
    const theirs = got.filter((m) => m.partition === p).sort((a, b) => Number(a.offset) - Number(b.offset));
    assert.equal(theirs.length, mine.length);
    theirs.forEach((m, i) => {
      const s = mine[i]!;
      assert.equal(m.offset, String(i), `partition ${p}: offsets follow the records`);
      assert.deepEqual(m.key, asBuffer(s.key), `partition ${p} record ${i} key`);
      assert.deepEqual(m.value, asBuffer(s.value), `partition ${p} record ${i} value`);
      assert.deepEqual(flat(m.headers), flat(s.headers!), `partition ${p} record ${i} headers`);
      if (s.timestamp) assert.equal(m.timestamp, s.timestamp, `partition ${p} record ${i} timestamp`);
    });
  }
});

interface ProduceRequest {
  apiVersion: number;
  encode(headroom?: number): Promise<{ buffer: Buffer }>;
}
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as (a: object) => ProduceRequest;
const produceV3Response = require('kafkajs/src/protocol/requests/produce/v3/response') as {
  decode(b: Buffer): Promise<{ topics: { partitions: { errorCode: number; baseOffset: string }[] }[] }>;
};
const createRequest = require('kafkajs/src/protocol/request') as (a: { correlationId: number; clientId: string; request: ProduceRequest }) => Promise<{ buffer: Buffer }>;

/** Sends one request on its own socket and returns the partition's error code and base offset. */
async function produceRaw(broker: string, bytes: Buffer): Promise<{ errorCode: number; baseOffset: string }> {
  const [host, port] = broker.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.write(bytes);
  try {
    for (;;) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) {
        const res = await produceV3Response.decode(all.subarray(8, 4 + all.readInt32BE(0)));
        return res.topics[0]!.partitions[0]!;
      }
    }
  } finally {
    socket.destroy();
  }
}

test('the broker checks the CRC it is sent: the one-pass request is appended, the same request with one byte flipped is refused', async () => {
  const { brokers } = await ensureKafka();
  const kafka = new Kafka({ clientId: 'sealpost-one-pass-test', brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueTopic('one-pass-crc');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const messages = sample(50).map((m) => ({ ...m, partition: undefined }));
  const request = produceV3({ acks: -1, timeout: 10_000, topicData: [{ topic, partitions: [{ partition: 0, messages }] }] });
  const bytes = (await createRequest({ correlationId: 1, clientId: 'sealpost-one-pass-test', request })).buffer;

  assert.deepEqual(await produceRaw(brokers[0]!, bytes), { errorCode: 0, baseOffset: '0', logAppendTime: '-1', partition: 0 });
  const corrupt = Buffer.from(bytes);
  corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0x01, corrupt.length - 1); // the last header value's last byte, under the CRC
  assert.equal((await produceRaw(brokers[0]!, corrupt)).errorCode, 2, 'CORRUPT_MESSAGE');

  const got = await readAll(brokers, topic, messages.length);
  assert.equal(got.length, messages.length, 'only the intact request was appended');
  assert.deepEqual(got.map((m) => flat(m.headers)), messages.map((m) => flat(m.headers!)));
});
