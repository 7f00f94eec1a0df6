// End to end: a FLEET of two real ingest services seen from the console. The real renderer in Debian Chromium
// (Playwright), over the test bridge to the same Node side Electron runs, signed in to each service with that
// service's own local admin token. Backlog shows both side by side with the totals; a pause goes to one service only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { SEED_BATCH } from '../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, openConsole, signInWithToken, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const LONG = 60_000;

/** A SendGrid batch of `n` seed events with ids of their own (so no dedupe drops them). */
const batchOf = (n: number, tag: string): string =>
  JSON.stringify(JSON.parse(SEED_BATCH.toString()).slice(0, n).map((e: Record<string, unknown>, i: number) => ({ ...e, sg_event_id: `fleet-e2e-${tag}-${i}-${Date.now()}` })));

describe(`console e2e: a fleet of two ingest services${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 300_000 }, () => {
  let a: AdminTestService;
  let b: AdminTestService;
  let ui: ConsoleUnderTest;
  let page: Page;

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `fleet-${name}.png`), fullPage: false });
  };
  const row = (s: AdminTestService) => page.locator(`[data-testid="fleet-row"][data-service="${s.admin.url}"]`);
  const text = (sel: string) => page.evaluate((q) => document.querySelector(q)?.textContent ?? null, sel);
  const waitText = (sel: string, want: string) =>
    page.waitForFunction(([q, w]) => document.querySelector(q!)?.textContent === w, [sel, want] as const, { timeout: LONG, polling: 200 });

  before(async () => {
    const { brokers } = await ensureKafka();
    const [rendererDir, sa, sb] = await Promise.all([
      buildBridgeRenderer(),
      startAdminService({ brokers, admin: { serverId: 'ingest-a', audit: { topic: uniqueTopic('fleet-e2e-audit-a') } } }),
      startAdminService({ brokers, admin: { serverId: 'ingest-b', audit: { topic: uniqueTopic('fleet-e2e-audit-b') } } }),
    ]);
    a = sa;
    b = sb;
    ui = await openConsole({ rendererDir, timeoutMs: LONG });
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('signs in to each service with its own local token: both listed, who am I on each', async () => {
    await signInWithToken(page, a);
    await signInWithToken(page, b);
    const cards = page.getByTestId('whoami');
    assert.equal(await cards.count(), 2);
    assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-service'))), [a.admin.url, b.admin.url]);
    assert.deepEqual(await page.getByTestId('whoami-roles').allInnerTexts(), ['admin', 'admin']);
    assert.equal(await page.getByTestId('service-chip').innerText(), '● 2 services · ingest-a, ingest-b');
    assert.equal(await page.getByTestId('service-token').inputValue(), '', 'the token field is cleared once main holds it');
    await shot('01-signed-in-to-both');
  });

  test('Backlog shows both side by side with the totals; a pause on one holds only that one', async () => {
    await page.getByTestId('nav-backlog').click();
    await row(a).waitFor();
    await row(b).waitFor();
    assert.deepEqual(await page.getByTestId('fleet-service').allInnerTexts(), ['ingest-a', 'ingest-b']);
    assert.equal(await page.getByTestId('service-backlog').getAttribute('data-service'), a.admin.url, 'the first service is shown in detail');

    // Pause sendgrid on A through the page (the detail acts on the selected service only).
    await page.getByTestId('pause-sendgrid').click();
    await page.getByTestId('confirm-reason').fill('fleet e2e');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('resume-sendgrid').waitFor();
    assert.ok((await a.local().status()).sources.find((s) => s.id === 'sendgrid')?.paused, 'A paused');
    assert.equal((await b.local().status()).sources.find((s) => s.id === 'sendgrid')?.paused, null, 'B not paused');

    for (const [s, tag] of [[a, 'a1'], [a, 'a2'], [a, 'a3'], [b, 'b1']] as const) assert.equal((await s.postSendgrid(batchOf(3, tag))).status, 200);
    const rowSel = (s: AdminTestService, cell: string) => `[data-testid="fleet-row"][data-service="${s.admin.url}"] [data-testid="${cell}"]`;
    await waitText(rowSel(a, 'fleet-pending'), '3');
    await waitText('[data-testid="fleet-total-pending"]', '3');
    assert.equal(await text(rowSel(b, 'fleet-pending')), '0', 'B forwards: nothing waits there');
    assert.equal(await text(rowSel(b, 'fleet-health')), '✓ healthy');
    assert.equal(await text('[data-testid="fleet-total-health"]'), '2 of 2 healthy');
    assert.match((await text('[data-testid="fleet-total-oldest"]'))!, /^\d+ s$/, 'the oldest wait of the fleet');
    assert.equal(await text('[data-testid="backlog-pending"]'), '3', "A's own card agrees");
    // Rates come from 5-second samples: wait until both services' accepts show in the total.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="fleet-total-accept"]')?.textContent) > 0, undefined, { timeout: LONG, polling: 250 });
    await shot('02-fleet-side-by-side');

    // B in detail: its own sources, running.
    await row(b).getByTestId('fleet-service').click();
    await page.waitForSelector(`[data-testid="service-backlog"][data-service="${b.admin.url}"]`);
    await page.getByTestId('pause-sendgrid').waitFor();
    assert.equal(await text('[data-testid="backlog-pending"]'), '0');
    await shot('03-fleet-b-selected');
  });

  test('resume on A empties the fleet backlog', async () => {
    await row(a).getByTestId('fleet-service').click();
    await page.waitForSelector(`[data-testid="service-backlog"][data-service="${a.admin.url}"]`);
    await page.getByTestId('resume-sendgrid').click();
    await waitText('[data-testid="fleet-total-pending"]', '0');
    await page.getByTestId('pause-sendgrid').waitFor();
    assert.equal((await a.local().status()).journal.pendingTotal, 0);
    await shot('04-fleet-drained');
    const trail = await a.local().queryAudit({ action: 'pause' });
    assert.equal(trail.events.length, 1, "the pause is in A's trail");
    assert.equal((await b.local().queryAudit({ action: 'pause' })).events.length, 0, "and not in B's");
  });

  test('a service that goes away shows as unreachable; the other and the totals stay', async () => {
    await b.stop();
    b = undefined as unknown as AdminTestService;
    await waitText('[data-testid="fleet-total-health"]', '1 of 2 healthy · 1 unreachable');
    assert.match((await text('[data-testid="fleet-row"]:nth-child(2) [data-testid="fleet-health"]'))!, /^✗ unreachable \(SP_ADMIN_CLIENT_UNREACHABLE\)$/);
    assert.equal(await text('[data-testid="fleet-row"]:nth-child(1) [data-testid="fleet-health"]'), '✓ healthy');
    await shot('05-one-unreachable');
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});
