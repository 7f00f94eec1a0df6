// End to end: the Audit page queries an `events` source (seed 002) in Debian Chromium over the test bridge: the
// service's event index on the real broker, filters by clear field, subject and keyword, paging, and sections opened
// with the console's identity (here local keys holding only the support department's key), reported as a decryption.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { until } from '../support/until.js';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { auditEvent, indexed } from '../ingest-service/event-index/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, startConnectedConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'audit-events-e2e');
const N = 130;
const TYPES = ['account.created', 'resource.accessed', 'customer.billed', 'account.deactivated'];
const subjectOf = (i: number) => `customer-${i % 10}@example.com`;

describe(`audit page over an events source in Chromium${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 240_000 }, () => {
  let svc: AdminTestService;
  let ui: ConsoleUnderTest;
  let page: Page;
  let keysDir: string;
  const events = Array.from({ length: N }, (_, i) => auditEvent(i, { type: TYPES[i % TYPES.length]!, subject: subjectOf(i), outcome: i % 5 === 0 ? 'denied' : 'success' }));
  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(400); // the grid measures auto-height rows after it paints them
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const search = async (fill: Record<string, string>, expected: string) => {
    for (const id of ['events-type', 'events-fields', 'events-subject', 'events-keyword']) await page.getByTestId(id).fill(fill[id] ?? '');
    await page.getByTestId('events-search').click();
    await page.waitForFunction((want) => document.querySelector('[data-testid="events-count"]')?.textContent === want, expected);
  };

  before(async () => {
    const { brokers } = await ensureKafka();
    // v1 sealing: the console's opener does not open sections under subject keys yet (they show "locked (unknown)").
    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('audit-e2e-trail') } }, overrides: { subjectKeys: { enabled: false } } });
    const res = await svc.postEvents(JSON.stringify(events));
    assert.equal(res.status, 200);
    // The console's local keys: the support department's only (security's sections stay locked).
    keysDir = mkdtempSync(join(tmpdir(), 'sp-audit-e2e-keys-'));
    copyFileSync(join(svc.dataDir, 'keys', 'support.key'), join(keysDir, 'support.key'));
    const [rendererDir] = await Promise.all([buildBridgeRenderer(), indexed(svc, N, { source: 'audit' })]);
    ui = await startConnectedConsole({ rendererDir, brokers, service: svc, settings: { localKeysDir: keysDir } });
    page = ui.page;
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-view').locator('option[value="audit"]').waitFor({ state: 'attached' });
    await page.getByTestId('audit-view').selectOption('audit');
    await page.getByTestId('events-grid').waitFor();
  });

  after(async () => {
    await ui?.close();
    await svc?.stop();
    if (keysDir) rmSync(keysDir, { recursive: true, force: true });
  });

  test('lists the source newest first, a page at a time', async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="events-count"]')?.textContent === '100 events');
    assert.equal(await page.locator('[data-testid="events-grid"] .ag-row[row-index="0"] .ag-cell[col-id="type"]').innerText(), events[N - 1]!.type);
    assert.doesNotMatch(await page.getByTestId('events-grid').innerText(), /@example\.com|corp\.example/, 'nothing personal before opening');
    await page.getByTestId('events-more').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="events-count"]')?.textContent === `${n} events`, N);
    await shot('01-events-source');
  });

  test('finds by clear field, subject and keyword', async () => {
    await search({ 'events-fields': 'outcome=denied' }, `${N / 5} events`);
    await shot('02-outcome-denied');
    await search({ 'events-subject': 'Customer-3@Example.com' }, '13 events');
    await search({ 'events-subject': subjectOf(3), 'events-type': 'customer.billed' }, `${events.filter((e, i) => i % 10 === 3 && e.type === 'customer.billed').length} events`);
    await search({ 'events-keyword': 'deactiv' }, `${events.filter((e) => e.type === 'account.deactivated').length} events`);
    await search({ 'events-fields': 'outcome' }, '0 events');
    assert.match(await page.getByTestId('error-banner').innerText(), /"outcome" is not field=value/);
  });

  test('opens the sections the identity holds a key for, says why the others stay locked, and the service audits it', async () => {
    await search({ 'events-subject': subjectOf(5), 'events-fields': 'outcome=denied' }, `${events.filter((e, i) => i % 10 === 5 && e.outcome === 'denied').length} events`);
    await page.getByTestId('events-open').click();
    const cell = page.locator('[data-testid="events-grid"] .ag-row[row-index="0"] .ag-cell').last();
    await until('the opened column', () => cell.innerText(), (t) => t.includes('support:'));
    const text = await cell.innerText();
    assert.match(text, new RegExp(`subject=${subjectOf(5).replace(/\./g, '\\.')}`));
    assert.match(text, /security: locked \(no_local_key\)/);
    await shot('03-opened-as-local');
    const trail = await until('the decryption in the audit trail', () => svc.local().queryAudit({ action: 'decrypt' }), (r) => r.events.some((e) => e.target === 'events/audit'));
    const report = trail.events.find((e) => e.target === 'events/audit')!;
    assert.deepEqual(report.details['opened'], ['support']);
    // The same page's other view, the service's own trail, shows that decryption too.
    await page.getByTestId('audit-view').selectOption('');
    await page.getByTestId('audit-target').fill('events/*');
    await page.getByTestId('audit-search').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="audit-count"]')?.textContent === '1 event');
    assert.match(await page.getByTestId('audit-grid').innerText(), /decrypt[\s\S]*events\/audit/);
    await shot('04-trail-shows-the-decryption');
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});
