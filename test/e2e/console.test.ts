// End to end: the real renderer in Debian Chromium (Playwright), talking over the test bridge to the SAME
// Node side Electron runs, against the real Kafka broker with envelopes sealed by the real sealer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Page } from 'playwright';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { createSeedKit, produceRecords, sendgridEvent, type SeedKit } from '../console/support/seed.js';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { AUDITOR_UNREACHABLE, CHROMIUM_NOTE, HAS_CHROMIUM, connectBrokers, openConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const N = 1_200;
const NOW = Date.now();
const tsOf = (i: number): number => NOW - (N - i) * 1_000;

describe(`console end to end in Chromium${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 240_000 }, () => {
  let kit: SeedKit;
  let topic: string;
  let ui: ConsoleUnderTest;
  let page: Page;
  let expectedLag = 0;
  let unreachableText = '';
  let brokersForTail: string[] = [];
  const events = Array.from({ length: N }, (_, i) => sendgridEvent(i, { time: tsOf(i) }));

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const rowCount = async () => Number((await page.getByTestId('row-count').innerText()).replace(/[^0-9]/g, ''));
  const cells = (colId: string) => page.locator(`[data-testid="messages-grid"] .ag-row .ag-cell[col-id="${colId}"]`);

  before(async () => {
    const { brokers } = await ensureKafka();
    brokersForTail = brokers;
    kit = createSeedKit();
    topic = uniqueTopic('console-e2e');
    await produceRecords(brokers, topic, await kit.build(events), { partitions: 6, timestampOf: tsOf });
    // A consumer group half way through the topic (kafkajs setOffsets takes seconds: done while the renderer builds).
    const kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const [rendererDir] = await Promise.all([
      buildBridgeRenderer(),
      admin.fetchTopicOffsets(topic).then((offsets) => {
        const committed = offsets.map((o) => ({ partition: o.partition, offset: String(Math.floor(Number(o.high) * (o.partition === 2 ? 0.2 : 0.8))) }));
        expectedLag = offsets.reduce((sum, o, i) => sum + Number(o.high) - Number(committed[i]!.offset), 0);
        return admin.setOffsets({ groupId: `${topic}-billing`, topic, partitions: committed });
      }),
    ]);
    await admin.disconnect();
    ui = await openConsole({ rendererDir, settings: { localKeysDir: kit.keysDir }, aws: AUDITOR_UNREACHABLE });
    page = ui.page;
    // First a broker that is not there: the error must say what to check, then the real broker.
    await page.getByTestId('conn-brokers').fill('127.0.0.1:1');
    await page.getByTestId('conn-submit').click();
    await page.getByTestId('error-banner').waitFor();
    unreachableText = await page.getByTestId('error-banner').innerText();
    await shot('00-broker-unreachable');
    await connectBrokers(page, brokers);
  });

  after(async () => {
    await ui?.close();
    await kit?.close();
  });

  test('an unreachable broker is reported as such, with what to check', () => {
    assert.match(unreachableText, /No broker answered \(127\.0\.0\.1:1\)/);
    assert.match(unreachableText, /SP_CONSOLE_BROKER_UNREACHABLE/);
  });

  test('connects and lists the topic with its record count', async () => {
    await page.getByTestId('topic-filter').fill(topic);
    const row = page.locator('[data-testid="topics-grid"] .ag-row').filter({ hasText: topic });
    await row.waitFor();
    assert.match(await row.innerText(), /1,200/);
    await shot('01-topics');
    await row.getByRole('button', { name: 'Messages' }).click();
    await page.getByTestId('messages-grid').waitFor();
  });

  test('browses the newest 500 records, newest first, no address in clear', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent?.startsWith('500'));
    assert.equal(await rowCount(), 500);
    const firstId = await page.locator('[data-testid="messages-grid"] .ag-row[row-index="0"] .ag-cell[col-id="eventId"]').innerText();
    assert.equal(firstId, events[N - 1]!.id);
    assert.doesNotMatch(await page.getByTestId('messages-grid').innerText(), /@example\.com/);
    await shot('02-messages-newest');
  });

  test('reads from an offset of one partition, and exports the loaded rows as CSV', async () => {
    await page.getByTestId('mode-select').selectOption('offset');
    await page.getByTestId('mode-partition').fill('2');
    await page.getByTestId('mode-offset').fill('3');
    await page.getByTestId('rows-select').selectOption('100');
    await page.getByTestId('load').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="messages-grid"] .ag-row[row-index="0"] .ag-cell[col-id="offset"]')?.textContent === '3');
    const partitions = new Set(await cells('partition').allInnerTexts());
    assert.deepEqual([...partitions], ['2']);
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await download;
    const csv = await readFile((await file.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    assert.match(lines[0]!, /^partition,offset,timestamp,time,type/);
    assert.equal(lines.length - 1, await rowCount());
    assert.match(lines[1]!, /^2,3,/);
    assert.doesNotMatch(csv, /@example\.com/, 'no decryption asked: no address in the export');
    await page.getByTestId('mode-select').selectOption('newest');
    await page.getByTestId('mode-partition').fill('');
    await page.getByTestId('rows-select').selectOption('500');
    await page.getByTestId('load').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent === '500 rows');
  });

  test('filters on the clear part, and by recipient through the blind index', async () => {
    await page.getByTestId('filter-types').fill('bounce');
    await page.getByTestId('filter-apply').click();
    const expected = events.filter((e) => e.type === 'bounce').length;
    await page.waitForFunction((n) => document.querySelector('[data-testid="row-count"]')?.textContent === `${n} rows`, expected);
    const types = await cells('type').allInnerTexts();
    assert.ok(types.length > 0 && types.every((t) => t === 'bounce'), `types seen: ${[...new Set(types)].join(',')}`);
    await shot('03-filtered-bounce');
    await page.getByTestId('filter-types').fill('');
    const who = (events[42]!.body as { email: string }).email;
    await page.getByTestId('filter-recipient').fill(who.toUpperCase());
    await page.getByTestId('filter-apply').click();
    const mine = events.filter((e) => (e.body as { email: string }).email === who).length;
    await page.waitForFunction((n) => document.querySelector('[data-testid="row-count"]')?.textContent === `${n} rows`, mine);
    await shot('04-filtered-recipient');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent?.startsWith('500'));
  });

  test('decrypts the visible rows with the local keys', async () => {
    await page.getByTestId('decrypt-toggle').check();
    const support = cells('section:support').first();
    await page.waitForFunction(() => document.querySelector('.ag-cell[col-id="section:support"]')?.textContent?.includes('email: user'));
    assert.match(await support.innerText(), /email: user\d+@example\.com/);
    await page.locator('[data-testid="messages-grid"] .ag-row[row-index="0"] .ag-cell[col-id="type"]').click();
    await page.getByTestId('section-security').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="section-security"]')?.textContent?.includes('open'));
    await shot('05-decrypted-local');
  });

  test('another identity sees locked cells saying why', async () => {
    await page.getByTestId('profile-select').selectOption('aws:auditor');
    await page.waitForFunction(() => document.querySelector('.ag-cell[col-id="section:support"]')?.textContent?.includes('no local key'));
    const texts = await cells('section:security').allInnerTexts();
    assert.ok(texts.length > 0 && texts.filter(Boolean).every((t) => t.startsWith('locked: ')), 'every security cell locked');
    assert.doesNotMatch(await page.getByTestId('messages-grid').innerText(), /@example\.com/);
    await shot('06-locked-other-profile');
    await page.getByTestId('profile-select').selectOption('local');
    await page.getByTestId('decrypt-toggle').uncheck();
  });

  test('live tail shows new records at the top as they arrive', async () => {
    await page.getByTestId('live-tail').check();
    await page.waitForTimeout(1_500);
    const fresh = [sendgridEvent(N + 1, { time: Date.now() }), sendgridEvent(N + 2, { time: Date.now() + 1 })];
    await produceRecords(brokersForTail, topic, await kit.build(fresh), { create: false });
    await page.waitForFunction((ids) => {
      const first = document.querySelector('[data-testid="messages-grid"] .ag-row[row-index="0"] .ag-cell[col-id="eventId"]')?.textContent;
      return ids.includes(first ?? '');
    }, fresh.map((e) => e.id), { timeout: 15_000 });
    assert.equal(await rowCount(), 502);
    await shot('06b-live-tail');
    await page.getByTestId('live-tail').uncheck();
  });

  test('scans the whole topic for a filter with progress, to the end', async () => {
    await page.getByTestId('filter-types').fill('click');
    await page.getByTestId('filter-categories').fill('newsletter');
    await page.getByTestId('filter-apply').click();
    await page.getByTestId('scan-start').first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-bar"]')?.getAttribute('data-state') === 'done');
    const expected = events.filter((e) => e.type === 'click' && (e.body as { category: string }).category === 'newsletter').length;
    assert.equal(Number((await page.getByTestId('scan-matched').innerText()).replace(/\D/g, '')), expected);
    assert.equal(await rowCount(), expected);
    await shot('07-scan-done');
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  test('scans opened fields as the selected identity, and counts what it cannot open as locked', async () => {
    const all = N + 2; // the two live-tail records are in the topic too
    await page.getByTestId('opened-mode').selectOption('field');
    await page.getByTestId('opened-field').fill('email');
    await page.getByTestId('opened-value').fill('User7@Example.com');
    // The previous test's scan bar may still be up for a moment: wait for the one this scan shows.
    await page.getByTestId('scan-bar').waitFor({ state: 'detached' });
    await page.getByTestId('opened-search').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-bar"]')?.getAttribute('data-state') === 'done' && document.querySelector('[data-testid="scan-opened"]'));
    const expected = events.filter((e) => (e.body as { email: string }).email === 'user7@example.com').length;
    assert.ok(expected > 0);
    assert.equal(Number((await page.getByTestId('scan-matched').innerText()).replace(/\D/g, '')), expected);
    assert.equal(await rowCount(), expected);
    assert.match(await page.getByTestId('scan-opened').innerText(), new RegExp(`opened sections of ${all.toLocaleString('en-US')} records`));
    assert.equal(await page.getByTestId('scan-locked').count(), 0, 'local keys open every section');
    assert.doesNotMatch(await page.getByTestId('messages-grid').innerText(), /@example\.com/, 'matches are shown by their clear part');
    await shot('07b-opened-scan-local');
    // Another identity opens nothing here: no match, and the bar says how many records it could not search.
    await page.getByTestId('profile-select').selectOption('aws:auditor');
    await page.getByTestId('opened-mode').selectOption('keyword');
    await page.getByTestId('opened-keyword').fill('user7@');
    await page.getByTestId('opened-search').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scan-bar"]')?.getAttribute('data-state') === 'done' && document.querySelector('[data-testid="scan-locked"]'));
    assert.equal(Number((await page.getByTestId('scan-matched').innerText()).replace(/\D/g, '')), 0);
    assert.equal(await page.getByTestId('scan-locked').getAttribute('data-locked'), String(all));
    assert.match(await page.getByTestId('scan-locked').innerText(), new RegExp(`${all.toLocaleString('en-US')} records could not be searched: locked \\(no local key`));
    await shot('07c-opened-scan-locked');
    await page.getByTestId('profile-select').selectOption('local');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('inspects partitions: leaders, ISR, watermarks and the skew chart', async () => {
    await page.getByTestId('nav-partitions').click();
    await page.locator('[data-testid="partitions-grid"] .ag-row').nth(5).waitFor();
    assert.equal(await page.locator('[data-testid="partitions-grid"] .ag-row').count(), 6);
    await page.getByTestId('skew-chart').waitFor();
    const group = page.getByTestId('group-list').getByRole('button').filter({ hasText: `${topic}-billing` });
    await group.waitFor();
    // The group committed before live tail added its 2 records: they are lag too.
    expectedLag += 2;
    assert.match(await group.innerText(), new RegExp(`lag ${expectedLag.toLocaleString('en-US')}$`));
    await group.click();
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="partitions-grid"] .ag-cell[col-id="lag"]')?.textContent ?? ''));
    const lags = await page.locator('[data-testid="partitions-grid"] .ag-cell[col-id="lag"]').allInnerTexts();
    assert.equal(lags.reduce((s, t) => s + Number(t.replace(/\D/g, '')), 0), expectedLag);
    await shot('08-partitions');
    assert.match(await page.getByTestId('size-skew').innerText(), /^\d+\.\d\d×$/);
  });

  test('shows the access matrix proved by real decrypts', async () => {
    await page.getByTestId('nav-access').click();
    await page.getByTestId('access-matrix').waitFor();
    assert.match(await page.getByTestId('dept-support').innerText(), /can decrypt/);
    assert.match(await page.getByTestId('dept-analytics').innerText(), /unproved/);
    await shot('09-access-matrix');
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});
