// End to end: the Suppressions page. A real ingest service (real broker) takes the seed batch and a few thousand
// events of which some hundreds mean "stop"; the real renderer in Debian Chromium (Playwright), over the test bridge to
// the same Node side Electron runs, signed in with the service's local admin token, with the service's local keys as
// the viewing identity (then keys that open nothing), shows counts, searches, removes and exports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { SEED_BATCH } from '../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { until } from '../support/until.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, startConnectedConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const LONG = 60_000;
const DAY = 86_400;

/** 3,000 events over the last 14 days: every 10th address bounces, every 20th (another) complains, every 40th (another) unsubscribes. */
function activity(): { body: string; stops: number } {
  const now = Math.floor(Date.now() / 1000);
  const events: Record<string, unknown>[] = [];
  let stops = 0;
  for (let i = 0; i < 3000; i++) {
    const email = `person${i}@example.net`;
    const timestamp = now - (Math.floor(i / 10) % 14) * DAY - 60;
    const type = i % 10 === 0 ? 'bounce' : i % 20 === 1 ? 'spamreport' : i % 40 === 3 ? 'unsubscribe' : 'delivered';
    if (type !== 'delivered') stops++;
    events.push({ email, event: type, timestamp, sg_event_id: `supp-e2e-${i}-${now}`, ...(type === 'bounce' ? { reason: '550 no such user', status: '5.1.1' } : {}) });
  }
  return { body: JSON.stringify(events), stops };
}

describe(`console e2e: the Suppressions page${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 300_000 }, () => {
  let svc: AdminTestService;
  let ui: ConsoleUnderTest;
  let page: Page;
  let expected = 0;
  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `suppressions-${name}.png`), fullPage: false });
  };
  const count = () => page.getByTestId('suppression-count').innerText();

  before(async () => {
    const { brokers } = await ensureKafka();
    const [rendererDir, s] = await Promise.all([buildBridgeRenderer(), startAdminService({ brokers, admin: {}, overrides: { suppressions: { topic: uniqueTopic('supp-e2e') } } })]);
    svc = s;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const a = activity();
    assert.equal((await svc.postSendgrid(a.body)).status, 200);
    expected = a.stops + 1; // and example@test.com
    await until('every suppression in the view', () => svc.local().listSuppressions({ limit: 1 }), (r) => r.ready && r.total >= expected, { timeoutMs: LONG });
    // The addresses are sealed under subject keys: the console opens them through the service's keys topic.
    ui = await startConnectedConsole({
      rendererDir,
      brokers,
      service: svc,
      settings: { localKeysDir: join(svc.dataDir, 'keys'), subjectKeysTopic: svc.config.subjectKeys.topic },
      timeoutMs: LONG,
    });
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
    await svc?.stop();
  });

  test('shows counts by reason over time and the list with addresses opened by the local keys', async () => {
    await page.getByTestId('nav-suppressions').click();
    await page.getByTestId('suppression-address').first().waitFor();
    assert.match(await count(), new RegExp(`^200 shown of ${expected.toLocaleString('en-US')} in the list$`));
    assert.equal(await page.getByTestId('suppression-total-bounce').innerText(), '■ bounce 301');
    assert.equal(await page.getByTestId('suppression-total-spamreport').innerText(), '■ spamreport 151');
    assert.equal(await page.getByTestId('suppression-total-unsubscribe').innerText(), '■ unsubscribe 76');
    assert.ok((await page.getByTestId('suppression-bar').count()) >= 10, 'one bar per day with a suppression');
    const shown = await page.getByTestId('suppression-address').allInnerTexts();
    assert.ok(shown.length > 5 && shown.every((a) => /^person\d+@example\.net$|^example@test\.com$/.test(a)), shown.slice(0, 5).join(', '));
    await shot('01-list');
  });

  test('searches by address: the seed recipient with its four reasons', async () => {
    await page.getByTestId('suppression-search').fill('Example@Test.com');
    await page.getByTestId('suppression-search-go').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="suppression-count"]')?.textContent?.startsWith('1 shown') && document.querySelectorAll('[data-testid="suppression-address"]').length === 1);
    assert.deepEqual(await page.getByTestId('suppression-address').allInnerTexts(), ['example@test.com']);
    const row = await page.locator('[data-testid="suppression-grid"] .ag-row').filter({ hasText: 'example@test.com' }).first().innerText();
    for (const r of ['bounce', 'dropped', 'spamreport', 'unsubscribe']) assert.ok(row.includes(r), `${r} in ${row}`);
    await page.getByTestId('suppression-lifted').check();
    await page.getByTestId('suppression-search-go').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="suppression-count"]')?.textContent?.startsWith('2 shown') && new Set([...document.querySelectorAll('[data-testid="suppression-grid"] .ag-row[row-id]')].map((r) => r.getAttribute('row-id'))).size === 2);
    assert.ok((await page.locator('[data-testid="suppression-grid"]').innerText()).includes('lifted'), 'the group 10 entry, lifted by group_resubscribe');
    await page.waitForTimeout(500); // the grid's row animation
    await shot('02-search');
    await page.getByTestId('suppression-lifted').uncheck();
  });

  test('an identity whose keys open no section sees the entries locked, not the addresses', async () => {
    const blind = mkdtempSync(join(tmpdir(), 'sp-supp-keys-'));
    for (const f of ['blind-index.hmac.key', 'analytics.key']) copyFileSync(join(svc.dataDir, 'keys', f), join(blind, f));
    await page.evaluate((dir) => (window as unknown as { sealpost: { setSettings(a: unknown): Promise<unknown> } }).sealpost.setSettings({ localKeysDir: dir }), blind);
    await page.getByTestId('suppression-search-go').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="suppression-address"]').length === 0 && document.querySelectorAll('[data-testid="suppression-locked"]').length === 1);
    assert.match(await page.getByTestId('suppression-locked').first().innerText(), /^locked · no_local_key$/);
    await shot('03-locked');
    await page.evaluate((dir) => (window as unknown as { sealpost: { setSettings(a: unknown): Promise<unknown> } }).sealpost.setSettings({ localKeysDir: dir }), join(svc.dataDir, 'keys'));
    await page.getByTestId('suppression-search-go').click();
    await page.getByTestId('suppression-address').first().waitFor();
  });

  test('removes with a reason: gone from the list, the check says not suppressed, audited', async () => {
    await page.getByTestId('suppression-remove').first().click();
    await page.getByTestId('confirm-reason').fill('mailbox fixed, confirmed with the recipient');
    await shot('04-remove-dialog');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('suppression-note').waitFor();
    assert.match(await page.getByTestId('suppression-note').innerText(), /example@test\.com removed \(bounce, dropped, spamreport, unsubscribe\)/);
    const subject = (await svc.service.suppressions!.blindIndexer())('example@test.com');
    await until('the removal in the view', () => svc.local().listSuppressions({ subject }), (r) => r.entries.length === 0);
    const trail = await svc.local().queryAudit({ action: 'suppression-remove' });
    assert.equal(trail.events[0]?.target, `suppression/${subject}`);
    assert.equal(trail.events[0]?.actor.arn, 'local-admin');
  });

  test('exports the list with the opened addresses', async () => {
    await page.getByTestId('suppression-search').fill('');
    await page.getByTestId('suppression-search-go').click();
    await page.getByTestId('suppression-address').first().waitFor();
    await page.getByTestId('suppression-export').click();
    await page.getByTestId('suppression-note').filter({ hasText: 'exported' }).waitFor();
    assert.match(await page.getByTestId('suppression-note').innerText(), new RegExp(`^${(expected - 1).toLocaleString('en-US')} entries exported to suppressions-.*\\.json$`));
    await shot('05-exported');
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});
