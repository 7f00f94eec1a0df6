import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePayload } from '../../../ingest-service/src/parse/index.js';

const RECEIVED = new Date('2024-05-01T12:00:00.000Z');
const login = {
  id: '7d3f1a2e-6f0b-4b8a-9a51-2c1e9f0d4b11',
  type: 'user.login',
  time: '2024-05-01T11:58:00+02:00',
  actor: { id: 'u-17', email: 'ops@example.com' },
  subject: 'u-17',
  ip: '203.0.113.9',
  outcome: 'success',
};

describe('audit events', () => {
  test('one object: common fields read, time normalised to UTC, every other field kept as detail', () => {
    const { events, rejects } = parsePayload('events', Buffer.from(JSON.stringify(login)), RECEIVED);
    assert.deepEqual(rejects, []);
    assert.deepEqual(events, [{ id: login.id, type: 'user.login', time: '2024-05-01T09:58:00.000Z', body: login }]);
  });

  test('an array, including a type never seen before with its own details: no code change', () => {
    const novel = { id: 'batch-2024-05-01-0001', type: 'invoice.exported', time: '2024-05-01T10:00:00Z', actor: 'billing-service', subject: { account: 'acct-9' }, details: { rows: 1200, format: 'csv' }, tags: ['eu'] };
    const numericId = { ...login, id: 42 };
    const { events, rejects } = parsePayload('events', Buffer.from(JSON.stringify([login, novel, numericId])), RECEIVED);
    assert.deepEqual(rejects, []);
    assert.deepEqual(events.map((e) => [e.id, e.type]), [[login.id, 'user.login'], [novel.id, 'invoice.exported'], ['42', 'user.login']]);
    assert.deepEqual(events[1]!.body, novel);
  });

  test('missing common fields: rejected with the field names only, no values', () => {
    const { id: _id, time: _time, ...noIdNoTime } = login;
    const { events, rejects } = parsePayload('events', Buffer.from(JSON.stringify([login, noIdNoTime, { ...login, actor: null, subject: '' }])), RECEIVED);
    assert.equal(events.length, 1);
    assert.deepEqual(rejects.map((r) => [r.index, r.reason, r.fields]), [[1, 'missing_fields', ['id', 'time']], [2, 'missing_fields', ['actor', 'subject']]]);
    for (const r of rejects) {
      assert.ok(!JSON.stringify({ ...r, raw: undefined }).includes('example.com'));
      assert.ok(!JSON.stringify({ ...r, raw: undefined }).includes('203.0.113.9'));
    }
    assert.deepEqual(JSON.parse(rejects[0]!.raw.toString()), noIdNoTime);
  });

  test('malformed common fields are invalid_fields', () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ ...login, time: 'yesterday' }, ['time']],
      [{ ...login, time: '2024-05-01T10:00:00' }, ['time']], // no zone: ambiguous
      [{ ...login, time: 1714557600 }, ['time']],
      [{ ...login, id: { uuid: 'x' } }, ['id']],
      [{ ...login, id: 'x'.repeat(257) }, ['id']],
      [{ ...login, type: 7, actor: 12 }, ['type', 'actor']],
    ];
    for (const [event, fields] of cases) {
      const r = parsePayload('events', Buffer.from(JSON.stringify(event)), RECEIVED);
      assert.deepEqual(r.events, []);
      assert.deepEqual(r.rejects.map((x) => [x.index, x.reason, x.fields]), [[null, 'invalid_fields', fields]]);
    }
  });

  test('a single-object body rejects as the whole body; non-objects and non-JSON likewise', () => {
    for (const [body, reason] of [
      ['{"type":"x"}', 'missing_fields'],
      ['"just a string"', 'not_an_object'],
      ['id=1&type=x', 'invalid_json'],
    ] as const) {
      const bytes = Buffer.from(body);
      const r = parsePayload('events', bytes, RECEIVED);
      assert.equal(r.rejects[0]!.reason, reason);
      assert.equal(r.rejects[0]!.index, null);
      assert.ok(r.rejects[0]!.raw.equals(bytes));
    }
    const r = parsePayload('events', Buffer.from(JSON.stringify([login, 'x'])), RECEIVED);
    assert.deepEqual(r.rejects.map((x) => [x.index, x.reason]), [[1, 'not_an_object']]);
  });
});
