// What one event counts for: labels the policy leaves clear, classes of what it seals, and nothing personal,
// whatever a sender puts in the fields (a table of hostile inputs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activityKeysOf, clickedUrlOf, label, smtpClass } from '../../../ingest-service/src/activity/facts.js';
import { compileRule, DEFAULT_POLICY, policySchema, splitEvent } from '../../../shared/policy/index.js';

const policy = policySchema.parse(DEFAULT_POLICY);
const sg = { clear: compileRule(policy.rules.sendgrid!).clear, sesCategoryTag: 'ses:configuration-set' };
const ses = { clear: compileRule(policy.rules.sns!).clear, sesCategoryTag: 'ses:configuration-set' };
const keys = (ks: { dim: string; key: string }[], dim: string) => ks.filter((k) => k.dim === dim).map((k) => k.key);

describe('activity facts', () => {
  test('SMTP replies give their status class only, never their text', () => {
    const table: [unknown, string][] = [
      ['451 4.7.1 Greylisted for <bob@example.com>', '451 4.7.1'],
      ['421-4.7.0 Try again later, bob@example.com', '421 4.7.0'],
      ['400 try again later', '400'],
      ['  550 5.1.1 user unknown', '550 5.1.1'],
      ['5.7.1 blocked', '5.7.1'],
      ['bob@example.com says no', 'no code'],
      ['4511 looks like a code', 'no code'],
      [undefined, 'no code'],
      [42, 'no code'],
    ];
    for (const [input, want] of table) assert.equal(smtpClass(input), want, String(input));
  });

  test('labels: short words and codes pass, addresses and odd text become (other)', () => {
    const table: [unknown, string][] = [
      ['spring-sale', 'spring-sale'],
      ['Invalid Address', 'Invalid Address'],
      ['bob@example.com', '(other)'],
      ['a'.repeat(65), '(other)'],
      ['line\nbreak', '(other)'],
      ['<script>', '(other)'],
      [{ nested: 1 }, '(other)'],
      ['', '(other)'],
    ];
    for (const [input, want] of table) assert.equal(label(input), want, JSON.stringify(input));
  });

  test('SendGrid: category string or array (or none), bounce classes, drop reasons from SendGrid’s own set', () => {
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'open', { category: 'weekly' }, sg), 'category'), ['weekly']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'open', { category: ['a', 'b', 'a'] }, sg), 'category'), ['a', 'b']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'open', {}, sg), 'category'), ['(none)']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'open', { category: ['bob@example.com'] }, sg), 'category'), ['(other)']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'bounce', { type: 'blocked', bounce_classification: 'Reputation' }, sg), 'bounce'), ['blocked/Reputation']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'dropped', { reason: 'Bounced Address' }, sg), 'bounce'), ['Bounced Address']);
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'dropped', { reason: 'Dropped bob@example.com' }, sg), 'bounce'), ['(other)']);
    // A policy that seals the category: it is not counted as itself.
    const sealed = { ...sg, clear: new Set([...sg.clear].filter((p) => p !== 'category')) };
    assert.deepEqual(keys(activityKeysOf('sendgrid', 'open', { category: 'weekly' }, sealed), 'category'), ['(none)']);
  });

  test('SES: the configuration set is the category; bounce type/subtype and delay type are classes; events sources count nothing', () => {
    const mail = { tags: { 'ses:configuration-set': ['welcome'] } };
    const b = activityKeysOf('sns', 'Bounce', { mail, bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } }, ses);
    assert.deepEqual(keys(b, 'category'), ['welcome']);
    assert.deepEqual(keys(b, 'bounce'), ['Transient/MailboxFull']);
    assert.deepEqual(keys(activityKeysOf('sns', 'DeliveryDelay', { mail, deliveryDelay: { delayType: 'MailboxFull' } }, ses), 'deferral'), ['MailboxFull']);
    assert.deepEqual(activityKeysOf('events', 'login', {}, sg), []);
  });

  test('SES: a category tag is counted only where the topic has it in clear (same walk as the clear part)', () => {
    // sesCategoryTag may hold a dot; the policy's clear path then names nested objects. A tag key that itself
    // holds the dot is sealed in Kafka (splitEvent never treats a dotted key as clear): it must not be counted.
    const rule = compileRule(policySchema.parse({ ...DEFAULT_POLICY, rules: { ...DEFAULT_POLICY.rules, sns: { ...DEFAULT_POLICY.rules.sns!, clear: [...DEFAULT_POLICY.rules.sns!.clear, 'mail.tags.team.name'] } } }).rules.sns!);
    const dotted = { clear: rule.clear, sesCategoryTag: 'team.name' };
    const body = { mail: { tags: { 'team.name': ['Jane Doe'] } } };
    assert.ok(!JSON.stringify(splitEvent(body, rule).clear).includes('Jane'), 'sealed in Kafka');
    assert.deepEqual(keys(activityKeysOf('sns', 'Send', body, dotted), 'category'), ['(none)']);
  });

  test('the clicked URL is found where each provider puts it', () => {
    assert.deepEqual(clickedUrlOf('sendgrid', 'click', { url: 'https://x.example/a' }), { path: 'url', url: 'https://x.example/a' });
    assert.deepEqual(clickedUrlOf('sns', 'Click', { click: { link: 'https://x.example/b' } }), { path: 'click.link', url: 'https://x.example/b' });
    assert.equal(clickedUrlOf('sendgrid', 'open', { url: 'https://x.example/a' }), undefined);
  });
});
