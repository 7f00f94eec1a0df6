import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { JavaPartitioner, murmur2, partitionOf } from '../../../shared/kafka/java-partitioner.js';

type Args = Parameters<ReturnType<typeof kafkajs.Partitioners.DefaultPartitioner>>[0];
const metadata = (n: number): Args['partitionMetadata'] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

test('murmur2 gives the Java client`s values (Kafka UtilsTest.testMurmur2)', () => {
  const cases: [Uint8Array, number][] = [
    [Buffer.from('21'), -973932308],
    [Buffer.from('foobar'), -790332482],
    [Buffer.from('a-little-bit-long-string'), -985981536],
    [Buffer.from('a-little-bit-longer-string'), -1486304829],
    [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [Buffer.from([0x61, 0x62, 0x63]), 479470107],
  ];
  for (const [data, expected] of cases) assert.equal(murmur2(data), expected, Buffer.from(data).toString());
});

test('the same partition as kafkajs` DefaultPartitioner for 20,000 keys (strings, bytes, every length to 200) and 1 to 64 partitions', () => {
  const theirs = kafkajs.Partitioners.DefaultPartitioner();
  const ours = JavaPartitioner();
  const keys: (string | Buffer)[] = ['', 'k', 'sg-0001', 'ü', '日本語のキー', '\u{1F600}'];
  for (let i = 0; i < 10_000; i++) keys.push(randomBytes(i % 201));
  for (let i = 0; i < 5_000; i++) keys.push(randomBytes(32).toString('base64url')); // blind indexes
  for (let i = 0; i < 5_000; i++) keys.push(`evt-${i}-${'é'.repeat(i % 7)}-${randomBytes(i % 13).toString('hex')}`);
  let differ = 0;
  keys.forEach((key, i) => {
    const n = 1 + (i % 64);
    const partitionMetadata = metadata(n);
    const expected = theirs({ topic: 't', partitionMetadata, message: { key, value: null } });
    const got = ours({ topic: 't', partitionMetadata, message: { key, value: null } });
    if (got !== expected || partitionOf(key, n) !== expected) differ++;
  });
  assert.equal(differ, 0);
  // Keys that land on different partitions (the comparison above is not vacuous).
  assert.equal(new Set(keys.slice(0, 500).map((k) => partitionOf(k, 64))).size > 40, true);
});

test('an explicit partition wins; a record without a key goes to an available partition', () => {
  const ours = JavaPartitioner();
  assert.equal(ours({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: null, partition: 4 } }), 4);
  const partitionMetadata = metadata(6).map((p) => ({ ...p, leader: p.partitionId === 2 ? 0 : -1 }));
  for (let i = 0; i < 20; i++) assert.equal(ours({ topic: 't', partitionMetadata, message: { key: null, value: null } }), 2);
});
