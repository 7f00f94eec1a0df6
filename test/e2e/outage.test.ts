// End to end: a Kafka outage seen and handled from the console. The real renderer in Debian Chromium (Playwright),
// over the test bridge to the same Node side Electron runs, signed in to a REAL ingest service (admin API, local
// token) whose PRIVATE broker this test stops and restarts. The backlog grows on screen while Kafka is down, Kafka
// returns, the operator clicks Drain, the backlog empties on screen, and the audit view shows the drain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Page } from 'playwright';
import type { Envelope } from '../../shared/envelope/index.js';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { makeSendgridBatch, SEED_BATCH } from '../support/ingest.js';
import { readAll, startKafkaInstance, type KafkaInstance } from '../support/kafka.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, openConsole, signInWithToken, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'console-e2e');
const PORT = 39592;
/** Generous: the machine has 2 shared cores, and a private JVM broker restarts in this test. */
const LONG = 180_000;


describe(`console e2e: Kafka outage, backlog, drain, audit${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 900_000 }, () => {
  let kafka: KafkaInstance;
  let svc: AdminTestService;
  let ui: ConsoleUnderTest;
  let page: Page;
  let topic: string;
  const accepted = new Set<string>();
  const measured: Record<string, number> = {};

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `outage-${name}.png`), fullPage: false });
  };
  /** The backlog number as the page shows it (NaN while the page has none). */
  const pending = async (): Promise<number> =>
    page.evaluate(() => Number(document.querySelector('[data-testid="backlog-pending"]')?.textContent?.replace(/\D/g, '') || 'NaN'));
  const waitPending = (op: '>=' | '===', n: number, timeout = LONG) =>
    page.waitForFunction(
      ([o, want]) => {
        const v = Number(document.querySelector('[data-testid="backlog-pending"]')?.textContent?.replace(/\D/g, '') || 'NaN');
        return o === '>=' ? v >= want : v === want;
      },
      [op, n] as const,
      { timeout, polling: 250 },
    );

  before(async () => {
    kafka = await startKafkaInstance({ name: 'console-outage', port: PORT });
    // The forwarder's retry backoff is made very long (5-10 min) so that after Kafka returns nothing moves until the
    // operator drains: Drain wakes the forwarder out of its backoff, which is what this test is about.
    svc = await startAdminService({
      brokers: kafka.brokers,
      admin: {},
      overrides: { forwarder: { batchEvents: 2000, retryInitialMs: 600_000, retryMaxMs: 600_000, maxRecordBytes: 1_000_000 } },
    });
    topic = svc.config.sources[0]!.topic!;
    const admin = svc.local();
    for (const e of JSON.parse(SEED_BATCH.toString()) as { sg_event_id: string }[]) accepted.add(e.sg_event_id);
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    const [rendererDir] = await Promise.all([
      buildBridgeRenderer(),
      (async () => {
        for (const deadline = Date.now() + LONG; (await admin.status()).sources.find((s) => s.id === 'sendgrid')!.forwarded < 14; ) {
          if (Date.now() > deadline) throw new Error('the seed batch never reached the private broker');
          await new Promise((r) => setTimeout(r, 200));
        }
      })(),
    ]);
    ui = await openConsole({ rendererDir, timeoutMs: LONG });
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
    await svc?.stop();
    await kafka?.destroy();
    if (Object.keys(measured).length) console.log(`outage e2e measurements: ${JSON.stringify(measured)}`);
  });

  test('signs in to the ingest service with the local admin token: who am I, admin role', async () => {
    await signInWithToken(page, svc);
    assert.equal(await page.getByTestId('whoami-roles').innerText(), 'admin');
    assert.equal(await page.getByTestId('whoami-arn').innerText(), 'local-admin');
    assert.match(await page.getByTestId('service-chip').innerText(), /service .* admin/);
    assert.equal(await page.getByTestId('service-token').inputValue(), '', 'the token field is cleared once main holds it');
    await shot('01-signed-in');
  });

  test('Kafka stops; events keep being accepted and the backlog grows on screen', async () => {
    await page.getByTestId('nav-backlog').click();
    await waitPending('===', 0);
    assert.equal(await page.getByTestId('kafka-card').getAttribute('data-healthy'), 'true');
    const t0 = Date.now();
    await kafka.stop();
    measured.brokerStopMs = Date.now() - t0;

    let posting = true;
    const statuses: number[] = [];
    const poster = (async () => {
      while (posting) {
        const { body, ids } = makeSendgridBatch(20, 'console-outage');
        const res = await svc.postSendgrid(body);
        statuses.push(res.status);
        if (res.status === 200) ids.forEach((id) => accepted.add(id));
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      await waitPending('>=', 1);
      const first = await pending();
      await waitPending('>=', first + 10);
      measured.firstOnScreen = first;
      await page.waitForSelector('[data-testid="kafka-card"][data-healthy="false"]', { timeout: LONG });
      measured.kafkaUnhealthyOnScreenMs = Date.now() - t0;
    } finally {
      posting = false;
      await poster;
    }
    assert.deepEqual([...new Set(statuses)], [200], 'every post answered 200 with Kafka down');
    const truth = (await svc.local().status()).journal.pendingTotal;
    await waitPending('===', truth);
    measured.backlogPeak = truth;
    assert.ok(truth >= measured.firstOnScreen! + 10, `the number on screen rose from ${measured.firstOnScreen} to ${truth}`);
    assert.match(await page.getByTestId('drain-text').innerText(), /entries are waiting in the journal/);
    const oldest = page.locator('[data-testid="backlog-entries"] .ag-row[row-index="0"]');
    await oldest.waitFor();
    assert.equal(await oldest.locator('.ag-cell[col-id="source"]').innerText(), 'sendgrid');
    await page.getByTestId('backlog-chart').scrollIntoViewIfNeeded();
    await shot('02-backlog-growing');
    await page.getByTestId('backlog-page').evaluate((el) => el.scrollTo(0, 0));
  });

  test('Kafka returns; nothing moves until the operator drains; the backlog empties on screen', async () => {
    const t0 = Date.now();
    await kafka.start();
    measured.brokerRestartMs = Date.now() - t0;
    await waitUntilLeaders(kafka.brokers, topic);
    const waiting = await pending();
    assert.ok(waiting > 0, 'the backlog is still there once Kafka is back (the forwarder is in its backoff)');
    await shot('03-kafka-back-before-drain');

    const click = Date.now();
    await page.getByTestId('drain-button').click();
    await page.waitForSelector('[data-testid="drain-panel"][data-state="running"]', { timeout: 10_000 }).catch(() => {});
    await page.waitForSelector('[data-testid="drain-panel"][data-state="done"]', { timeout: LONG });
    await waitPending('===', 0);
    measured.drainToZeroOnScreenMs = Date.now() - click;
    assert.match(await page.getByTestId('drain-text').innerText(), /^Drained in [\d.]+ s: [\d,]+ entries were waiting, 0 left/);
    assert.equal(await page.getByTestId('drain-progress').getAttribute('aria-valuenow'), '100');
    await page.waitForSelector('[data-testid="kafka-card"][data-healthy="true"]');
    await shot('04-drained');

    const idOf = (m: { value: Buffer | null }) => (JSON.parse(m.value!.toString()) as Envelope).id;
    const all = (msgs: readonly { value: Buffer | null }[]) => {
      const seen = new Set(msgs.map(idOf));
      return [...accepted].every((id) => seen.has(id));
    };
    const records = await readAll(kafka.brokers, topic, accepted.size, 120_000, { until: all });
    const delivered = new Set(records.map(idOf));
    assert.equal([...accepted].filter((id) => !delivered.has(id)).length, 0, `all ${accepted.size} accepted events reached Kafka`);
  });

  test('a dead letter is discarded only with a typed reason, after confirmation', async () => {
    assert.equal((await svc.postSendgrid('{"not json')).status, 200);
    const discard = page.locator('[data-testid="dead-letters-grid"] button[data-testid^="discard-"]').first();
    await discard.waitFor();
    await discard.scrollIntoViewIfNeeded();
    await discard.click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    assert.equal(await page.getByTestId('confirm-ok').isDisabled(), true, 'no discard without a reason');
    await page.getByTestId('confirm-reason').fill('   ');
    assert.equal(await page.getByTestId('confirm-ok').isDisabled(), true, 'blank is not a reason');
    await page.getByTestId('confirm-reason').fill('sender confirmed it was a test payload');
    assert.equal(await page.getByTestId('confirm-ok').isDisabled(), false);
    await shot('05-discard-confirm');
    await page.getByTestId('confirm-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No open dead letters.').waitFor();
    const [dl] = await svc.local().listDeadLetters({ state: 'discarded' });
    assert.equal(dl?.resolution, 'sender confirmed it was a test payload');
  });

  test('the audit view shows the drain, by whom and how much', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-action').fill('drain');
    await page.getByTestId('audit-search').click();
    const row = page.locator('[data-testid="audit-grid"] .ag-row[row-index="0"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="audit-count"]')?.textContent === '1 event' &&
        document.querySelector('[data-testid="audit-grid"] .ag-row[row-index="0"] .ag-cell[col-id="action"]')?.textContent === 'drain' &&
        !document.querySelector('[data-testid="audit-grid"] .ag-row[row-index="1"]'),
    );
    assert.equal(await row.locator('.ag-cell[col-id="action"]').innerText(), 'drain');
    assert.equal(await row.locator('.ag-cell[col-id="outcome"]').innerText(), 'success');
    assert.equal(await row.locator('.ag-cell[col-id="target"]').innerText(), 'backlog/all');
    assert.match(await row.innerText(), /local admin token/);
    assert.match(await row.innerText(), new RegExp(`drained=true · pendingBefore=${measured.backlogPeak} · pendingAfter=0`));
    await shot('06-audit-drain');
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});

/** Waits until every partition of `topic` has a leader again on the restarted broker (so a produce can succeed). */
async function waitUntilLeaders(brokers: string[], topic: string): Promise<void> {
  const kafka = new kafkajs.Kafka({ clientId: 'outage-e2e-probe', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  const deadline = Date.now() + LONG;
  for (;;) {
    try {
      await admin.connect();
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      if (md.topics[0]?.partitions.every((p) => p.leader >= 0)) break;
    } catch {
      /* not ready yet */
    }
    if (Date.now() > deadline) throw new Error(`${topic} has no leaders on the restarted broker`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await admin.disconnect().catch(() => {});
}
