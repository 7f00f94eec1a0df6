import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, personalBody, testClock } from './temp-journal.js';

test('dead letters are listed without personal values, with reason, source, times, size and the clear summary', async () => {
  const clock = testClock();
  const t = openTemp({ clock });
  const address = 'dave.dl@example.net';
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 111, payload: personalBody(address) });
    const raw = personalBody(address, 1);
    const id = t.journal.deadLetter({ seq, source: 'sg', eventIndex: 2, reason: 'invalid_event', raw, clear: { event: 'delivered' } });
    const list = t.journal.listDeadLetters();
    assert.equal(list.length, 1);
    const dl = list[0]!;
    assert.deepEqual(
      { id: dl.id, seq: dl.seq, source: dl.source, kind: dl.kind, eventIndex: dl.eventIndex, reason: dl.reason, size: dl.size, clear: dl.clear, receivedAt: dl.receivedAt, createdAt: dl.createdAt, state: dl.state },
      { id, seq, source: 'sg', kind: 'sendgrid', eventIndex: 2, reason: 'invalid_event', size: raw.length, clear: { event: 'delivered' }, receivedAt: 111, createdAt: clock.now(), state: 'open' },
    );
    assert.equal(JSON.stringify(list).includes(address), false);
    assert.deepEqual(t.journal.unsafeReadDeadLetterRaw(id), raw);
    assert.deepEqual(t.journal.stats().deadLettersByReason, { invalid_event: 1 });
  } finally {
    await t.cleanup();
  }
});

test('complete records dead letters in the same transaction as the forwarded mark', async () => {
  const t = openTemp();
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('{') });
    const { deadLetterIds } = await t.journal.complete([seq], { deadLetters: [{ seq, source: 'sg', eventIndex: null, reason: 'unparseable_json', raw: Buffer.from('{') }] });
    assert.equal(deadLetterIds.length, 1);
    assert.equal(t.journal.stats().pendingTotal, 0);
    assert.equal(t.journal.getDeadLetter(deadLetterIds[0]!)!.kind, 'sendgrid', 'kind looked up from the entry');
  } finally {
    await t.cleanup();
  }
});

test('redrive puts the bytes back as a new pending entry and marks the dead letter redriven', async () => {
  const t = openTemp();
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 42, payload: Buffer.from('whole') });
    const { deadLetterIds } = await t.journal.complete([seq], { deadLetters: [{ seq, source: 'sg', eventIndex: 0, reason: 'record_too_large', raw: Buffer.from('just event 0') }] });
    const id = deadLetterIds[0]!;
    let woke = 0;
    t.journal.onWork(() => woke++);
    const newSeq = t.journal.redrive(id, { by: 'operator-1' });
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, 1);
    assert.ok(newSeq > seq);
    const [e] = t.journal.nextBatch(10);
    assert.deepEqual({ seq: e!.seq, source: e!.source, kind: e!.kind, receivedAt: e!.receivedAt, redriveOf: e!.redriveOf }, { seq: newSeq, source: 'sg', kind: 'sendgrid', receivedAt: 42, redriveOf: id });
    assert.equal(t.journal.decryptPayload(e!).toString(), 'just event 0');
    const dl = t.journal.getDeadLetter(id)!;
    assert.equal(dl.state, 'redriven');
    assert.equal(dl.redrivenSeq, newSeq);
    assert.equal(dl.resolvedBy, 'operator-1');
    assert.equal(t.journal.unsafeReadDeadLetterRaw(id), null, 'the bytes now live in the entry only');
    assert.throws(() => t.journal.redrive(id), (err: { code: string }) => err.code === 'SP_DEAD_LETTER_RESOLVED');
    assert.deepEqual(t.journal.stats().deadLettersByReason, {});
  } finally {
    await t.cleanup();
  }
});

test('discard keeps a tombstone with reason, who and when, and erases the bytes', async () => {
  const clock = testClock();
  const t = openTemp({ clock });
  try {
    const seq = await t.journal.append({ source: 'sg', kind: 'sendgrid', receivedAt: 1, payload: Buffer.from('x') });
    const id = t.journal.deadLetter({ seq, source: 'sg', eventIndex: null, reason: 'unparseable_json', raw: Buffer.from('secret bytes') });
    assert.throws(() => t.journal.discardDeadLetter(id, { reason: ' ' }), (e: { code: string }) => e.code === 'SP_DEAD_LETTER_REASON_REQUIRED');
    clock.advance(5000);
    t.journal.discardDeadLetter(id, { reason: 'test traffic from staging', by: 'bob' });
    const dl = t.journal.getDeadLetter(id)!;
    assert.deepEqual({ state: dl.state, resolution: dl.resolution, resolvedBy: dl.resolvedBy, resolvedAt: dl.resolvedAt }, { state: 'discarded', resolution: 'test traffic from staging', resolvedBy: 'bob', resolvedAt: clock.now() });
    assert.equal(t.journal.unsafeReadDeadLetterRaw(id), null);
    assert.deepEqual(t.journal.listDeadLetters({ state: 'open' }), []);
    assert.equal(t.journal.listDeadLetters({ state: 'discarded' }).length, 1);
    assert.throws(() => t.journal.redrive(id), (e: { code: string }) => e.code === 'SP_DEAD_LETTER_RESOLVED');
    assert.throws(() => t.journal.discardDeadLetter(9999, { reason: 'x' }), (e: { code: string }) => e.code === 'SP_DEAD_LETTER_NOT_FOUND');
  } finally {
    await t.cleanup();
  }
});
