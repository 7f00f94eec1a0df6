// What a forwarding round counts: each record adds one to its entry's group, and a group's keys become rows
// summed across entries and sources (the forwarder calls add() per record on the ingest thread).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBatchCounts, groupsOf } from '../../../ingest-service/src/activity/batch-counts.js';
import type { ActivityTally } from '../../../ingest-service/src/activity/types.js';

const M = Date.UTC(2026, 0, 5, 10, 7);
const tally = (category: string): ActivityTally => ({
  groups: [
    { minute: M, keys: [{ dim: 'type', type: 'open', key: '' }, { dim: 'category', type: 'open', key: category }] },
    { minute: M + 60_000, keys: [{ dim: 'type', type: 'click', key: '' }, { dim: 'category', type: 'click', key: category }] },
  ],
  of: [0, 0, 1, 0],
  links: [],
});

test('records add to their group; rows are summed per minute, source and key', () => {
  const bc = createBatchCounts();
  const a = groupsOf(tally('weekly'), 4);
  const b = groupsOf(tally('weekly'), 4);
  for (const g of a) bc.add('sendgrid', g);
  for (const g of b.slice(0, 3)) bc.add('sendgrid', g); // the last record of b was a duplicate: not sent
  for (const g of groupsOf(tally('weekly'), 4)) bc.add('ses', g);
  bc.add('sendgrid', undefined); // an entry without a tally (activity off, events source)
  const rows = Object.fromEntries(bc.result().counts.map((c) => [`${c.source} ${c.minute === M ? 0 : 1} ${c.dim} ${c.type} ${c.key}`, c.n]));
  assert.deepEqual(rows, {
    'sendgrid 0 type open ': 5,
    'sendgrid 0 category open weekly': 5,
    'sendgrid 1 type click ': 2,
    'sendgrid 1 category click weekly': 2,
    'ses 0 type open ': 3,
    'ses 0 category open weekly': 3,
    'ses 1 type click ': 1,
    'ses 1 category click weekly': 1,
  });
  assert.deepEqual(groupsOf(undefined, 2), [undefined, undefined]);
});
