// End to end: the offset-reset panel of the consumer-groups view in Debian Chromium (Playwright), over the test
// bridge to the same Node side Electron runs, against the real broker and a real consumer group.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Page } from 'playwright';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { CHROMIUM_NOTE, HAS_CHROMIUM, startConnectedConsole, type ConsoleUnderTest } from './support/connected-console.js';

const SHOTS = join(process.cwd(), 'test-results', 'offset-reset-e2e');
const PARTITIONS = 3;
const PER_PARTITION = 40;

describe(`offset resets in Chromium${CHROMIUM_NOTE}`, { skip: !HAS_CHROMIUM, timeout: 240_000 }, () => {
  let ui: ConsoleUnderTest;
  let page: Page;
  let kafka: InstanceType<typeof kafkajs.Kafka>;
  let admin: kafkajs.Admin;
  let svc: AdminTestService;
  const topic = uniqueTopic('reset-e2e');
  const groupId = `${topic}-support`;

  const shot = async (name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const committed = async (): Promise<number[]> => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  };
  /** A real member of the group; resolves once it has read `count` records (and committed them on stop). */
  async function member(count: number) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 });
    let seen = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => (finish = r));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => void (++seen >= count && finish()) });
    return { done, stop: () => consumer.disconnect() };
  }

  before(async () => {
    const { brokers } = await ensureKafka();
    kafka = new kafkajs.Kafka({ clientId: 'reset-e2e', brokers, logLevel: kafkajs.logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < PARTITIONS; p++) await producer.send({ topic, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `r${i}` })) });
    await producer.disconnect();
    const [rendererDir, reader] = await Promise.all([buildBridgeRenderer(), member(PARTITIONS * PER_PARTITION)]);
    await reader.done;
    await reader.stop();
    assert.deepEqual(await committed(), [PER_PARTITION, PER_PARTITION, PER_PARTITION], 'the group read everything: lag 0');
    // Resets are audited: the console applies one only while signed in to an ingest service.
    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('reset-e2e-audit') } } });
    ui = await startConnectedConsole({ rendererDir, brokers, service: svc, viewport: { width: 1400, height: 1100 } });
    page = ui.page;
    await page.getByTestId('nav-topics').click();
    await page.getByTestId('topics-grid').waitFor();
    await page.getByTestId('topic-filter').fill(topic);
    const row = page.locator('[data-testid="topics-grid"] .ag-row').filter({ hasText: topic });
    await row.getByRole('button', { name: 'Partitions' }).click();
    await page.getByTestId('group-list').getByRole('button').filter({ hasText: groupId }).click();
    await page.getByTestId('offset-reset').waitFor();
  });

  after(async () => {
    await ui?.close();
    await admin?.disconnect();
    await svc?.stop();
  });

  test('previews a reset of one partition to an offset (new lag shown, nothing written), then applies it after confirming', async () => {
    await page.getByTestId('reset-scope').selectOption('1');
    await page.getByTestId('reset-kind').selectOption('offset');
    await page.getByTestId('reset-offset').fill('15');
    await page.getByTestId('reset-preview').click();
    await page.getByTestId('reset-plan').waitFor();
    assert.equal(await page.getByTestId('reset-lag-before').innerText(), '0');
    assert.equal(await page.getByTestId('reset-lag-after').innerText(), String(PER_PARTITION - 15));
    assert.deepEqual(await committed(), [PER_PARTITION, PER_PARTITION, PER_PARTITION], 'a preview writes nothing');
    await shot('01-preview');
    await page.getByTestId('reset-apply').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await shot('02-confirm');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('reset-applied').waitFor();
    assert.deepEqual(await committed(), [PER_PARTITION, 15, PER_PARTITION]);
    // The groups list refreshed with the new lag.
    await page.getByTestId('group-list').getByRole('button').filter({ hasText: `lag ${PER_PARTITION - 15}` }).waitFor();
    await shot('03-applied');
  });

  test('while the group has an active member, the preview says so and apply stays disabled', async () => {
    const running = await member(PER_PARTITION - 15);
    try {
      await running.done;
      await page.getByTestId('reset-scope').selectOption('all');
      await page.getByTestId('reset-kind').selectOption('earliest');
      await page.getByTestId('reset-preview').click();
      await page.getByTestId('reset-blocked').waitFor();
      assert.match(await page.getByTestId('reset-blocked').innerText(), /1 active member.*stop its consumers first/);
      assert.equal(await page.getByTestId('reset-apply').isDisabled(), true);
      await shot('04-refused-active-member');
    } finally {
      await running.stop();
    }
    assert.deepEqual(ui.problems.filter((p) => !/favicon/.test(p)), [], 'no page errors or console errors (CSP included)');
  });
});
