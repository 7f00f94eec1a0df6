// Email activity on the real broker: the service counts what it forwarded (seed batch, a few thousand generated
// SendGrid events, SES notifications through SNS), the admin API answers the counts a reader expects, a retried
// batch is not counted twice, a restart keeps the counts, and the counts database holds no personal value.
import assert from 'node:assert/strict';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import { generateActivity, type ExpectedActivity } from '../../support/activity-events.js';
import { SEED_BATCH, tempDataDir } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { departmentKeyring, openSection } from '../../support/local-decrypt.js';
import { createSnsSigner, type SnsSigner } from '../../support/sns-signer.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-activity';
const NOW = Date.now();
const TAG = `act${NOW.toString(36)}`;
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/ses/${name}.json`, import.meta.url), 'utf8')) as Record<string, any>;
const SES_LINK = `https://ses.example.com/welcome?person=${TAG}`;

/** SES events of one message, stamped a few minutes ago, category (configuration set) `welcome-set`. */
function sesEvents(): Record<string, any>[] {
  const at = new Date(NOW - 5 * 60_000).toISOString();
  const mail = { ...fixture('bounce').mail, timestamp: at, tags: { 'ses:configuration-set': ['welcome-set'] } };
  const bounce = fixture('bounce');
  const delay = fixture('deliverydelay');
  return [
    { eventType: 'Send', mail, send: {} },
    { eventType: 'Delivery', mail, delivery: { timestamp: at, recipients: ['recipient@example.com'], processingTimeMillis: 500 } },
    { eventType: 'Open', mail, open: { timestamp: at, ipAddress: '198.51.100.9', userAgent: 'Mozilla/5.0' } },
    { eventType: 'Click', mail, click: { timestamp: at, ipAddress: '198.51.100.9', userAgent: 'Mozilla/5.0', link: SES_LINK, linkTags: {} } },
    { ...bounce, mail, bounce: { ...bounce.bounce, timestamp: at } },
    { ...delay, mail, deliveryDelay: { ...delay.deliveryDelay, timestamp: at } },
  ];
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const byKey = <T,>(rows: T[], key: (r: T) => string, n: (r: T) => number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + n(r);
  return out;
};

describe('email activity counts (real broker)', { timeout: 300_000 }, () => {
  let svc: AdminTestService;
  let signer: SnsSigner;
  let brokers: string[];
  let expected: ExpectedActivity;
  let total = 0;
  const dataDir = tempDataDir('sp-activity-');
  const range = { from: NOW - 2 * 3_600_000, to: NOW + 10 * 60_000 };
  const seedRange = { from: Date.UTC(2021, 6, 1), to: Date.UTC(2021, 9, 1) };

  const start = async () =>
    startAdminService({
      brokers,
      dataDir,
      admin: { audit: { topic: uniqueTopic('activity-audit') } },
      // The seed batch happened in 2021: hourly rows kept ten years, so the restart's prune keeps them.
      overrides: { activity: { retentionDays: 3660 } },
      extraSources: [{ id: 'ses', kind: 'sns', topic: uniqueTopic('activity-ses'), verify: { topicArns: [TOPIC_ARN], certDir: signer.certDir, fetchCertificates: false, subscription: 'log' } }],
    });
  const postSes = (message: unknown, id: string) => {
    const body = signer.notification({ topicArn: TOPIC_ARN, message: JSON.stringify(message), messageId: id, version: 2 });
    return fetch(`${svc.service.url}/v1/sns/ses`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, body: JSON.stringify(body) });
  };
  const drained = (c: AdminClient, want: number) =>
    until(
      `${want} events forwarded`,
      () => c.status(),
      (s) => s.journal.pendingTotal === 0 && (s.kafka.forwarder?.forwardedEvents ?? 0) + (s.kafka.forwarder?.duplicatesDropped ?? 0) >= want,
      { timeoutMs: 120_000, show: (s) => JSON.stringify({ pending: s.journal.pendingTotal, f: s.kafka.forwarder }) },
    );

  before(async () => {
    ({ brokers } = await ensureKafka());
    signer = createSnsSigner();
    svc = await start();
    const gen = generateActivity(1_000, { now: NOW, minutes: 90, tag: TAG });
    expected = gen.expected;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    for (let i = 0; i < gen.events.length; i += 500) assert.equal((await svc.postSendgrid(JSON.stringify(gen.events.slice(i, i + 500)))).status, 200);
    for (const [i, e] of sesEvents().entries()) assert.equal((await postSes(e, `${TAG}-ses-${i}`)).status, 200);
    total = 14 + gen.events.length + 6;
    await drained(svc.local(), total);
    // SendGrid retries a batch it already delivered: the events reach the journal again, dedupe drops them, nothing is counted twice.
    assert.equal((await svc.postSendgrid(JSON.stringify(gen.events.slice(0, 500)))).status, 200);
    await drained(svc.local(), total + 500);
    assert.equal((await svc.local().status()).kafka.forwarder?.duplicatesDropped, 500);
  });

  after(async () => {
    await svc?.stop();
    signer?.cleanup();
  });

  const checkGenerated = async (c: AdminClient) => {
    const series = await c.activitySeries({ ...range, step: 60, source: 'sendgrid' });
    assert.equal(series.resolution, 'minute');
    const types = byKey(series.series, (s) => s.type, (s) => s.total);
    assert.deepEqual(types, expected.byType, 'events by type = what was sent (the retried batch counted once)');
    for (const s of series.series) assert.equal(s.counts.reduce((a, b) => a + b, 0), s.total);
    assert.ok(series.series.some((s) => s.counts.filter((n) => n > 0).length > 30), 'spread over the minutes the events happened in');

    const funnel = await c.activityFunnel({ ...range, source: 'sendgrid' });
    assert.deepEqual(Object.fromEntries(funnel.categories.map(({ category, ...rest }) => [category, rest])), expected.funnel);
    const order = funnel.categories.map((c) => [c.processed, c.delivered] as const);
    assert.deepEqual(order, [...order].sort((a, b) => b[0] - a[0] || b[1] - a[1]), 'largest first (processed, then delivered)');

    const bounces = await c.activityBounces({ ...range, source: 'sendgrid' });
    assert.deepEqual(byKey(bounces.rows, (r) => r.class, (r) => r.count), expected.bounces);
    const deferrals = await c.activityDeferrals({ ...range, source: 'sendgrid' });
    assert.deepEqual(byKey(deferrals.rows, (r) => r.class, (r) => r.count), expected.deferrals, 'SMTP status classes, never the reply text');
  };

  test('seed batch and generated SendGrid events: series, funnel, bounces, deferrals match what was sent', async () => {
    await checkGenerated(svc.local());
    const seed = await svc.local().activitySeries({ ...seedRange, step: 86_400, source: 'sendgrid' });
    assert.equal(seed.resolution, 'hour');
    assert.deepEqual(byKey(seed.series, (s) => s.type, (s) => s.total), {
      processed: 2, delivered: 2, open: 2, deferred: 1, click: 1, bounce: 1, dropped: 1, spamreport: 1, unsubscribe: 1, group_unsubscribe: 1, group_resubscribe: 1,
    });
    const seedFunnel = await svc.local().activityFunnel({ ...seedRange, source: 'sendgrid' });
    assert.deepEqual(seedFunnel.categories, [
      { category: 'cat facts', processed: 1, delivered: 1, open: 1, click: 1 },
      { category: '(none)', processed: 1, delivered: 1, open: 1, click: 0 },
    ]);
    assert.deepEqual(byKey((await svc.local().activityBounces({ ...seedRange, source: 'sendgrid' })).rows, (r) => r.class, (r) => r.count), { 'bounce/Unclassified': 1, 'Bounced Address': 1 });
    assert.deepEqual(byKey((await svc.local().activityDeferrals({ ...seedRange })).rows, (r) => r.class, (r) => r.count), { '400': 1 });
  });

  test('SES through SNS: the configuration set is the category, bounce and delay types are classes', async () => {
    const c = svc.local();
    const series = await c.activitySeries({ ...range, source: 'ses' });
    assert.deepEqual(byKey(series.series, (s) => s.type, (s) => s.total), { Send: 1, Delivery: 1, Open: 1, Click: 1, Bounce: 1, DeliveryDelay: 1 });
    assert.deepEqual((await c.activityFunnel({ ...range, source: 'ses' })).categories, [{ category: 'welcome-set', processed: 1, delivered: 1, open: 1, click: 1 }]);
    assert.deepEqual((await c.activityBounces({ ...range, source: 'ses' })).rows, [{ source: 'ses', type: 'Bounce', class: 'Permanent/General', count: 1 }]);
    assert.deepEqual((await c.activityDeferrals({ ...range, source: 'ses' })).rows, [{ source: 'ses', type: 'DeliveryDelay', class: 'TransientCommunicationFailure', count: 1 }]);
  });

  test('top clicked links: counted by keyed reference, the URL sealed for the departments granted it', async () => {
    const links = await svc.local().activityLinks({ ...range, limit: 100 });
    const support = departmentKeyring(dataDir, 'support');
    const opened: Record<string, number> = {};
    for (const l of links.links) {
      assert.match(l.ref, /^[A-Za-z0-9_-]{22}$/);
      assert.ok(l.sealed, `sealed copy of ${l.ref}`);
      assert.deepEqual(Object.keys(l.sealed.sections).sort(), ['security', 'support'], 'analytics is not granted the URL');
      const { plaintext, context } = await openSection(support, l.sealed.sections.support!);
      assert.equal(plaintext.id, `link:${l.ref}`);
      assert.equal(context['sealpost:department'], 'support');
      const url = (plaintext.fields.url ?? plaintext.fields['click.link']) as string;
      opened[url] = (opened[url] ?? 0) + l.clicks;
    }
    assert.deepEqual(opened, { ...expected.clicks, [SES_LINK]: 1 });
    assert.ok(links.links[0]!.clicks >= links.links[links.links.length - 1]!.clicks, 'most clicked first');
  });

  test('bad ranges are a clear 400; an unknown source a 404', async () => {
    await assert.rejects(svc.local().activitySeries({ from: NOW, to: NOW - 1 }), (e: any) => e.code === 'SP_ADMIN_BAD_REQUEST' && /after/.test(e.message));
    await assert.rejects(svc.local().activitySeries({ from: 0, to: NOW, step: 60 }), (e: any) => e.code === 'SP_ADMIN_BAD_REQUEST' && /points/.test(e.message));
    await assert.rejects(svc.local().activitySeries({ ...range, step: 90 }), (e: any) => e.code === 'SP_ADMIN_BAD_REQUEST');
    await assert.rejects(svc.local().activityFunnel({ ...range, source: 'nope' }), (e: any) => e.code === 'SP_ADMIN_NOT_FOUND');
  });

  test('no personal value in the counts database (byte scan), owner-only files', async () => {
    await svc.local().activitySeries(range); // flushes
    const files = ['activity.db', 'activity.db-wal', 'activity.db-shm'].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
    assert.ok(files.length >= 1);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(bytes.includes(Buffer.from('spring-sale')) && bytes.includes(Buffer.from('451 4.7.1')), 'the scan reads the real contents');
    const personal = [...expected.personal, SES_LINK, 'recipient@example.com', 'example@test.com', 'chris@gmail.com', 'shop.example.com', 'news.example.com', 'www.sendgrid.com', '198.51.100.9', 'Greylisted', TAG];
    for (const p of personal) assert.equal(bytes.indexOf(Buffer.from(p)), -1, `${p} is not in the counts`);
    for (const f of files) assert.equal(statSync(f).mode & 0o077, 0, `${f} is owner-only`);
  });

  test('a restart keeps the counts', async () => {
    await svc.stop({ keepData: true });
    svc = await start();
    await checkGenerated(svc.local());
    assert.equal(sum(byKey((await svc.local().activitySeries({ ...seedRange, step: 86_400 })).series, (s) => s.type, (s) => s.total)), 14);
  });
});
