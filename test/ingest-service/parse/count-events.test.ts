import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { countEvents, parsePayload } from '../../../ingest-service/src/parse/index.js';

const SEED = readFileSync(new URL('../../fixtures/sendgrid/seed-sample-batch.json', import.meta.url));
const RECEIVED = new Date('2024-05-01T12:00:00.000Z');

/** What the answer must say: the worker's parse, events + rejects (at least one). */
const parsedCount = (body: Buffer): number => {
  const r = parsePayload('sendgrid', body, RECEIVED);
  return Math.max(r.events.length + r.rejects.length, 1);
};

test('counting without a parse agrees with the parse on well-formed batches, whatever their strings hold', () => {
  const bodies = [
    SEED,
    Buffer.from('[]'),
    Buffer.from('  [ {"event":"open"} ]\n'),
    Buffer.from('\ufeff[{"event":"open"},{"event":"click"}]'),
    Buffer.from('[{"event":"open","url":"https://x.test/?a=[1,2]&b={c}"},{"event":"drop","reason":"say \\"no\\", [then], {go}"}]'),
    Buffer.from('[{"event":"open","email":"a\\\\"},{"event":"open","email":"\\\\\\""}]'),
    Buffer.from('[{"event":"open","category":["a","b",["c"]],"n":{"m":[{}]}},1,"two",null,true,[3]]'),
    Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ event: 'delivered', email: `u${i}@example.com`, note: '],[,}{"' })))),
  ];
  for (const body of bodies) assert.equal(countEvents('sendgrid', body), parsedCount(body), body.toString().slice(0, 60));
  assert.equal(countEvents('events', Buffer.from('[{"id":1},{"id":2},{"id":3}]')), 3);
});

test('a body that is not a well-formed array counts as one, as its single dead letter does', () => {
  const bodies = [
    '',
    '{"event":"open"}',
    '[{"event":"open"},',
    '[{"event":"open"}]]',
    '[{"event":"open"}] x',
    '[{"event":"open"]}',
    '[1,,2]',
    '[,1]',
    '["unterminated]',
    '["escaped quote at the end\\"]',
  ];
  for (const text of bodies) assert.equal(countEvents('sendgrid', Buffer.from(text)), 1, text);
  assert.equal(countEvents('sendgrid', Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x2c, 0x31, 0x5d])), 1, 'not UTF-8: one dead letter');
  assert.equal(countEvents('sns', Buffer.from('[1,2,3]')), 1, 'an SNS body is one message');
});

test('a trailing comma or an element that cannot start a JSON value counts as one, like the parse that dead-letters it', () => {
  const bodies = ['[1,2,]', '[{"event":"open"},{"event":"click"}, ]', '[{"event":"open"},x]', '[abc,def]', '[1,+2]', '[{"event":"open"}, .5]', "['a','b']", '[1,}]'];
  for (const text of bodies) {
    assert.equal(parsedCount(Buffer.from(text)), 1, `the parse makes one dead letter of ${text}`);
    assert.equal(countEvents('sendgrid', Buffer.from(text)), 1, text);
  }
});
