import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SENDGRID_SUPPRESS, DEFAULT_SES_SUPPRESS } from '../../../ingest-service/src/suppressions/suppression-config.js';
import { stopSignals } from '../../../ingest-service/src/suppressions/stop-signals.js';
import { parseSuppressionValue } from '../../../ingest-service/src/suppressions/suppression-store.js';
import {
  activeSummary,
  liftAll,
  mergeValues,
  orderStamp,
  reasonsFingerprint,
  SUPPRESSION_SCHEMA,
  type SuppressionValue,
} from '../../../ingest-service/src/suppressions/suppression-state.js';

const value = (reasons: SuppressionValue['reasons'], eventId = 'e'): SuppressionValue => ({
  schema: SUPPRESSION_SCHEMA,
  subject: 'S',
  reasons,
  source: 'sendgrid',
  eventId,
  policyVersion: 1,
  sections: {},
  sealedId: eventId,
  sealedSource: 'sendgrid',
});
const stop = (reason: string, t: number, i = 0): SuppressionValue => {
  const o = orderStamp(t, t, i);
  return value({ [reason]: { since: new Date(t).toISOString(), sinceOrd: o, lastOrd: o, source: 'sendgrid', eventId: `${reason}${t}` } });
};
const lift = (reason: string, t: number, i = 0): SuppressionValue =>
  value({ [reason]: { liftedOrd: orderStamp(t, t, i), liftedBy: 'group_resubscribe', source: 'sendgrid', eventId: `lift${t}` } });

describe('suppression state merge', () => {
  const events = [stop('bounce', 1000), stop('spamreport', 2000), lift('bounce', 1500), stop('bounce', 3000), lift('spamreport', 2500, 1), stop('unsubscribe', 500)];

  it('gives the same state whatever the order records are merged in (two writers racing, replays)', () => {
    const orders = [events, [...events].reverse(), [events[3], events[0], events[5], events[2], events[4], events[1]]];
    const results = orders.map((list) => list.reduce<SuppressionValue | undefined>((acc, v) => mergeValues(acc, v!), undefined)!);
    for (const r of results) assert.equal(reasonsFingerprint(r), reasonsFingerprint(results[0]!));
    // bounce: stopped at 1000, lifted at 1500, stopped again at 3000 -> active since 3000; spamreport lifted after its stop.
    assert.deepEqual(activeSummary(results[0]), { reasons: ['bounce', 'unsubscribe'], since: new Date(500).toISOString() });
    assert.equal(results[0]!.reasons.bounce!.since, new Date(3000).toISOString());
  });

  it('is idempotent: merging a record again changes nothing', () => {
    const once = events.reduce<SuppressionValue | undefined>((acc, v) => mergeValues(acc, v), undefined)!;
    const twice = events.reduce((acc, v) => mergeValues(acc, v), once);
    assert.equal(reasonsFingerprint(twice), reasonsFingerprint(once));
  });

  it('orders events of the same second by their position in the request', () => {
    const t = 1631577204000;
    const merged = mergeValues(stop('group_unsubscribe', t, 12), lift('group_unsubscribe', t, 13));
    assert.deepEqual(activeSummary(merged).reasons, []);
    const reversed = mergeValues(lift('group_unsubscribe', t, 11), stop('group_unsubscribe', t, 12));
    assert.deepEqual(activeSummary(reversed).reasons, ['group_unsubscribe'], 'a resubscribe before the unsubscribe does not lift it');
  });

  it("an operator's removal lifts every active reason; only a later stop brings one back", () => {
    const removed = liftAll(mergeValues(stop('bounce', 1000), stop('spamreport', 2000)), 5000, 'admin', 'rm-1');
    assert.deepEqual(activeSummary(removed).reasons, []);
    assert.equal(removed.lifted?.by, 'admin');
    assert.deepEqual(activeSummary(mergeValues(removed, stop('bounce', 4000))).reasons, [], 'an older bounce delivered late stays lifted');
    assert.deepEqual(activeSummary(mergeValues(removed, stop('bounce', 6000))).reasons, ['bounce']);
  });
});

describe('suppression records read from the topic', () => {
  const raw = (reasons: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ ...stop('bounce', 1000), reasons }));
  const bounce = stop('bounce', 1000).reasons['bounce'];

  it('accepts only the reasons an address can be on the list for: anyone who may write the topic cannot add others', () => {
    assert.ok(parseSuppressionValue(raw({ bounce })));
    assert.ok(parseSuppressionValue(raw({ complaint: bounce, group_unsubscribe: bounce })));
    // A comma split one reason into two in the view's column and the check's answer; any other name reached the answer as it was.
    for (const name of ['bounce,spamreport', 'not-a-reason', 'x'.repeat(5000), '<b>']) assert.equal(parseSuppressionValue(raw({ [name]: bounce })), undefined, name.slice(0, 20));
  });
});

describe('stop signals per source kind', () => {
  const sg = (body: Record<string, unknown>) => stopSignals({ kind: 'sendgrid', suppress: DEFAULT_SENDGRID_SUPPRESS }, { id: 'x', type: String(body.event), time: '2021-01-01T00:00:00.000Z', body });
  const ses = (type: string, body: Record<string, unknown>) => stopSignals({ kind: 'sns', suppress: DEFAULT_SES_SUPPRESS }, { id: 'x', type, time: '2021-01-01T00:00:00.000Z', body });

  it('SendGrid: the events that mean stop, and those that do not', () => {
    const table: [Record<string, unknown>, string[]][] = [
      [{ event: 'bounce', email: 'A@x.org' }, ['stop:bounce']],
      [{ event: 'bounce', email: 'a@x.org', type: 'blocked' }, []],
      [{ event: 'dropped', email: 'a@x.org', reason: 'Bounced Address' }, ['stop:dropped']],
      [{ event: 'dropped', email: 'a@x.org', reason: 'Spam Content' }, []],
      [{ event: 'spamreport', email: 'a@x.org' }, ['stop:spamreport']],
      [{ event: 'unsubscribe', email: 'a@x.org' }, ['stop:unsubscribe']],
      [{ event: 'group_unsubscribe', email: 'a@x.org', asm_group_id: 10 }, ['stop:group_unsubscribe/10']],
      [{ event: 'group_resubscribe', email: 'a@x.org', asm_group_id: '10' }, ['lift:group_unsubscribe/10']],
      [{ event: 'group_unsubscribe', email: 'a@x.org' }, []],
      [{ event: 'delivered', email: 'a@x.org' }, []],
      [{ event: 'bounce' }, []],
    ];
    for (const [body, want] of table) {
      const got = sg(body).map((s) => `${s.action}:${s.reason}${s.group !== undefined ? `/${s.group}` : ''}`);
      assert.deepEqual(got, want, JSON.stringify(body));
    }
    assert.equal(sg({ event: 'bounce', email: 'Bob <Bob@X.org>' })[0]!.address, 'bob@x.org');
  });

  it('SES: permanent bounces and complaints, per recipient; transient bounces do not count', () => {
    const recipients = [{ emailAddress: 'a@x.org' }, { emailAddress: 'B@x.org' }];
    assert.deepEqual(ses('Bounce', { bounce: { bounceType: 'Permanent', bouncedRecipients: recipients } }).map((s) => `${s.reason}:${s.address}`), ['bounce:a@x.org', 'bounce:b@x.org']);
    assert.deepEqual(ses('Bounce', { bounce: { bounceType: 'Transient', bouncedRecipients: recipients } }), []);
    assert.deepEqual(ses('Complaint', { complaint: { complainedRecipients: recipients.slice(0, 1) } }).map((s) => s.reason), ['complaint']);
    assert.deepEqual(ses('Delivery', { delivery: { recipients: ['a@x.org'] } }), []);
  });

  it('costs next to nothing for events that cannot mean stop (every event passes here, in the expand worker)', () => {
    const types = ['processed', 'delivered', 'open', 'click', 'deferred'];
    const events = types.map((type, i) => ({ id: `e${i}`, type, time: '2021-01-01T00:00:00.000Z', body: { event: type, email: `Some One <Person${i}@Example.com>` } }));
    const rule = { kind: 'sendgrid', suppress: DEFAULT_SENDGRID_SUPPRESS } as const;
    for (let i = 0; i < 20_000; i++) stopSignals(rule, events[i % 5]!); // warm
    const t0 = performance.now();
    for (let i = 0; i < 500_000; i++) assert.equal(stopSignals(rule, events[i % 5]!).length, 0);
    const ms = performance.now() - t0;
    // Normalising every event's address first took about 0.75 µs an event (375 ms here); the type alone decides.
    assert.ok(ms < 120, `${ms.toFixed(0)} ms for 500,000 events`);
  });

  it('a source configured to count nothing derives nothing', () => {
    assert.deepEqual(stopSignals({ kind: 'sendgrid', suppress: { ...DEFAULT_SENDGRID_SUPPRESS, events: [] } }, { id: 'x', type: 'bounce', time: '', body: { event: 'bounce', email: 'a@x.org' } }), []);
  });
});
