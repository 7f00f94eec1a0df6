import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, it } from 'node:test';
import { DELTAS, LENGTHS, messages, type LooseMessage } from './kafkajs-one-pass-cases.js';

// patches/kafkajs+2.2.4.patch writes an uncompressed produce request in one pass into one buffer
// (kafkajs/src/protocol/requests/produce/v3/onePass.js). Proof that it is the same request: kafkajs 2.2.4's own
// encoders, kept verbatim in test/support/kafkajs-2.2.4/, encode the same arguments and the bytes are compared, for the
// payload and for the whole request as sent on the socket (size, header, client id).
const require = createRequire(import.meta.url);

interface Encoded {
  buffer: Buffer;
  headroom?: number;
}
interface ProduceRequest {
  apiVersion: number;
  encode(headroom?: number): Promise<Encoded>;
}
type ProduceArgs = {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: unknown; partitions: { partition: number; firstSequence?: number; messages: LooseMessage[] }[] }[];
};
type CreateRequest = (a: { correlationId: number; clientId: string | null; request: ProduceRequest }) => Promise<Encoded>;

const patchedProduce = (v: number) => require(`kafkajs/src/protocol/requests/produce/v${v}/request`) as (a: ProduceArgs) => ProduceRequest;
const patchedRequest = require('kafkajs/src/protocol/request') as CreateRequest;
const oracleProduce = require('../support/kafkajs-2.2.4/produce-v3.cjs') as (a: ProduceArgs) => ProduceRequest;
const oracleRequest = require('../support/kafkajs-2.2.4/request.cjs') as CreateRequest;
const Long = require('kafkajs/src/utils/long') as { fromInt(n: number): unknown; fromValue(v: unknown): unknown };
const { Types } = require('kafkajs/src/protocol/message/compression') as { Types: { None: number; GZIP: number } };

// Date.now is read once per partition (the batch time of messages without a timestamp), by both encoders in the same
// order: both see the same sequence of clock readings.
const realNow = Date.now;
let clock: number[] = [];
const replayClock = (readings: number[]): void => {
  let i = 0;
  clock = readings;
  Date.now = () => clock[Math.min(i++, clock.length - 1)]!;
};
afterEach(() => {
  Date.now = realNow;
});

const args = (topicData: ProduceArgs['topicData'], extra: Partial<ProduceArgs> = {}): ProduceArgs => ({
  acks: -1,
  timeout: 30_000,
  producerId: Long.fromInt(4_242),
  producerEpoch: 3,
  topicData,
  ...extra,
});

/** Encodes `a` with the patched and the original kafkajs, same clock; returns both outcomes (bytes or error). */
async function both(a: ProduceArgs, readings: number[], clientId: string | null = 'sealpost-ingest') {
  const run = async (produce: (a: ProduceArgs) => ProduceRequest, request: CreateRequest, version: number) => {
    replayClock(readings);
    try {
      const req = Object.assign(produce(a), { apiVersion: version });
      const payload = await req.encode();
      replayClock(readings);
      const whole = await request({ correlationId: 77, clientId, request: req });
      return { payload: payload.buffer, whole: whole.buffer, onePass: payload.headroom !== undefined };
    } catch (e) {
      return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
    }
  };
  const results = [];
  for (const version of [3, 7]) {
    const mine = await run(patchedProduce(version), patchedRequest, version);
    const theirs = await run(oracleProduce, oracleRequest, version);
    results.push({ mine, theirs });
  }
  return results;
}

/** Asserts byte equality (payload and request) and that the one-pass path is the one that ran (or not). */
async function assertSame(a: ProduceArgs, readings: number[], onePass: boolean, clientId?: string | null): Promise<void> {
  for (const { mine, theirs } of await both(a, readings, clientId)) {
    assert.equal(mine.error, undefined, `patched encoder failed: ${mine.error}`);
    assert.equal(theirs.error, undefined, `original encoder failed: ${theirs.error}`);
    assert.equal(mine.onePass, onePass, onePass ? 'the one-pass encoder did not run' : 'the one-pass encoder took a case it should leave');
    assert.equal(mine.payload!.equals(theirs.payload!), true, `payload differs (${mine.payload!.length} vs ${theirs.payload!.length} bytes)`);
    assert.equal(mine.whole!.equals(theirs.whole!), true, 'request differs');
  }
}

describe('kafkajs one-pass produce encoding (patch) = kafkajs 2.2.4 encoding, byte for byte', () => {
  it('is applied', () => {
    const onePass = require.resolve('kafkajs/src/protocol/requests/produce/v3/onePass');
    assert.equal(existsSync(onePass), true, 'patches/kafkajs+2.2.4.patch is not applied: run `npm install`');
  });

  it('5,000 messages of every shape over 3 topics and 7 partitions (keys null/string/Buffer, headers, unicode, timestamps)', async () => {
    const all = messages(1, 5_000);
    const topicData = [
      { topic: 'sealpost.sendgrid', partitions: [0, 1, 2].map((p) => ({ partition: p, firstSequence: 100 * p, messages: all.slice(p * 1_500, (p + 1) * 1_500) })) },
      { topic: 'sealpost.ü-topic', partitions: [{ partition: 5, messages: all.slice(4_500, 4_900) }, { partition: 6, messages: [] }] },
      { topic: 't', partitions: [{ partition: 0, firstSequence: 2 ** 31 - 1, messages: all.slice(4_900) }, { partition: 1, messages: all.slice(0, 1) }] },
    ];
    await assertSame(args(topicData), [1_700_000_000_500, 1_700_000_050_000, 1_699_000_000_000], true);
    await assertSame(args(topicData, { transactionalId: 'tx-é' }), [1_700_000_000_500], true, null);
    await assertSame(args(topicData, { producerId: Long.fromInt(-1), producerEpoch: 0 }), [1_700_000_000_500], true, 'ü-client');
  });

  it('every seed of small batches (many shapes per partition, one partition per request)', async () => {
    for (let seed = 2; seed < 60; seed++) {
      const batch = messages(seed, 1 + (seed % 23));
      await assertSame(args([{ topic: `t${seed}`, partitions: [{ partition: seed % 4, firstSequence: seed, messages: batch }] }]), [1_700_000_000_000 + seed], true);
    }
  });

  it('offset deltas across varint boundaries (9,000 records in one batch) and values of every boundary length to 1 MB', async () => {
    const many = Array.from({ length: 9_000 }, (_, i) => ({ key: i % 2 ? null : `k${i}`, value: Buffer.alloc(i % 3, i & 0xff) }));
    const big = [...LENGTHS, 2_255, 65_536, 1_048_576].map((n, i) => ({ key: Buffer.alloc(n % 200, 1), value: Buffer.alloc(n, i), headers: { n: String(n) } }));
    await assertSame(args([{ topic: 'many', partitions: [{ partition: 0, messages: many }, { partition: 1, messages: big }] }]), [1_700_000_000_000], true);
  });

  it('timestamp deltas at every varlong boundary, both signs, past 2^52 (where kafkajs` Long path is kept)', async () => {
    // One partition per delta: a message stamped 1, one without a timestamp (batch time = clock reading = 1 + delta).
    const partitions = DELTAS.map((_, p) => ({ partition: p, messages: [{ key: 'a', value: 'b', timestamp: 1 }, { key: 'c', value: 'd' }] }));
    await assertSame(args([{ topic: 'deltas', partitions }]), DELTAS.map((d) => 1 + d), true);
  });

  it('leaves what it does not take to kafkajs` own encoders, which behave (and fail) as before', async () => {
    const odd: [string, LooseMessage[]][] = [
      ['a number value', [{ key: 'k', value: 5 }]],
      ['a Uint8Array value', [{ key: 'k', value: new Uint8Array([1, 2, 3]) }]],
      ['a Uint8Array header value', [{ key: 'k', value: 'v', headers: { h: new Uint8Array([1, 2]) } }]],
      ['a null header value', [{ key: 'k', value: 'v', headers: { h: null } }]],
      ['a number in a header array', [{ key: 'k', value: 'v', headers: { h: ['a', 7] } }]],
      ['headers null', [{ key: 'k', value: 'v', headers: null }]],
      ['an object key', [{ key: { a: 1 }, value: 'v' }]],
      ['a null message', [{ key: 'k', value: 'v' }, null as unknown as LooseMessage]],
    ];
    for (const [what, batch] of odd) {
      for (const { mine, theirs } of await both(args([{ topic: 't', partitions: [{ partition: 0, messages: batch }] }]), [1_700_000_000_000])) {
        assert.equal(mine.onePass ?? false, false, what);
        if (theirs.error !== undefined) assert.equal(mine.error, theirs.error, what);
        else assert.equal(mine.payload!.equals(theirs.payload!) && mine.whole!.equals(theirs.whole!), true, what);
      }
    }
  });

  it('takes, with the same bytes or the same error, timestamps kafkajs coerces (fractions, text, zero, inherited headers)', async () => {
    const inherited = Object.assign(Object.create({ fromPrototype: 'not sent' }) as object, { own: 'sent' });
    const cases: [string, LooseMessage[], boolean][] = [
      ['a fractional delta', [{ value: 'a', timestamp: 1 }, { value: 'b', timestamp: 2.5 }], false],
      ['a text timestamp that is not a number', [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 'abc' }], false],
      ['a timestamp "NaN" (a NaN delta, written as 0)', [{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 'NaN' }], true],
      ['timestamp 0 (kafkajs uses the batch time)', [{ value: 'a', timestamp: 0 }, { value: 'b', timestamp: 9 }], true],
      ['headers with an inherited property', [{ value: 'a', headers: inherited }], true],
    ];
    for (const [what, batch, same] of cases) {
      for (const { mine, theirs } of await both(args([{ topic: 't', partitions: [{ partition: 0, messages: batch }] }]), [1_700_000_000_000])) {
        assert.equal(mine.error, theirs.error, what);
        assert.equal(mine.error === undefined, same, `${what}: ${mine.error}`);
        if (same) assert.equal(mine.payload!.equals(theirs.payload!) && mine.whole!.equals(theirs.whole!), true, what);
      }
    }
  });

  it('leaves compressed requests to kafkajs (same bytes)', async () => {
    const batch = messages(99, 300);
    await assertSame(args([{ topic: 'gz', partitions: [{ partition: 0, messages: batch }] }], { compression: Types.GZIP }), [1_700_000_000_000], false);
  });
});
