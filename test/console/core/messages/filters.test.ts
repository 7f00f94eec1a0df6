import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { compileFilter, isEmptyFilter } from '../../../../electron/core/messages/filters.js';
import type { RawRecord } from '../../../../electron/core/kafka/raw-fetch.js';

/** A stand-in blind index (keyed hash of the normalised address), like the real one. */
const index = (a: string) => createHmac('sha256', 'k').update(a.trim().toLowerCase()).digest('base64url').slice(0, 22);
const envelope = (over: Record<string, unknown> = {}) => ({
  schema: 'sealpost.envelope/1',
  id: 'e1',
  source: 'sendgrid-main',
  kind: 'sendgrid',
  type: 'bounce',
  time: '2026-01-01T00:00:10.000Z',
  receivedAt: '2026-01-01T00:00:11.000Z',
  policyVersion: 1,
  recipient: index('bob@example.com'),
  clear: { category: ['invoice', 'eu'] },
  sections: { support: 'AAAA' },
  ...over,
});
const record = (value: unknown, headers: Record<string, string> = {}): RawRecord => ({
  offset: '5',
  timestamp: String(Date.UTC(2026, 0, 1)),
  key: null,
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});

const cases: [string, Parameters<typeof compileFilter>[0], RawRecord, boolean][] = [
  ['type matches', { types: ['bounce'] }, record(envelope()), true],
  ['type differs', { types: ['delivered'] }, record(envelope()), false],
  ['type rejected on the header alone', { types: ['delivered'] }, record('{not json', { 'sealpost-type': 'bounce' }), false],
  ['source matches', { sources: ['sendgrid-main'] }, record(envelope()), true],
  ['category in a list', { categories: ['eu'] }, record(envelope()), true],
  ['category absent', { categories: ['welcome'] }, record(envelope()), false],
  ['recipient by address, any spelling', { recipient: ' Bob@Example.com ' }, record(envelope()), true],
  ['another recipient', { recipient: 'alice@example.com' }, record(envelope()), false],
  ['time inside the range', { timeFrom: Date.UTC(2026, 0, 1), timeTo: Date.UTC(2026, 0, 1, 0, 1) }, record(envelope()), true],
  ['time after the range', { timeTo: Date.UTC(2026, 0, 1) }, record(envelope()), false],
  ['partition not listed', { partitions: [1, 2] }, record(envelope()), false],
  ['foreign record with a filter', { types: ['bounce'] }, record('plain text'), false],
  ['tombstone with a filter', { sources: ['x'] }, record(null), false],
];
for (const [why, filters, raw, expected] of cases) {
  test(`filter: ${why}`, () => {
    const f = compileFilter(filters, index);
    assert.equal(f(0, raw) !== null, expected);
  });
}

test('without filters every record passes, foreign ones with what is wrong', () => {
  assert.equal(isEmptyFilter({}), true);
  const f = compileFilter(undefined, null);
  const hit = f(3, record('plain text'));
  assert.equal(hit?.row.id, '3:5');
  assert.match(hit?.row.problem ?? '', /not JSON/);
});

test('the address itself never appears in what a match returns', () => {
  const hit = compileFilter({ recipient: 'bob@example.com' }, index)(0, record(envelope()));
  assert.doesNotMatch(JSON.stringify(hit?.row), /bob@example\.com/);
});
