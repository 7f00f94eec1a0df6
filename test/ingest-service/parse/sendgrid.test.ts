import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parsePayload } from '../../../ingest-service/src/parse/index.js';

const SEED = readFileSync(new URL('../../fixtures/sendgrid/seed-sample-batch.json', import.meta.url));
const DOCS = JSON.parse(readFileSync('/work/shared/fixtures/sendgrid-events-samples.json', 'utf8')) as {
  per_event_examples: Record<string, Record<string, unknown>>;
  extra_examples: Record<string, Record<string, unknown>>;
  real_world_examples: Record<string, { event: Record<string, unknown> } | string>;
};
const RECEIVED = new Date('2024-05-01T12:00:00.000Z');

describe('SendGrid batches', () => {
  test('the seed sample batch: 14 events, ids, types and times from the provider, bodies untouched', () => {
    const expected = JSON.parse(SEED.toString('utf8')) as Record<string, unknown>[];
    const { events, rejects } = parsePayload('sendgrid', SEED, RECEIVED);
    assert.equal(rejects.length, 0);
    assert.equal(events.length, 14);
    events.forEach((e, i) => {
      const src = expected[i]!;
      assert.equal(e.id, src['sg_event_id']);
      assert.equal(e.type, src['event']);
      assert.equal(e.time, new Date((src['timestamp'] as number) * 1000).toISOString());
      assert.deepEqual(e.body, src);
    });
    assert.equal(events[0]!.time, '2021-07-18T01:55:37.000Z');
  });

  test("every documented event type, with category as a string, passes through", () => {
    const examples = Object.values(DOCS.per_event_examples);
    const body = Buffer.from(JSON.stringify(examples));
    const { events, rejects } = parsePayload('sendgrid', body, RECEIVED);
    assert.equal(rejects.length, 0);
    assert.deepEqual(events.map((e) => e.type), examples.map((x) => x['event']));
    assert.deepEqual(events.map((e) => e.body), examples);
    assert.ok(events.some((e) => typeof e.body['category'] === 'string'));
  });

  test('custom args at the top level, nested unknown objects, category arrays and millisecond timestamps', () => {
    const extras = DOCS.extra_examples;
    const batch = [extras['single_send_open']!, extras['processed_with_pool']!, extras['click_with_url_offset_unique_args_category_array_newsletter_asm']!];
    const { events } = parsePayload('sendgrid', Buffer.from(JSON.stringify(batch)), RECEIVED);
    assert.deepEqual(events.map((e) => e.body), batch);
    const click = events[2]!.body;
    assert.equal(click['unique_arg_key'], 'unique_arg_value');
    assert.deepEqual(click['category'], ['category1', 'category2']);
    // 1591726752372 is milliseconds (a Single Send open), not a date in the year 52 410.
    assert.equal(events[0]!.time, new Date(1591726752372).toISOString());
    assert.equal(events[1]!.time, new Date(1427409578 * 1000).toISOString());
  });

  test('real-world oddities (absent fields) are still events', () => {
    const batch = Object.values(DOCS.real_world_examples).flatMap((x) => (typeof x === 'object' ? [x.event] : []));
    assert.ok(batch.length > 0);
    const { events, rejects } = parsePayload('sendgrid', Buffer.from(JSON.stringify(batch)), RECEIVED);
    assert.equal(rejects.length, 0);
    assert.equal(events.length, batch.length);
  });

  test('a single object is a batch of one', () => {
    const one = { event: 'delivered', email: 'a@example.com', sg_event_id: 'abc', timestamp: 1700000000 };
    const { events } = parsePayload('sendgrid', Buffer.from(JSON.stringify(one)), RECEIVED);
    assert.deepEqual(events, [{ id: 'abc', type: 'delivered', time: '2023-11-14T22:13:20.000Z', body: one }]);
  });

  test('without sg_event_id the id is derived from the event, stable across key order, and keyed when a key is given', () => {
    const a = { event: 'open', email: 'a@example.com', timestamp: 1700000000 };
    const reordered = { timestamp: 1700000000, email: 'a@example.com', event: 'open' };
    const other = { event: 'open', email: 'b@example.com', timestamp: 1700000000 };
    const ids = (x: unknown, key?: Buffer) => parsePayload('sendgrid', Buffer.from(JSON.stringify([x])), RECEIVED, key ? { idKey: key } : {}).events[0]!.id;
    assert.match(ids(a), /^sp-[A-Za-z0-9_-]{43}$/);
    assert.equal(ids(a), ids(reordered));
    assert.notEqual(ids(a), ids(other));
    const key = Buffer.alloc(32, 7);
    assert.equal(ids(a, key), ids(reordered, key));
    assert.notEqual(ids(a, key), ids(a));
    assert.notEqual(ids(a, key), ids(a, Buffer.alloc(32, 8)));
  });

  test('a missing or unusable timestamp falls back to the receive time', () => {
    const batch = [{ event: 'processed' }, { event: 'processed', timestamp: 'soon' }, { event: 'processed', timestamp: '1700000000' }];
    const { events } = parsePayload('sendgrid', Buffer.from(JSON.stringify(batch)), RECEIVED);
    assert.deepEqual(events.map((e) => e.time), [RECEIVED.toISOString(), RECEIVED.toISOString(), '2023-11-14T22:13:20.000Z']);
  });
});

describe('SendGrid bodies of the wrong shape become rejects, never errors', () => {
  test('not JSON, not UTF-8, empty: one reject for the whole body, kept as received', () => {
    for (const [bytes, reason] of [
      [Buffer.from('[{"event": "processed",'), 'invalid_json'],
      [Buffer.from('email=a@example.com&event=open'), 'invalid_json'],
      [Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), 'invalid_utf8'],
      [Buffer.alloc(0), 'empty_body'],
    ] as const) {
      const r = parsePayload('sendgrid', bytes, RECEIVED);
      assert.deepEqual(r.events, []);
      assert.equal(r.rejects.length, 1);
      assert.equal(r.rejects[0]!.reason, reason);
      assert.equal(r.rejects[0]!.index, null);
      assert.ok(r.rejects[0]!.raw.equals(bytes));
    }
  });

  test('JSON that is neither an array nor an object', () => {
    for (const body of ['"processed"', '42', 'null', 'true']) {
      const r = parsePayload('sendgrid', Buffer.from(body), RECEIVED);
      assert.deepEqual(r.rejects.map((x) => [x.index, x.reason]), [[null, 'not_an_array']]);
    }
  });

  test('bad elements are rejected by index while the rest of the batch goes through', () => {
    const batch = [{ event: 'processed', sg_event_id: 'one' }, 'stray string', 7, null, [1], { email: 'no-type@example.com', sg_event_id: 'three' }, { event: 'open', sg_event_id: 'two' }];
    const r = parsePayload('sendgrid', Buffer.from(JSON.stringify(batch)), RECEIVED);
    assert.deepEqual(r.events.map((e) => e.id), ['one', 'two']);
    assert.deepEqual(r.rejects.map((x) => [x.index, x.reason]), [[1, 'not_an_object'], [2, 'not_an_object'], [3, 'not_an_object'], [4, 'not_an_object'], [5, 'missing_fields']]);
    assert.deepEqual(r.rejects[4]!.fields, ['event']);
    assert.deepEqual(JSON.parse(r.rejects[4]!.raw.toString()), batch[5]);
    assert.deepEqual(JSON.parse(r.rejects[0]!.raw.toString()), 'stray string');
  });

  test('a UTF-8 byte-order mark is tolerated', () => {
    const r = parsePayload('sendgrid', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), SEED]), RECEIVED);
    assert.equal(r.events.length, 14);
  });
});
