import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { eventsSignedHeaders, signEvents } from '../../../ingest-service/src/dev/index.js';
import { createVerifier } from '../../../ingest-service/src/verify/index.js';
import { recordingLog, rejectsWith, source } from './support.js';

const NOW_S = 1_700_000_000;
const deps = { now: () => NOW_S * 1000, log: recordingLog() };
const SECRET = 'a-shared-secret-of-the-audit-producer';
const body = Buffer.from(JSON.stringify([{ id: '0b6f6c1e-1c55-4a43-9d0e-5c1a3f3f3a10', type: 'login', time: '2024-01-01T00:00:00Z', actor: 'u1', subject: 'u1' }]));
const audit = (maxAgeSeconds = 300) => source({ id: 'audit', kind: 'events', verify: { hmacSecret: SECRET, maxAgeSeconds } });

describe('audit events: HMAC-SHA256 over timestamp.body', () => {
  const verifier = createVerifier(audit(), deps);

  test('the documented construction passes (computed here independently)', async () => {
    const hex = createHmac('sha256', SECRET).update(`${NOW_S}.${body.toString('utf8')}`).digest('hex');
    assert.equal(signEvents(SECRET, NOW_S, body), `sha256=${hex}`);
    const v = await verifier.verify({ headers: { 'x-sealpost-timestamp': String(NOW_S), 'x-sealpost-signature': `sha256=${hex}` }, body });
    assert.deepEqual(v, { principal: 'hmac', method: 'hmac' });
    // Upper-case hex is the same signature.
    const upper = await verifier.verify({ headers: { 'x-sealpost-timestamp': String(NOW_S), 'x-sealpost-signature': `sha256=${hex.toUpperCase()}` }, body });
    assert.equal(upper.method, 'hmac');
  });

  test('flipped body byte, wrong secret, other timestamp, malformed signature', async () => {
    const flipped = Buffer.from(body);
    flipped[5] = flipped[5]! ^ 0x20;
    await rejectsWith(verifier.verify({ headers: eventsSignedHeaders(SECRET, body, NOW_S), body: flipped }), 401, 'bad_signature');
    await rejectsWith(verifier.verify({ headers: eventsSignedHeaders('another secret', body, NOW_S), body }), 401, 'bad_signature');
    const h = eventsSignedHeaders(SECRET, body, NOW_S);
    await rejectsWith(verifier.verify({ headers: { ...h, 'X-Sealpost-Timestamp': String(NOW_S - 1) }, body }), 401, 'bad_signature');
    const sig = h['X-Sealpost-Signature']!;
    for (const bad of [sig.slice(7), `sha1=${sig.slice(7)}`, `${sig}00`, sig.slice(0, -2), `sha256=${Buffer.from(sig.slice(7), 'hex').toString('base64')}`]) {
      await rejectsWith(verifier.verify({ headers: { ...h, 'X-Sealpost-Signature': bad }, body }), 401, 'bad_signature');
    }
  });

  test('freshness in both directions, and 0 turns it off', async () => {
    await rejectsWith(verifier.verify({ headers: eventsSignedHeaders(SECRET, body, NOW_S - 301), body }), 401, 'stale_timestamp');
    await rejectsWith(verifier.verify({ headers: eventsSignedHeaders(SECRET, body, NOW_S + 301), body }), 401, 'stale_timestamp');
    assert.equal((await verifier.verify({ headers: eventsSignedHeaders(SECRET, body, NOW_S - 299), body })).method, 'hmac');
    const off = createVerifier(audit(0), deps);
    assert.equal((await off.verify({ headers: eventsSignedHeaders(SECRET, body, 1000), body })).method, 'hmac');
  });

  test('missing headers', async () => {
    const h = eventsSignedHeaders(SECRET, body, NOW_S);
    await rejectsWith(verifier.verify({ headers: {}, body }), 401, 'missing_signature');
    await rejectsWith(verifier.verify({ headers: { 'X-Sealpost-Signature': h['X-Sealpost-Signature'] }, body }), 401, 'missing_timestamp');
    await rejectsWith(verifier.verify({ headers: { ...h, 'X-Sealpost-Timestamp': '2024-01-01T00:00:00Z' }, body }), 401, 'bad_timestamp');
  });
});
