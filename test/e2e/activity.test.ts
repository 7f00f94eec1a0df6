// End to end: the Email activity page in Debian Chromium (Playwright) over the test bridge, against a real ingest
// service that forwarded a few thousand generated SendGrid events to the real broker. The page shows the counts the
// service kept (chart, funnel, bounce classes, deferral reasons), opens the top clicked links with the operator's
// identity (locked ones say why), and one recipient's timeline read from the topic through the blind index. Its v2
// records open through the keys topic the service tells the console at sign-in (nothing set in Settings).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { generateActivity, type ExpectedActivity } from '../support/activity-events.js';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { until } from '../support/until.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { AUDITOR_UNREACHABLE, CHROMIUM_NOTE, HAS_CHROMIUM, startConnectedConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const LONG = 60_000;
const NOW = Date.now();
const TAG = `e2e${NOW.toString(36)}`;
const MESSAGES = 2_000;

describe(`console e2e: email activity${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 300_000 }, () => {
  let svc: AdminTestService;
  let ui: ConsoleUnderTest;
  let page: Page;
  let expected: ExpectedActivity;
  let events = 0;
  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `activity-${name}.png`), fullPage: true });
  };

  before(async () => {
    const { brokers } = await ensureKafka();
    const gen = generateActivity(MESSAGES, { now: NOW, minutes: 20 * 60, tag: TAG });
    expected = gen.expected;
    events = gen.events.length;
    const [rendererDir, s] = await Promise.all([buildBridgeRenderer(), startAdminService({ brokers, admin: { serverId: 'ingest-activity', audit: { topic: uniqueTopic('activity-e2e-audit') } } })]);
    svc = s;
    for (let i = 0; i < gen.events.length; i += 1_000) assert.equal((await svc.postSendgrid(JSON.stringify(gen.events.slice(i, i + 1_000)))).status, 200);
    await until(
      `${events} events forwarded`,
      () => svc.local().status(),
      (st) => st.journal.pendingTotal === 0 && (st.kafka.forwarder?.forwardedEvents ?? 0) >= events,
      { timeoutMs: 120_000 },
    );
    ui = await startConnectedConsole({
      rendererDir,
      brokers,
      service: svc,
      // The service's own key folder: the local identity opens every department, and it holds the blind-index key.
      // No keys topic: the service writes v2 records (subject keys on, a keys topic of its own), and the console
      // takes that topic from the service at sign-in.
      settings: { localKeysDir: join(svc.dataDir, 'keys') },
      aws: AUDITOR_UNREACHABLE,
      viewport: { width: 1500, height: 1000 },
      timeoutMs: LONG,
    });
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
    await svc?.stop();
  });

  test('Settings show the keys topic the service told at sign-in, with nothing typed there', async () => {
    const topic = svc.config.subjectKeys.topic;
    assert.notEqual(topic, 'sealpost.subject-keys', 'the test service has a keys topic of its own');
    await page.getByTestId('nav-settings').click();
    const used = page.locator('[data-testid="settings-keys-topic-used"][data-from="service"]');
    await used.waitFor();
    assert.equal(await used.innerText(), `In use: ${topic} (from the signed-in service ingest-activity)`);
    assert.equal(await page.getByTestId('settings-keys-topic').inputValue(), '', 'no override');
    assert.equal(await page.getByTestId('settings-keys-topic').getAttribute('placeholder'), topic);
    await shot('00-settings-keys-topic');
  });

  test('the page opens on the counts: total, chart by type, funnel per category, bounce classes, deferral reasons', async () => {
    const started = Date.now();
    await page.getByTestId('nav-activity').click();
    await page.getByTestId('activity-total').waitFor();
    const openedMs = Date.now() - started;
    assert.equal(await page.getByTestId('activity-total').innerText(), `${events.toLocaleString('en-US')} events forwarded in this range`);
    const legend = await page.getByTestId('chart-legend-item').allInnerTexts();
    for (const [type, n] of Object.entries(expected.byType)) assert.ok(legend.some((l) => l.startsWith(`■ ${type}`) && l.endsWith(n.toLocaleString('en-US'))), `${type} ${n} in ${legend.join(' | ')}`);
    assert.ok((await page.locator('[data-testid="activity-chart"] polyline').count()) >= 5);

    for (const [category, f] of Object.entries(expected.funnel)) {
      const cells = await page.locator(`[data-testid="funnel-row"][data-category="${category}"] td`).allInnerTexts();
      assert.equal(cells[0], category);
      assert.deepEqual(cells.slice(1).map((c) => Number(c.split(' ')[0]!.replace(/,/g, ''))), [f.processed, f.delivered, f.open, f.click], category);
    }
    const bars = async (id: string) =>
      Object.fromEntries(
        await page.locator(`[data-testid="${id}-row"]`).evaluateAll((els) => els.map((e) => [e.getAttribute('data-class'), Number(e.querySelector('.bar-count')!.textContent!.replace(/,/g, ''))])),
      );
    assert.deepEqual(await bars('activity-bounces'), expected.bounces);
    assert.deepEqual(await bars('activity-deferrals'), expected.deferrals);
    const text = await page.getByTestId('activity-page').innerText();
    assert.doesNotMatch(text, /example\.org|Greylisted/, 'no address and no reply text on the page');
    await page.getByTestId('link-row').first().waitFor();
    await shot('01-overview');
    assert.ok(openedMs < 10_000, `opened in ${openedMs} ms`);
  });

  test('top clicked links are opened with the operator identity, most clicked first', async () => {
    const urls = await page.getByTestId('link-url').allInnerTexts();
    const counts = await page.locator('[data-testid="link-row"] .bar-count').allInnerTexts();
    const shown = Object.fromEntries(urls.map((u, i) => [u, Number(counts[i]!.replace(/,/g, ''))]));
    const top = Object.entries(expected.clicks).sort((a, b) => b[1] - a[1]).slice(0, 10);
    assert.equal(urls.length, Math.min(10, Object.keys(expected.clicks).length));
    for (const [url, n] of top) assert.equal(shown[url], n, url);
    assert.match(await page.getByTestId('activity-links').innerText(), /opened as local keys/);
  });

  test('viewed as an AWS profile that cannot open the local-key sections, each link says why', async () => {
    await page.getByTestId('profile-select').selectOption('aws:auditor');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="link-row"][data-state="locked"]').length > 0, undefined, { timeout: LONG });
    assert.equal(await page.getByTestId('link-url').count(), 0, 'no URL shown to an identity that cannot open it');
    const why = await page.getByTestId('link-locked').first().innerText();
    assert.ok(why.length > 20, why);
    await page.getByTestId('activity-links').scrollIntoViewIfNeeded();
    await shot('02-links-locked');
    await page.getByTestId('profile-select').selectOption('local');
    await page.getByTestId('link-url').first().waitFor();
  });

  test('a recipient timeline: the person’s events in order, with the fields the identity opens, and the suppression state', async () => {
    const person = 4; // processed, delivered, open, click (see generateActivity)
    await page.getByTestId('timeline-address').fill(`person${person}.${TAG}@example.org`);
    await page.getByTestId('timeline-search').click();
    await page.getByTestId('timeline-summary').waitFor();
    const types = await page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    assert.deepEqual(types, ['processed', 'delivered', 'open', 'click']);
    const opened = await page.getByTestId('timeline-open').allInnerTexts();
    assert.ok(opened.some((t) => t.includes(`person${person}.${TAG}@example.org`)), 'the opened support section shows the address');
    assert.ok(opened.some((t) => t.includes('https://shop.example.com/offer/boots')), 'and the clicked URL');
    assert.match(await page.getByTestId('timeline-summary').innerText(), /^4 events · blind index \S+ · partition \d · read [\d,]+ of [\d,]+ records · opened as local keys/);
    assert.match(await page.getByTestId('timeline-suppression').innerText(), /Suppression state:/);
    await page.getByTestId('timeline').scrollIntoViewIfNeeded();
    await shot('03-timeline');

    // A person the topic never saw: an empty timeline, read to the start of the partition.
    await page.getByTestId('timeline-address').fill('nobody@example.net');
    await page.getByTestId('timeline-search').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-summary"]')?.textContent?.startsWith('0 events'));
    assert.equal(await page.getByTestId('timeline-event').count(), 0);
  });

  test('search further back continues the shown person’s timeline, even after the address field changed', async () => {
    // A small record budget per call (as on a partition of millions), so the first answer stops before the start.
    const timelineCall = /\/api\/activity(?::|%3A)timeline$/;
    await page.route(timelineCall, (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as { args: Record<string, unknown> };
      return route.continue({ postData: JSON.stringify({ args: { ...body.args, budget: 1_000 } }) });
    });
    try {
      await page.getByTestId('timeline-address').fill(`person4.${TAG}@example.org`);
      await page.getByTestId('timeline-search').click();
      await page.getByTestId('timeline-more').waitFor();
      const index = (await page.getByTestId('timeline-summary').innerText()).match(/blind index (\S+)/)![1];
      // The operator starts typing another address, then asks for more of the timeline on screen.
      await page.getByTestId('timeline-address').fill(`person5.${TAG}@example.org`);
      while (await page.getByTestId('timeline-more').count()) {
        const shown = await page.getByTestId('timeline-summary').textContent();
        await page.getByTestId('timeline-more').click();
        await page.waitForFunction((was) => document.querySelector('[data-testid="timeline-summary"]')?.textContent !== was, shown);
        assert.equal((await page.getByTestId('timeline-summary').innerText()).match(/blind index (\S+)/)![1], index, 'still the same person');
      }
      const types = await page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
      assert.deepEqual(types, ['processed', 'delivered', 'open', 'click']);
    } finally {
      await page.unroute(timelineCall);
    }
  });

  test('no page errors', () => {
    assert.deepEqual(ui.problems, []);
  });
});
