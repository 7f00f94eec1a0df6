import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule, DEFAULT_POLICY, getPath, normaliseAddress, policySchema, recipientOf, splitEvent, type SourceRule } from '../../../shared/policy/index.js';

const policy = policySchema.parse(DEFAULT_POLICY);
const sendgrid = compileRule(policy.rules.sendgrid!);
const sns = compileRule(policy.rules.sns!);

// From the SendGrid Event Webhook docs (shared/fixtures/sendgrid-events-samples.json, "click"), plus custom args.
const click = () => ({
  email: 'Example@Test.com',
  timestamp: 1513299569,
  'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
  event: 'click',
  category: ['cat facts', 'dogs'],
  sg_event_id: 'kCAi1KttyQdEKHhdC-nuEA==',
  sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
  useragent: 'Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)',
  ip: '255.255.255.255',
  url: 'http://www.sendgrid.com/',
  pool: { name: 'new_MY_test', id: 210 },
  customer_ref: 'cust-42',
  order: { id: 'o-9', total: 12 },
});

// From the SES event publishing docs (shared/fixtures/ses-sns-bounce.json), trimmed.
const bounce = () => ({
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'recipient@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    reportingMTA: 'dsn; mta.example.com',
  },
  mail: {
    timestamp: '2017-08-05T00:40:02.012Z',
    source: 'Sender Name <sender@example.com>',
    sendingAccountId: '123456789012',
    messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    destination: ['Recipient <Recipient@Example.com>'],
    headersTruncated: false,
    commonHeaders: { from: ['Sender Name <sender@example.com>'], to: ['recipient@example.com'], subject: 'Message sent from Amazon SES' },
    tags: { 'ses:configuration-set': ['ConfigSet'], 'ses:source-ip': ['192.0.2.0'] },
  },
});

/** Every leaf string in a value, to check that a personal value appears nowhere. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('splitEvent', () => {
  it('keeps exactly the allowlisted fields in the clear part', () => {
    const { clear } = splitEvent(click(), sendgrid);
    assert.deepEqual(Object.keys(clear).sort(), ['category', 'event', 'pool', 'sg_event_id', 'sg_message_id', 'smtp-id', 'timestamp']);
    for (const personal of ['Example@Test.com', '255.255.255.255', 'http://www.sendgrid.com/', 'cust-42', 'o-9']) {
      assert.ok(!strings(clear).includes(personal), `${personal} is not in the clear part`);
    }
  });

  it('keeps category clear whether it is a string or an array', () => {
    assert.deepEqual(splitEvent(click(), sendgrid).clear.category, ['cat facts', 'dogs']);
    assert.equal(splitEvent({ ...click(), category: 'cat facts' }, sendgrid).clear.category, 'cat facts');
  });

  it('treats unknown fields (custom args, new provider fields) as personal, sealed only for the "*" department', () => {
    const { sections, personalPaths } = splitEvent({ ...click(), brand_new_field: 'x' }, sendgrid);
    assert.ok(personalPaths.includes('customer_ref') && personalPaths.includes('order') && personalPaths.includes('brand_new_field'));
    assert.deepEqual(sections.get('security')!.customer_ref, 'cust-42');
    assert.deepEqual(sections.get('security')!.order, { id: 'o-9', total: 12 });
    assert.equal(sections.get('security')!.brand_new_field, 'x');
    assert.deepEqual(Object.keys(sections.get('support')!).sort(), ['email', 'ip', 'url', 'useragent']);
    assert.ok(!sections.has('analytics'), 'a department granted nothing gets no section');
  });

  it('splits nested SES paths: clear leaves stay clear, personal siblings are sealed by their dotted path', () => {
    const { clear, sections } = splitEvent(bounce(), sns);
    assert.deepEqual(clear, {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2017-08-05T00:41:02.669Z', feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000' },
      mail: {
        timestamp: '2017-08-05T00:40:02.012Z',
        sendingAccountId: '123456789012',
        messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        headersTruncated: false,
        tags: { 'ses:configuration-set': ['ConfigSet'] },
      },
    });
    const support = sections.get('support')!;
    assert.deepEqual(Object.keys(support).sort(), ['bounce.bouncedRecipients', 'mail.commonHeaders', 'mail.destination']);
    const security = sections.get('security')!;
    for (const path of ['bounce.bouncedRecipients', 'bounce.reportingMTA', 'mail.source', 'mail.destination', 'mail.commonHeaders', 'mail.tags.ses:source-ip']) {
      assert.ok(path in security, `security reads ${path}`);
    }
    assert.ok(!strings(clear).some((s) => /example\.com/i.test(s)), 'no address in the clear part');
  });

  it('never lets a field whose own name holds a dot pose as a nested clear path', () => {
    const { clear, sections } = splitEvent({ eventType: 'Bounce', 'mail.timestamp': 'bob@example.com' }, sns);
    assert.deepEqual(clear, { eventType: 'Bounce' });
    assert.equal(sections.get('security')!['mail.timestamp'], 'bob@example.com');
  });

  it('keeps a field named __proto__ as data in the section instead of dropping it', () => {
    const event = JSON.parse('{"event":"open","sg_event_id":"e1","__proto__":{"secret":"bob@example.com"}}') as Record<string, unknown>;
    const { sections, personalPaths } = splitEvent(event, sendgrid);
    assert.deepEqual(personalPaths, ['__proto__']);
    const security = sections.get('security')!;
    assert.ok(Object.hasOwn(security, '__proto__'));
    assert.equal(JSON.stringify(security), '{"__proto__":{"secret":"bob@example.com"}}');
    assert.equal(({} as Record<string, unknown>).secret, undefined, 'Object.prototype untouched');
  });

  it('seals an object found where the policy expects to descend, if it is not an object after all', () => {
    const { clear, sections } = splitEvent({ eventType: 'Bounce', mail: 'not an object: bob@example.com' }, sns);
    assert.deepEqual(clear, { eventType: 'Bounce' });
    assert.equal(sections.get('security')!.mail, 'not an object: bob@example.com');
  });

  it('applies grants by path prefix, not by string prefix', () => {
    const rule: SourceRule = { clear: ['id'], recipient: [], grants: { support: ['email'], security: ['*'] }, forgotten: 'new-key' };
    const { sections } = splitEvent({ id: '1', email: 'a@b.c', emailVerified: true }, compileRule(rule));
    assert.deepEqual(sections.get('support'), { email: 'a@b.c' });
  });
});

describe('recipient extraction', () => {
  it('reads the SendGrid email, normalised', () => {
    assert.equal(recipientOf(click(), sendgrid), 'example@test.com');
  });

  it('reads the first SES destination through an array index, taking the address inside <>', () => {
    assert.equal(recipientOf(bounce(), sns), 'recipient@example.com');
  });

  it('tries paths in order and skips blank values; undefined when none is there', () => {
    const rule = compileRule({ clear: [], recipient: ['to', 'subject'], grants: { s: ['*'] } });
    assert.equal(recipientOf({ to: '   ', subject: 'Bob <BOB@x.org>' }, rule), 'bob@x.org');
    assert.equal(recipientOf({ to: 42 }, rule), undefined);
    assert.equal(recipientOf({}, sendgrid), undefined);
  });

  it('getPath walks objects and array indexes and stops at missing steps', () => {
    assert.equal(getPath(bounce(), 'bounce.bouncedRecipients.0.emailAddress'), 'recipient@example.com');
    assert.equal(getPath(bounce(), 'mail.destination.5'), undefined);
    assert.equal(getPath(bounce(), 'mail.timestamp.deeper'), undefined);
  });

  it('normaliseAddress trims, lower-cases and unwraps display names', () => {
    assert.equal(normaliseAddress(' Bob@Example.com '), 'bob@example.com');
    assert.equal(normaliseAddress('"Bob B." <Bob@Example.com>'), 'bob@example.com');
  });
});
