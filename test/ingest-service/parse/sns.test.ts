import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parsePayload } from '../../../ingest-service/src/parse/index.js';

const FIXTURE_DIR = '/work/shared/fixtures';
const FIXTURES = readdirSync(FIXTURE_DIR)
  .filter((f) => /^ses-sns-.*\.json$/.test(f))
  .map((f) => ({ file: f, event: (JSON.parse(readFileSync(`${FIXTURE_DIR}/${f}`, 'utf8')) as { event: Record<string, unknown> }).event }));
const RECEIVED = new Date('2024-05-01T12:00:00.000Z');
const SNS_TIME = '2024-05-01T11:59:59.000Z';

function notification(message: string, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      Type: 'Notification',
      MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events',
      Message: message,
      Timestamp: SNS_TIME,
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      ...extra,
    }),
  );
}

function detailTimestamp(event: Record<string, unknown>): string | undefined {
  const type = event['eventType'] as string;
  const detail = event[type.charAt(0).toLowerCase() + type.slice(1)] as { timestamp?: string } | undefined;
  return detail?.timestamp;
}

describe('SES events through SNS', () => {
  test('at least the four documented fixtures are here', () => {
    assert.ok(FIXTURES.length >= 4, FIXTURES.map((f) => f.file).join());
  });

  for (const { file, event } of FIXTURES) {
    test(`${file}: the Message becomes one event with the SNS MessageId, its type and its own time`, () => {
      const { events, rejects } = parsePayload('sns', notification(JSON.stringify(event)), RECEIVED);
      assert.deepEqual(rejects, []);
      assert.equal(events.length, 1);
      const e = events[0]!;
      assert.equal(e.id, '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324');
      assert.equal(e.type, event['eventType']);
      const expected = detailTimestamp(event) ?? (event['mail'] as { timestamp: string }).timestamp;
      assert.equal(e.time, new Date(expected).toISOString());
      assert.deepEqual(e.body, event);
    });
  }

  test('identity notifications use notificationType', () => {
    const { eventType, ...rest } = FIXTURES.find((f) => f.event['eventType'] === 'Bounce')!.event;
    const legacy = { notificationType: eventType, ...rest };
    const { events } = parsePayload('sns', notification(JSON.stringify(legacy)), RECEIVED);
    assert.equal(events[0]!.type, 'Bounce');
    assert.equal(events[0]!.time, '2017-08-05T00:41:02.669Z');
  });

  test('an event without its own timestamp falls back to mail.timestamp, then the SNS Timestamp', () => {
    const send = { eventType: 'Send', mail: { timestamp: '2024-04-30T10:00:00.000Z', destination: ['x@example.com'] }, send: {} };
    assert.equal(parsePayload('sns', notification(JSON.stringify(send)), RECEIVED).events[0]!.time, '2024-04-30T10:00:00.000Z');
    const bare = { eventType: 'Send' };
    assert.equal(parsePayload('sns', notification(JSON.stringify(bare)), RECEIVED).events[0]!.time, SNS_TIME);
  });

  test('Rendering Failure events read their time from `failure`', () => {
    const failure = { eventType: 'Rendering Failure', mail: { timestamp: '2024-04-30T10:00:00.000Z' }, failure: { errorMessage: 'x', templateName: 't', timestamp: '2024-04-30T10:00:05.000Z' } };
    assert.equal(parsePayload('sns', notification(JSON.stringify(failure)), RECEIVED).events[0]!.time, '2024-04-30T10:00:05.000Z');
  });

  test('raw message delivery: the body is the SES event itself, with a derived id', () => {
    const event = FIXTURES[0]!.event;
    const body = Buffer.from(JSON.stringify(event));
    const { events } = parsePayload('sns', body, RECEIVED);
    assert.equal(events.length, 1);
    assert.match(events[0]!.id, /^sp-/);
    assert.deepEqual(events[0]!.body, event);
  });

  test('subscription control messages carry no event and no reject', () => {
    for (const Type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation']) {
      assert.deepEqual(parsePayload('sns', notification('You have chosen to subscribe', { Type }), RECEIVED), { events: [], rejects: [] });
    }
  });

  test('bodies of the wrong shape become rejects naming the field, never the value', () => {
    const cases: [Buffer, string, string[] | undefined][] = [
      [notification('plain text someone published to the topic'), 'invalid_json', ['Message']],
      [notification('[1,2]'), 'not_an_object', ['Message']],
      [notification(JSON.stringify({ mail: { destination: ['x@example.com'] } })), 'missing_fields', ['eventType']],
      [notification('{}', { Message: undefined }), 'missing_fields', ['Message']],
      [notification('{}', { MessageId: '' }), 'missing_fields', ['MessageId']],
      [notification('{}', { Type: 'Other' }), 'unexpected_sns_type', undefined],
      [Buffer.from('[]'), 'not_an_object', undefined],
      [Buffer.from('<xml/>'), 'invalid_json', undefined],
    ];
    for (const [body, reason, fields] of cases) {
      const r = parsePayload('sns', body, RECEIVED);
      assert.deepEqual(r.events, []);
      assert.equal(r.rejects.length, 1);
      const reject = r.rejects[0]!;
      assert.equal(reject.reason, reason);
      assert.deepEqual(reject.fields, fields);
      assert.equal(reject.index, null);
      assert.ok(reject.raw.equals(body));
      assert.ok(!JSON.stringify({ ...reject, raw: undefined }).includes('example.com'));
    }
  });
});
