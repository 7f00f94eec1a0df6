// The opened-field filter of scans against the real broker with real sealed records and local keys: the console's
// Node side (the same handlers Electron main and the test bridge run) called through the contract's dispatch.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ScanProgress } from '../../../../shared/console-api/types.js';
import { ensureKafka, uniqueTopic } from '../../../support/kafka.js';
import { until } from '../../../support/until.js';
import { consoleOn } from '../../admin/support.js';
import { createSeedKit, produceRecords, sendgridEvent, type SeedKit } from '../../support/seed.js';

const N = 1_200;
const RECIPIENTS = 50;
const BASE = Math.floor((Date.now() - 3600_000) / 1000) * 1000;

describe('scans filtered on opened fields, real broker, local keys', () => {
  let kit: SeedKit;
  let topic: string;
  let c: ReturnType<typeof consoleOn>;
  let tmp: string;
  /** Ground truth by event index. */
  const truth: { id: string; type: string; who: number }[] = [];

  before(async () => {
    const { brokers } = await ensureKafka();
    kit = createSeedKit();
    topic = uniqueTopic('console-opened-scan');
    const events = Array.from({ length: N }, (_, i) => sendgridEvent(i, { time: BASE + i * 1000, recipients: RECIPIENTS }));
    for (const [i, e] of events.entries()) truth.push({ id: e.id, type: e.type, who: i % RECIPIENTS });
    await produceRecords(brokers, topic, await kit.build(events), { partitions: 3, batch: 200, timestampOf: (i) => BASE + i * 1000 });
    tmp = mkdtempSync(join(tmpdir(), 'sp-opened-scan-'));
    c = consoleOn({ keysDir: kit.keysDir });
    await c.call('console:connect', { connection: { name: 'local', brokers } });
  });
  after(async () => {
    await c?.close();
    await kit?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs a scan to its end (or its budget), collecting every match. */
  async function scanAll(args: Parameters<typeof c.call<'scan:start'>>[1]): Promise<ScanProgress & { all: ScanProgress['rows'] }> {
    const start = await c.call('scan:start', args);
    const p = await until('the scan to stop', () => c.call('scan:progress', { scanId: start.scanId, maxRows: 0 }), (x) => x.state !== 'running', { timeoutMs: 60_000 });
    const all = (await c.call('scan:progress', { scanId: start.scanId, maxRows: 10_000 })).rows;
    return { ...p, all };
  }
  /** Event ids of rows, through the record detail (the row holds the clear part only). */
  const eventIds = (rows: ScanProgress['rows']) => rows.map((r) => r.eventId).sort();
  const expected = (pred: (t: (typeof truth)[number]) => boolean) => truth.filter(pred).map((t) => t.id).sort();

  /** A key folder holding only the given department keys. */
  function keysWith(name: string, departments: string[]): string {
    const dir = join(tmp, name);
    mkdirSync(dir, { mode: 0o700 });
    for (const d of departments) {
      copyFileSync(join(kit.keysDir, `${d}.key`), join(dir, `${d}.key`));
      chmodSync(join(dir, `${d}.key`), 0o600);
    }
    return dir;
  }

  test('field = value finds exactly the records whose opened field has that value, whatever its case', async () => {
    const p = await scanAll({ topic, filters: {}, direction: 'oldest-first', profile: 'local', opened: { field: 'email', value: 'USER7@Example.com' } });
    assert.equal(p.state, 'done');
    assert.equal(p.scanned, N);
    assert.deepEqual(eventIds(p.all), expected((t) => t.who === 7));
    assert.deepEqual(p.opened, { searched: N, locked: 0, lockedBy: {} });
    assert.ok(!JSON.stringify(p).includes('@example.com'), 'the answer carries no opened value (rows are the clear part)');
  });

  test('a keyword runs inside the clear filters: only their matches are opened and searched', async () => {
    const p = await scanAll({ topic, filters: { types: ['click'] }, direction: 'newest-first', profile: 'local', opened: { keyword: 'example.com/p/13' } });
    assert.equal(p.state, 'done');
    assert.deepEqual(eventIds(p.all), expected((t) => t.type === 'click' && t.who === 13));
    assert.equal(p.opened?.searched, truth.filter((t) => t.type === 'click').length, 'only clicks were opened');
  });

  test('sections the identity cannot open never match and are counted as locked, by reason', async () => {
    // Support only: the address is in support and security; support still finds it, security is locked everywhere.
    await c.call('settings:set', { localKeysDir: keysWith('support-only', ['support']) });
    const partial = await scanAll({ topic, filters: {}, direction: 'oldest-first', profile: 'local', opened: { field: 'email', value: 'user7@example.com' } });
    const hits = expected((t) => t.who === 7);
    assert.deepEqual(eventIds(partial.all), hits);
    assert.equal(partial.opened?.locked, N - hits.length);
    assert.equal(partial.opened?.lockedBy.no_local_key, N);
    // No key at all: nothing can match, every record is counted as not searched.
    await c.call('settings:set', { localKeysDir: keysWith('none', []) });
    const none = await scanAll({ topic, filters: {}, direction: 'oldest-first', profile: 'local', opened: { keyword: 'user7@example.com' } });
    assert.equal(none.state, 'done');
    assert.equal(none.matched, 0);
    assert.equal(none.opened?.locked, N);
    assert.equal(none.opened?.lockedBy.no_local_key, 2 * N, 'support and security sections, each locked');
    await c.call('settings:set', { localKeysDir: kit.keysDir });
  });

  test('stops on its budget and resumes to the same matches as one uninterrupted scan', async () => {
    const args = { topic, filters: {}, direction: 'oldest-first' as const, profile: 'local', opened: { keyword: 'user21@' } };
    const first = await c.call('scan:start', { ...args, budget: { maxRecords: 300, maxMs: 60_000 } });
    const paused = await until('the budget', () => c.call('scan:progress', { scanId: first.scanId, maxRows: 0 }), (x) => x.state !== 'running');
    assert.equal(paused.state, 'budget');
    assert.ok(paused.resumable);
    assert.ok(paused.scanned >= 300 && paused.scanned < N, `read ${paused.scanned}`);
    await c.call('scan:start', { ...args, resume: first.scanId });
    const done = await until('the end', () => c.call('scan:progress', { scanId: first.scanId, maxRows: 10_000 }), (x) => x.state !== 'running');
    assert.equal(done.state, 'done');
    assert.equal(done.scanned, N);
    assert.deepEqual(eventIds(done.rows), expected((t) => t.who === 21));
    assert.equal(done.opened?.searched, N);
  });

  test('cancel stops an opened-field scan, which then resumes', async () => {
    const start = await c.call('scan:start', { topic, filters: {}, direction: 'oldest-first', profile: 'local', opened: { keyword: 'user3@' } });
    const cancelled = await c.call('scan:cancel', { scanId: start.scanId });
    assert.ok(['cancelled', 'done'].includes(cancelled.state), cancelled.state);
    if (cancelled.state === 'cancelled') {
      await c.call('scan:start', { topic, filters: {}, profile: 'local', resume: start.scanId });
      const done = await until('the end', () => c.call('scan:progress', { scanId: start.scanId, maxRows: 10_000 }), (x) => x.state !== 'running');
      assert.deepEqual(eventIds(done.rows), expected((t) => t.who === 3));
    }
  });

  test('bad opened filters are refused with a clear error, before anything is read', async () => {
    const bad: [string, unknown][] = [
      ['a one-letter keyword', { keyword: 'u' }],
      ['a field without a value', { field: 'email' }],
      ['a value without a field', { value: 'x@y.z' }],
      ['both a keyword and a field', { keyword: 'user', field: 'email', value: 'x' }],
      ['a field name that is not one', { field: 'em ail', value: 'x' }],
      ['an unknown key', { keyword: 'user', regex: '.*' }],
    ];
    for (const [why, opened] of bad) {
      const e = await c.refusal('scan:start', { topic, filters: {}, opened });
      assert.equal(e.code, 'SP_CONSOLE_BAD_ARGS', why);
    }
  });
});
