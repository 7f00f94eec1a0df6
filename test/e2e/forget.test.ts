// End to end: *Forget this person* in Debian Chromium (Playwright) over the test bridge, against a real ingest service
// (subject keys on its own keys topic) that forwarded the SendGrid seed batch to the real broker, and moto STS for an
// operator's AWS sign-in. An operator is told why the action is not offered; an admin opens chris@gmail.com's record,
// sees how many records are his, gives a reason and forgets him: his rows then read "forgotten on DATE" while
// example@test.com's stay open. A session that lost the admin role meanwhile gets the service's refusal in the dialog.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { SEED_BATCH } from '../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { MOTO_REGION, type MotoCredentials, type MotoServer } from '../support/moto.js';
import { until } from '../support/until.js';
import { startAdminService, startVerifyingMoto, type AdminTestService } from '../ingest-service/admin/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, startConnectedConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const LONG = 60_000;
const SERVER_ID = 'ingest-forget';
const OPS = { account: '111111111111', role: 'ops' };
const CHRIS = 'chris@gmail.com';
const EXAMPLE = 'example@test.com';
const TODAY = new Date().toISOString().slice(0, 10);

describe(`console e2e: forget a person${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 300_000 }, () => {
  let svc: AdminTestService;
  let moto: MotoServer;
  let creds: MotoCredentials[];
  let ui: ConsoleUnderTest;
  let page: Page;
  let topic: string;
  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `forget-${name}.png`), fullPage: false });
  };
  const supportCells = () => page.locator('[data-testid="messages-grid"] .ag-cell[col-id="section:support"]').allInnerTexts();
  const securityCells = () => page.locator('[data-testid="messages-grid"] .ag-cell[col-id="section:security"]').allInnerTexts();
  /** Signs the console in to the service through the bridge, as the renderer's service page does (the page polls the state). */
  const signInAs = (who: 'ops' | 'token') =>
    page.evaluate(
      async ([url, token, sts, region, kind]) => {
        const auth = kind === 'ops' ? { kind: 'aws' as const, profile: 'ops', region, stsEndpoint: sts } : { kind: 'token' as const, token };
        const r = await (window as any).sealpost.connectService({ url, serverId: 'ingest-forget', auth, remember: false });
        if (!r.ok) throw new Error(r.error.message);
      },
      [svc.admin.url, svc.admin.localToken!.token, moto.endpoint, MOTO_REGION, who] as const,
    );
  const openMessages = async () => {
    await page.getByTestId('nav-messages').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.textContent === '14 rows');
    await page.getByTestId('decrypt-toggle').check();
    await page.waitForFunction(() => [...document.querySelectorAll('.ag-cell[col-id="section:support"]')].filter((c) => c.textContent?.includes('email:')).length === 14);
  };
  const openChrisRecord = async () => {
    const index = await page
      .locator('[data-testid="messages-grid"] .ag-cell[col-id="section:support"]')
      .filter({ hasText: `email: ${CHRIS}` })
      .first()
      .evaluate((cell) => cell.closest('.ag-row')!.getAttribute('row-index'));
    await page.locator(`[data-testid="messages-grid"] .ag-row[row-index="${index}"] .ag-cell[col-id="type"]`).click();
    await page.getByTestId('detail-pane').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="section-support"]')?.textContent?.includes('open'));
  };

  before(async () => {
    const { brokers } = await ensureKafka();
    ({ moto, creds } = await startVerifyingMoto([OPS]));
    const [rendererDir, s] = await Promise.all([
      buildBridgeRenderer(),
      startAdminService({
        brokers,
        admin: {
          serverId: SERVER_ID,
          localToken: true,
          audit: { topic: uniqueTopic('forget-e2e-audit') },
          aws: { stsEndpoints: [moto.endpoint], roles: [{ arn: `arn:aws:sts::${OPS.account}:assumed-role/ops/*`, roles: ['operator'] }] },
        },
      }),
    ]);
    svc = s;
    topic = svc.config.sources[0]!.topic!;
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    await until('14 seed events forwarded', () => svc.local().status(), (st) => st.journal.pendingTotal === 0 && (st.kafka.forwarder?.forwardedEvents ?? 0) >= 14, { timeoutMs: 60_000 });
    const c = creds[0]!;
    ui = await startConnectedConsole({
      rendererDir,
      brokers,
      // The service's key folder (every department, and the blind-index key), and its own keys topic: test services
      // name theirs apart from the default sealpost.subject-keys.
      settings: { localKeysDir: join(svc.dataDir, 'keys'), subjectKeysTopic: svc.config.subjectKeys.topic },
      aws: { profiles: { ops: { region: MOTO_REGION, ...c } }, kmsEndpoint: 'http://127.0.0.1:1', stsEndpoint: moto.endpoint },
      timeoutMs: LONG,
    });
    page = ui.page;
    await page.getByTestId('topic-filter').fill(topic);
    await page.locator('[data-testid="topics-grid"] .ag-row').filter({ hasText: topic }).getByRole('button', { name: 'Messages' }).click();
    await page.getByTestId('messages-grid').waitFor();
  });

  after(async () => {
    await ui?.close();
    await svc?.stop();
    await moto?.stop();
  });

  test('without a service, and signed in as an operator, Forget this person is disabled and says why', async () => {
    await openMessages();
    await openChrisRecord();
    assert.equal(await page.getByTestId('forget-record-button').isDisabled(), true);
    assert.match(await page.getByTestId('forget-record-why').innerText(), /sign in to one with an admin role/);

    // An operator signs in with their AWS profile on the Ingest service page.
    await page.getByTestId('nav-service').click();
    await page.getByTestId('service-url').fill(svc.admin.url);
    await page.getByTestId('service-server-id').fill(SERVER_ID);
    await page.getByTestId('service-auth-aws').check();
    await page.getByTestId('service-profile').selectOption('ops');
    await page.getByPlaceholder('global').fill(MOTO_REGION);
    await page.getByPlaceholder('https://sts.amazonaws.com').fill(moto.endpoint);
    await page.getByTestId('service-connect').click();
    await page.locator(`[data-testid="whoami"][data-service="${svc.admin.url}"]`).waitFor();
    assert.equal(await page.getByTestId('whoami-roles').innerText(), 'operator');

    await openMessages();
    await openChrisRecord();
    assert.equal(await page.getByTestId('forget-record-button').isDisabled(), true);
    const why = await page.getByTestId('forget-record-why').innerText();
    assert.match(why, /needs the admin role \(permission subjects:forget\); you are signed in to ingest-forget as operator/);
    assert.equal(await page.getByTestId('forget-search-button').isDisabled(), true);
    await shot('01-operator-not-offered');
  });

  test("an admin opens chris's record: the dialog names him, counts his 3 records, and waits for a reason", async () => {
    await signInAs('token');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="forget-record-button"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 15_000 });
    await page.getByTestId('forget-record-button').click();
    await page.getByTestId('confirm-dialog').waitFor();
    assert.equal(await page.getByTestId('forget-address').inputValue(), CHRIS, 'prefilled from his opened section');
    await page.waitForFunction(() => document.querySelector('[data-testid="forget-count"]')?.getAttribute('data-state') === 'counted');
    assert.equal(await page.getByTestId('forget-count').innerText(), `3 records of this person on ${topic} (the whole topic was read).`);
    assert.equal(await page.getByTestId('confirm-ok').isDisabled(), true, 'no reason yet');

    // Another person's address is refused: it is not this record's recipient.
    await page.getByTestId('forget-address').fill(EXAMPLE);
    await page.waitForFunction(() => document.querySelector('[data-testid="confirm-blocked"]')?.textContent?.includes("not this record's recipient"));
    await page.getByTestId('forget-address').fill(CHRIS);
    await page.waitForFunction(() => document.querySelector('[data-testid="forget-count"]')?.getAttribute('data-matched') === '3' && !document.querySelector('[data-testid="confirm-blocked"]'));
    await page.getByTestId('confirm-reason').fill('DSR-2026-0042 erasure request');
    assert.equal(await page.getByTestId('confirm-ok').isDisabled(), false);
    await shot('02-dialog-count');
  });

  test('the session loses its admin role before confirming: the service refuses (403) and the dialog says why', async () => {
    await signInAs('ops');
    await page.getByTestId('confirm-ok').click();
    const banner = page.getByTestId('confirm-dialog').getByTestId('error-banner');
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /subjects:forget/);
    assert.match(text, /SP_ADMIN_FORBIDDEN/);
    await shot('03-refused-403');
    // Nothing was forgotten: his section still opens.
    assert.ok((await supportCells()).filter((t) => t.includes(CHRIS)).length === 3);
  });

  test("confirmed by an admin: the service's answer, then his rows read forgotten on DATE and example's stay open", async () => {
    await signInAs('token');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('forget-answer').waitFor();
    const answer = await page.getByTestId('forget-answer').innerText();
    assert.match(answer, new RegExp(`Forgotten at ${TODAY} \\d{2}:\\d{2}:\\d{2}Z by ingest-forget`));
    assert.equal(await page.getByTestId('forget-keys').innerText(), '2 subject keys tombstoned, of security, support.');
    assert.doesNotMatch(answer, /chris/i, 'the answer names the blind index, not the address');
    await shot('04-answer');
    await page.getByTestId('confirm-close').click();

    await page.waitForFunction(() => document.querySelector('[data-testid="forgotten-note"]')?.textContent?.includes('now show'), undefined, { timeout: 20_000 });
    assert.match(await page.getByTestId('forgotten-note').innerText(), new RegExp(`this person's 3 loaded rows now show "forgotten on ${TODAY}"`));
    const support = await supportCells();
    const security = await securityCells();
    assert.equal(support.filter((t) => t === `forgotten on ${TODAY}`).length, 3, support.join(' | '));
    assert.equal(security.filter((t) => t === `forgotten on ${TODAY}`).length, 3, security.join(' | '));
    assert.equal(support.filter((t) => t.includes(`email: ${EXAMPLE}`)).length, 11, "example's rows stay open");
    assert.ok(!support.some((t) => t.includes(CHRIS)), 'his address is shown nowhere in the grid any more');
    assert.match(await page.getByTestId('section-support').innerText(), new RegExp(`forgotten on ${TODAY}`));
    assert.doesNotMatch(await page.getByTestId('detail-pane').innerText(), /chris@gmail\.com/);
    await shot('05-rows-forgotten');
    await page.getByTestId('section-security').scrollIntoViewIfNeeded();
    await shot('06-detail-forgotten');
  });

  test('from a recipient search: the count before confirming, and an address with no record answers 0 keys tombstoned', async () => {
    await page.getByTestId('filter-recipient').fill(CHRIS);
    await page.getByTestId('forget-search-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="forget-count"]')?.getAttribute('data-state') === 'counted');
    assert.equal(await page.getByTestId('forget-count').getAttribute('data-matched'), '3');
    await page.getByTestId('confirm-cancel').click();

    await page.getByTestId('filter-recipient').fill('nobody@nowhere.example');
    await page.getByTestId('forget-search-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="forget-count"]')?.getAttribute('data-state') === 'counted');
    assert.match(await page.getByTestId('forget-count').innerText(), /^0 records of this person/);
    await page.getByTestId('confirm-reason').fill('DSR-2026-0043');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('forget-answer').waitFor();
    assert.match(await page.getByTestId('forget-keys').innerText(), /No subject key of this person was left to tombstone/);
    await shot('07-search-nobody');
    await page.getByTestId('confirm-close').click();
    // Every audited forget names the blind index only.
    const events = (await svc.local().queryAudit({ action: 'forget', outcome: 'success' })).events;
    assert.equal(events.length, 2);
    assert.doesNotMatch(JSON.stringify(events), /chris@gmail\.com|nobody@nowhere/);
  });

  test('no page errors', () => {
    assert.deepEqual(ui.problems, []);
  });
});
