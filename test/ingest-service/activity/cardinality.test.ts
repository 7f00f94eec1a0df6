// A sender chooses its categories, event types and clicked URLs: millions of distinct ones must not become
// millions of rows in activity.db (nor a sealed copy each). Per source and hour the first ones count as
// themselves, the rest under (other), and no event goes uncounted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_KEYS_PER_HOUR, MAX_TYPES_PER_HOUR } from '../../../ingest-service/src/activity/admission.js';
import { openActivityStore, type RangeQuery } from '../../../ingest-service/src/activity/activity-store.js';
import type { ActivityCount, SealedLink } from '../../../ingest-service/src/activity/types.js';

const HOUR = Date.UTC(2026, 0, 5, 10);
const range: RangeQuery = { resolution: 'hour', from: HOUR, to: HOUR + 3_600_000 };
const rowsOf = (type: string, dim: ActivityCount['dim'], keys: string[], minute = HOUR): ActivityCount[] => [
  ...keys.map((key) => ({ minute, source: 'sendgrid', dim, type, key, n: 1 })),
  { minute, source: 'sendgrid', dim: 'type', type, key: '', n: keys.length },
];
const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);

describe('activity counts stay bounded whatever a sender sends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-activity-card-'));
  const store = openActivityStore({ dataDir: dir, minuteRetentionDays: 7, retentionDays: 400, now: () => HOUR });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('distinct categories past the hourly limit count under (other); known ones keep counting as themselves', () => {
    const many = Array.from({ length: MAX_KEYS_PER_HOUR + 500 }, (_, i) => `cat-${i}`);
    // In several writes, as the forwarder's flushes come.
    for (let i = 0; i < many.length; i += 300) store.add(rowsOf('processed', 'category', many.slice(i, i + 300)), []);
    store.add(rowsOf('processed', 'category', ['cat-0', 'cat-1499']), []);
    const rows = store.totals('category', { ...range, limit: 5_000 });
    assert.equal(rows.length, MAX_KEYS_PER_HOUR + 1, 'the first keys and (other)');
    assert.equal(sum(rows), many.length + 2, 'every event counted');
    assert.equal(rows.find((r) => r.key === 'cat-0')?.n, 2);
    assert.equal(rows.find((r) => r.key === '(other)')?.n, 501);
    const minutes = store.totals('category', { ...range, resolution: 'minute', limit: 5_000 });
    assert.equal(minutes.length, MAX_KEYS_PER_HOUR + 1, 'per-minute rows agree');
    // The next hour starts afresh.
    store.add(rowsOf('processed', 'category', ['cat-1499'], HOUR + 3_600_000), []);
    assert.equal(store.totals('category', { ...range, from: range.to, to: range.to + 3_600_000, limit: 10 })[0]?.key, 'cat-1499');
  });

  test('distinct event types past the limit count as (other), in every dimension', () => {
    const types = Array.from({ length: MAX_TYPES_PER_HOUR + 50 }, (_, i) => `type-${i}`);
    for (const t of types) store.add(rowsOf(t, 'bounce', [`class-of-${t}`]), []);
    const byType = store.totals('type', { ...range, limit: 5_000 });
    // 'processed' from the first test holds one slot.
    assert.equal(byType.length, MAX_TYPES_PER_HOUR + 1);
    assert.equal(sum(byType.filter((r) => r.type === '(other)')), 51);
    const bounces = store.totals('bounce', { ...range, limit: 5_000 });
    assert.ok(bounces.every((r) => r.type !== 'type-149'), 'a type not counted in `type` is not named elsewhere either');
    assert.equal(sum(bounces), types.length);
  });

  test('a sealed URL is kept only for links counted as themselves', () => {
    const refs = Array.from({ length: MAX_KEYS_PER_HOUR + 200 }, (_, i) => `ref${i}`);
    const sealed = (ref: string): SealedLink => ({ ref, source: 'sendgrid', policyVersion: 1, sections: { support: 'AAAA' } });
    for (let i = 0; i < refs.length; i += 100) {
      const part = refs.slice(i, i + 100);
      store.add([], part.map(sealed)); // sealed when expanded...
      store.add(rowsOf('click', 'link', part), []); // ...counted once the round is in Kafka
    }
    const links = store.totals('link', { ...range, limit: 5_000 });
    assert.equal(links.length, MAX_KEYS_PER_HOUR + 1);
    assert.equal(store.links(refs).length, MAX_KEYS_PER_HOUR, 'no sealed copy of links counted under (other)');
    assert.equal(store.links(['ref0']).length, 1);
  });
});
