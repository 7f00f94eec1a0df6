// Pure parts of the consumer kit: the dedupe window's bound, the lock-reason mapping, the output line's shape.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerLockOf, createDedupeWindow, eventLine, isRepeat, type ConsumerEvent } from '../../../shared/consumer/index.js';
import { ENVELOPE_SCHEMA, type Envelope } from '../../../shared/envelope/index.js';
import type { LockedSection } from '../../../shared/decrypt/index.js';

describe('dedupe window', () => {
  test('drops an id seen within the window, forgets the oldest beyond it, and refuses a useless size', () => {
    const w = createDedupeWindow(3);
    assert.deepEqual(['a', 'b', 'a', 'c', 'd', 'a', 'b'].map((id) => w.firstSeen(id)), [true, true, false, true, true, true, true]);
    assert.equal(w.size, 3, 'never more than its capacity');
    assert.throws(() => createDedupeWindow(0), RangeError);
  });

  test('stays cheap when full: 300,000 ids through a window of 100,000 take milliseconds, not tens of seconds', () => {
    const w = createDedupeWindow(100_000);
    const t0 = performance.now();
    for (let i = 0; i < 300_000; i++) w.firstSeen(`evt-${i}`);
    const ms = performance.now() - t0;
    assert.equal(w.size, 100_000);
    assert.equal(w.firstSeen('evt-250000'), false, 'a recent id is still a repeat');
    assert.equal(w.firstSeen('evt-0'), true, 'an id older than the window is new again');
    // The Set-iterator version took ~200 µs per id once full (about 40 s here); the ring takes ~1-2 µs.
    assert.ok(ms < 5_000, `${ms.toFixed(0)} ms`);
  });
});

describe('dedupe rule: only verified ids are remembered, per partition', () => {
  test('a locked copy is never a repeat nor hides the genuine event; a bare copy never hides an opened one', () => {
    const w = createDedupeWindow(100);
    const ev = (partition: number, state: 'open' | 'locked', hasSection = true) => ({ partition, state, envelope: { id: 'e1' }, hasSection });
    assert.deepEqual(
      [ev(0, 'locked'), ev(0, 'locked'), ev(0, 'open', false), ev(0, 'open', false), ev(0, 'open'), ev(0, 'open'), ev(0, 'open', false), ev(1, 'open')].map((e) => isRepeat(w, e)),
      [false, false, false, true, false, true, true, false],
    );
  });
});

describe('lock reasons for department consumers', () => {
  const cases: Array<[LockedSection, string]> = [
    [{ state: 'locked', code: 'no_local_key', message: 'm' }, 'not_granted'],
    [{ state: 'locked', code: 'tampered', check: 'context', message: 'm' }, 'context_mismatch'],
    [{ state: 'locked', code: 'tampered', check: 'id', message: 'm' }, 'id_mismatch'],
    [{ state: 'locked', code: 'tampered', check: 'authentication', message: 'm' }, 'tampered'],
    [{ state: 'locked', code: 'tampered', message: 'KMS said invalid ciphertext' }, 'tampered'],
    [{ state: 'locked', code: 'access_denied', message: 'm' }, 'access_denied'],
    [{ state: 'locked', code: 'sso_expired', message: 'm' }, 'sso_expired'],
    [{ state: 'locked', code: 'kms_unreachable', message: 'm' }, 'kms_unreachable'],
    [{ state: 'locked', code: 'forgotten', message: 'forgotten on 2026-03-14: …', forgottenAt: '2026-03-14T09:00:00.000Z' }, 'forgotten'],
    [{ state: 'locked', code: 'subject_key_missing', message: 'm' }, 'subject_key_missing'],
  ];
  for (const [section, reason] of cases) {
    test(`${section.code}${section.check ? `/${section.check}` : ''} -> ${reason}, message kept`, () => {
      assert.deepEqual(consumerLockOf(section), { reason, message: section.message });
    });
  }
});

describe('the output line (docs/consumers.md)', () => {
  const envelope: Envelope = {
    schema: ENVELOPE_SCHEMA, id: 'e1', source: 'sendgrid', kind: 'sendgrid', type: 'open', time: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:01.000Z', policyVersion: 1, recipient: 'bidx', clear: { event: 'open' }, sections: { support: 'AgR4' },
  };
  test('opened: the envelope head, the position, the clear part, then fields; no sections, no blind index', () => {
    const line = eventLine({ state: 'open', partition: 2, offset: '9', envelope, fields: { email: 'x' }, hasSection: true });
    assert.equal(line, '{"id":"e1","type":"open","time":"2026-01-01T00:00:00.000Z","source":"sendgrid","partition":2,"offset":"9","clear":{"event":"open"},"fields":{"email":"x"}}');
  });
  test('locked and malformed: locked instead of fields; nulls for what a non-envelope lacks', () => {
    const locked: ConsumerEvent = { state: 'locked', partition: 0, offset: '1', envelope, locked: { reason: 'access_denied', message: 'ask' } };
    assert.deepEqual(Object.keys(JSON.parse(eventLine(locked))), ['id', 'type', 'time', 'source', 'partition', 'offset', 'clear', 'locked']);
    const bad: ConsumerEvent = { state: 'locked', partition: 0, offset: '2', envelope: null, locked: { reason: 'malformed', message: 'not JSON' } };
    assert.deepEqual(JSON.parse(eventLine(bad)), { id: null, type: null, time: null, source: null, partition: 0, offset: '2', clear: {}, locked: { reason: 'malformed', message: 'not JSON' } });
  });
});
