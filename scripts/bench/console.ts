// npm run bench:console — the console's read path on a topic of 1,000,000 sealed records over 6 partitions,
// measured in Debian Chromium through the test bridge (the same renderer and Node side Electron runs).
// Last line: one JSON object. Bar: first page < 1 s, decrypted < 2 s, scan >= 50,000 rec/s and >= 0.8 of a raw
// kafkajs consumer reading the same topic (the ceiling), memory bounded.
// --records N (or BENCH_CONSOLE_RECORDS) picks a smaller topic while developing; quote the 1,000,000-record run.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright';
import { ensureKafka } from '../../test/support/kafka.js';
import { buildBridgeRenderer } from '../../electron/bridge/build-bridge-renderer.js';
import { startBridge } from '../../electron/bridge/http-bridge.js';
import { rawConsumerRate } from './console-ceiling.js';
import { ensureBenchTopic } from './console-topic.js';

const { values: flags } = parseArgs({ options: { records: { type: 'string' } } });
const TOTAL = Number(flags.records ?? process.env.BENCH_CONSOLE_RECORDS ?? 1_000_000);
if (!Number.isInteger(TOTAL) || TOTAL < 10_000) throw new Error('--records must be a whole number of at least 10,000');
const RUNS = 5;
const log = (msg: string) => process.stderr.write(`bench:console ${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rowCount = (page: Page) => page.getByTestId('row-count').innerText().then((t) => Number(t.replace(/\D/g, '')));

/**
 * Waits until load number > `after` finished with `rows` rows counted, the first row painted and, with
 * `decrypted`, every visible support section opened. A function, not a string: the console's CSP forbids eval.
 */
async function waitPage(page: Page, want: { after: number; rows: number; decrypted: boolean }): Promise<void> {
  await page.waitForFunction(
    (w) => {
      const status = document.querySelector('[data-testid="status-line"]') as HTMLElement | null;
      if (Number(status?.dataset.loads) <= w.after) return false;
      const count = document.querySelector('[data-testid="row-count"]')?.textContent?.replace(/\D/g, '');
      if (Number(count) !== w.rows) return false;
      if (!document.querySelector('[data-testid="messages-grid"] .ag-row[row-index="0"] .ag-cell[col-id="type"]')?.textContent) return false;
      if (!w.decrypted) return true;
      const cells = [...document.querySelectorAll('[data-testid="messages-grid"] .ag-cell[col-id="section:support"]')];
      return cells.length > 10 && cells.every((c) => c.textContent && c.textContent !== '…');
    },
    want,
    { polling: 'raf', timeout: 60_000 },
  );
}

const loadsSoFar = async (page: Page) => Number(await page.getByTestId('status-line').getAttribute('data-loads'));

/** Clicks Load and times until that load is in the grid (and decrypted, when asked). */
async function timeLoad(page: Page, rows: number, decrypted: boolean): Promise<number> {
  const after = await loadsSoFar(page);
  const started = performance.now();
  await page.getByTestId('load').click();
  await waitPage(page, { after, rows, decrypted });
  return performance.now() - started;
}

/** The Node side's live JS heap and Buffer memory after a full GC (the bridge runs in this process); needs --expose-gc. */
function nodeHeapMb(): { heap: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return { heap: mb(m.heapUsed), buffers: mb(m.arrayBuffers) };
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return Math.round((usedSize / 1024 / 1024) * 10) / 10;
}

/** Runs a scan through window.sealpost (the bridge) and returns records/s as the Node side measured it. */
async function scanRate(page: Page, topic: string, filters: object): Promise<{ perSec: number; scanned: number; matched: number; state: string }> {
  return page.evaluate(
    async ({ topic, filters }) => {
      const api = (window as unknown as { sealpost: Record<string, (a?: unknown) => Promise<{ ok: boolean; value: any; error?: any }>> }).sealpost;
      const start = await api.startScan!({ topic, filters, direction: 'oldest-first', maxMatches: 100_000, budget: { maxRecords: 100_000_000, maxMs: 600_000 } });
      if (!start.ok) throw new Error(start.error.message);
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const p = await api.scanProgress!({ scanId: start.value.scanId, maxRows: 0 });
        if (!p.ok) throw new Error(p.error.message);
        if (p.value.state !== 'running') return { perSec: Math.round(p.value.scanned / (p.value.elapsedMs / 1000)), scanned: p.value.scanned, matched: p.value.matched, state: p.value.state };
      }
    },
    { topic, filters },
  );
}

const { brokers } = await ensureKafka();
const bench = await ensureBenchTopic(brokers, TOTAL, join(process.cwd(), '.sealpost', 'bench-console'));
log(bench.produced ? `produced ${bench.records} records in ${(bench.produceMs / 1000).toFixed(1)} s` : `reusing ${bench.topic} (${bench.records} records)`);
const bridge = await startBridge({ rendererDir: await buildBridgeRenderer(), settings: { localKeysDir: bench.keysDir } });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(bridge.url);
  await page.getByTestId('conn-brokers').fill(brokers.join(','));
  await page.getByTestId('conn-submit').click();
  await page.getByTestId('topic-filter').fill(bench.topic);
  await page.locator('[data-testid="topics-grid"] .ag-row').filter({ hasText: bench.topic }).getByRole('button', { name: 'Messages' }).click();
  await waitPage(page, { after: 0, rows: 500, decrypted: false });
  const heapEmpty = await heapMb(page);

  // first_page_ms: 500 newest rows decoded and in the grid (median of RUNS loads after a first, cold one).
  const plain: number[] = [];
  for (let i = 0; i <= RUNS; i++) plain.push(await timeLoad(page, 500, false));
  // first_page_decrypted_ms: the same, with every visible row's sections opened with the local keys.
  await page.getByTestId('decrypt-toggle').check();
  const decrypted: number[] = [];
  for (let i = 0; i <= RUNS; i++) decrypted.push(await timeLoad(page, 500, true));
  await page.getByTestId('decrypt-toggle').uncheck();

  // filter_scan_per_s: a clear-field filter over the whole topic (type: header fast path; recipient: every value parsed).
  log('scanning the topic for type=spamreport');
  const byType = await scanRate(page, bench.topic, { types: ['spamreport'] });
  log(`type scan: ${JSON.stringify(byType)}`);
  // The ceiling: kafkajs's own consumer reading the whole topic and doing nothing with it (same process, idle bridge).
  log('reading the topic with a raw kafkajs consumer (the ceiling)');
  const raw = await rawConsumerRate(brokers, bench.topic, bench.records);
  log(`raw consumer: ${JSON.stringify(raw)}`);
  log('scanning the topic for one recipient (blind index, matched on the raw bytes then parsed)');
  const heapBeforeScan = nodeHeapMb();
  const byRecipient = await scanRate(page, bench.topic, { recipient: bench.someRecipient });
  const heapAfterScan = nodeHeapMb();
  log(`recipient scan: ${JSON.stringify(byRecipient)}`);

  // renderer_mb_100k: 100,000 rows loaded in windows of 5,000; then 20,000 more to show the cap holds.
  await page.getByTestId('rows-select').selectOption('5000');
  await timeLoad(page, 5_000, false);
  for (let rows = 10_000; rows <= 100_000; rows += 5_000) {
    const after = await loadsSoFar(page);
    await page.getByTestId('load-more').click();
    await waitPage(page, { after, rows, decrypted: false });
  }
  const heap100k = await heapMb(page);
  for (let i = 0; i < 4 && (await page.getByTestId('load-more').isEnabled()); i++) {
    const after = await loadsSoFar(page);
    await page.getByTestId('load-more').click();
    await waitPage(page, { after, rows: 100_000, decrypted: false });
  }
  const rowsAfterMore = await rowCount(page);
  const heapAfterMore = await heapMb(page);
  await page.screenshot({ path: join(process.cwd(), 'test-results', 'bench-console-100k.png') });

  const result = {
    bench: 'console',
    records: bench.records,
    partitions: 6,
    first_page_ms: Math.round(median(plain.slice(1))),
    first_page_cold_ms: Math.round(plain[0]!),
    first_page_decrypted_ms: Math.round(median(decrypted.slice(1))),
    first_page_decrypted_cold_ms: Math.round(decrypted[0]!),
    filter_scan_per_s: byType.perSec,
    filter_scan_matches: byType.matched,
    raw_consumer_per_s: raw.perSec,
    filter_scan_vs_raw: Math.round((byType.perSec / raw.perSec) * 100) / 100,
    filter_scan_recipient_per_s: byRecipient.perSec,
    filter_scan_recipient_matches: byRecipient.matched,
    renderer_mb_empty: heapEmpty,
    renderer_mb_100k: heap100k,
    renderer_rows_after_120k_loaded: rowsAfterMore,
    renderer_mb_after_120k_loaded: heapAfterMore,
    node_heap_mb_before_scan: heapBeforeScan.heap,
    node_heap_mb_after_scan: heapAfterScan.heap,
    node_buffers_mb_before_scan: heapBeforeScan.buffers,
    node_buffers_mb_after_scan: heapAfterScan.buffers,
    bar: { first_page_ms: 1000, first_page_decrypted_ms: 2000, filter_scan_per_s: 50_000, filter_scan_vs_raw: 0.8 },
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await bridge.close();
}
