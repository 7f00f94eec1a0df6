import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isSealpostError } from '../../../shared/errors/index.js';
import { generateSendgridKeyPair, signSendgrid } from '../../../ingest-service/src/dev/index.js';
import { createVerifier, VERIFY_ERRORS } from '../../../ingest-service/src/verify/index.js';
import { recordingLog, rejectsWith, source } from './support.js';

const SEED_BATCH = readFileSync(new URL('../../fixtures/sendgrid/seed-sample-batch.json', import.meta.url));
const NOW_S = 1_700_000_000;
const deps = { now: () => NOW_S * 1000, log: recordingLog() };

function sendgridSource(publicKey: string, maxAgeSeconds = 300) {
  return source({ id: 'sg', kind: 'sendgrid', verify: { publicKey, maxAgeSeconds } });
}

function headers(signature: string, timestamp: string | number): Record<string, string> {
  // Node hands headers over lower-cased.
  return { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': String(timestamp), 'content-type': 'application/json' };
}

describe('SendGrid Signed Event Webhook', () => {
  const keys = generateSendgridKeyPair();
  const verifier = createVerifier(sendgridSource(keys.publicKey), deps);

  test("matches Twilio's own test vector (sendgrid-nodejs EventWebhook spec)", async () => {
    // From sendgrid/sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js.
    const publicKey = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==';
    const signature = 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=';
    const payload = Buffer.from(JSON.stringify({ category: 'example_payload', event: 'test_event', message_id: 'message_id' }));
    const twilio = createVerifier(sendgridSource(publicKey, 0), deps);
    const ok = await twilio.verify({ headers: headers(signature, '1588788367'), body: payload });
    assert.deepEqual(ok, { principal: 'sendgrid-signature', method: 'sendgrid-signature' });
    // Their negative cases: bad payload, a signature with one digit changed, a bad timestamp, another key.
    await rejectsWith(twilio.verify({ headers: headers(signature, '1588788367'), body: Buffer.from('payload') }), 401, 'bad_signature');
    const tweaked = 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=';
    await rejectsWith(twilio.verify({ headers: headers(tweaked, '1588788367'), body: payload }), 401, 'bad_signature');
    await rejectsWith(twilio.verify({ headers: headers(signature, 'timestamp'), body: payload }), 401, 'bad_timestamp');
    const otherKey = createVerifier(
      sendgridSource('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==', 0),
      deps,
    );
    await rejectsWith(otherKey.verify({ headers: headers(signature, '1588788367'), body: payload }), 401, 'bad_signature');
    // The same vector with the default 300 s window is refused as stale: it is from 2020.
    const windowed = createVerifier(sendgridSource(publicKey), deps);
    await rejectsWith(windowed.verify({ headers: headers(signature, '1588788367'), body: payload }), 401, 'stale_timestamp');
  });

  test('accepts the seed batch signed over its exact bytes', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    assert.deepEqual(await verifier.verify({ headers: headers(sig, NOW_S), body: SEED_BATCH }), { principal: 'sendgrid-signature', method: 'sendgrid-signature' });
  });

  test('finds the headers whatever their case', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    const mixed = { 'X-Twilio-Email-Event-Webhook-Signature': sig, 'X-Twilio-Email-Event-Webhook-Timestamp': String(NOW_S) };
    assert.equal((await verifier.verify({ headers: mixed, body: SEED_BATCH })).principal, 'sendgrid-signature');
  });

  test('refuses a body with one byte flipped', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    const flipped = Buffer.from(SEED_BATCH);
    const at = flipped.indexOf('processed');
    flipped[at] = flipped[at]! ^ 0x01;
    const err = await rejectsWith(verifier.verify({ headers: headers(sig, NOW_S), body: flipped }), 401, 'bad_signature');
    assert.ok(isSealpostError(err, VERIFY_ERRORS.unauthenticated));
    assert.match(err.message, /Verification Key/);
  });

  test('refuses the same JSON re-serialised: only the bytes as received are signed', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(SEED_BATCH.toString('utf8'))));
    assert.deepEqual(JSON.parse(reserialised.toString()), JSON.parse(SEED_BATCH.toString()));
    await rejectsWith(verifier.verify({ headers: headers(sig, NOW_S), body: reserialised }), 401, 'bad_signature');
  });

  test('refuses a signature made with another key', async () => {
    const other = generateSendgridKeyPair();
    const sig = signSendgrid(other.privateKeyPem, NOW_S, SEED_BATCH);
    await rejectsWith(verifier.verify({ headers: headers(sig, NOW_S), body: SEED_BATCH }), 401, 'bad_signature');
  });

  test('refuses a valid signature presented with another timestamp', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    await rejectsWith(verifier.verify({ headers: headers(sig, NOW_S + 1), body: SEED_BATCH }), 401, 'bad_signature');
  });

  test('refuses signature spellings that only lenient base64 decoding would accept', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    const variants = [`${sig.slice(0, 10)}*${sig.slice(10)}`, `${sig.slice(0, 20)} ${sig.slice(20)}`, `${sig}\t`, `${sig}====`, `.${sig}`];
    for (const v of variants) {
      // Each decodes to the genuine signature under Buffer.from, so a lenient verifier would accept it.
      assert.deepEqual(Buffer.from(v, 'base64'), Buffer.from(sig, 'base64'));
      await rejectsWith(verifier.verify({ headers: headers(v, NOW_S), body: SEED_BATCH }), 401, 'bad_signature');
    }
  });

  test('refuses a DER signature with trailing bytes', async () => {
    const der = Buffer.from(signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH), 'base64');
    const padded = Buffer.concat([der, Buffer.from([0])]).toString('base64');
    await rejectsWith(verifier.verify({ headers: headers(padded, NOW_S), body: SEED_BATCH }), 401, 'bad_signature');
  });

  test('refuses a raw (r||s) signature: SendGrid signatures are DER', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pub = createVerifier(
      sendgridSource((await import('node:crypto')).createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64')),
      deps,
    );
    const data = Buffer.concat([Buffer.from(String(NOW_S)), SEED_BATCH]);
    const p1363 = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
    await rejectsWith(pub.verify({ headers: headers(p1363, NOW_S), body: SEED_BATCH }), 401, 'bad_signature');
  });

  test('freshness: within the window passes, older or further ahead fails, 0 turns it off', async () => {
    for (const ts of [NOW_S - 300, NOW_S + 300]) {
      const sig = signSendgrid(keys.privateKeyPem, ts, SEED_BATCH);
      assert.equal((await verifier.verify({ headers: headers(sig, ts), body: SEED_BATCH })).principal, 'sendgrid-signature');
    }
    for (const ts of [NOW_S - 301, NOW_S + 301, 1]) {
      const sig = signSendgrid(keys.privateKeyPem, ts, SEED_BATCH);
      const err = await rejectsWith(verifier.verify({ headers: headers(sig, ts), body: SEED_BATCH }), 401, 'stale_timestamp');
      assert.match(err.message, ts > NOW_S ? /ahead/ : /old/);
    }
    const noWindow = createVerifier(sendgridSource(keys.publicKey, 0), deps);
    for (const ts of [1, NOW_S - 10 * 365 * 86400, NOW_S + 86400]) {
      const sig = signSendgrid(keys.privateKeyPem, ts, SEED_BATCH);
      assert.equal((await noWindow.verify({ headers: headers(sig, ts), body: SEED_BATCH })).principal, 'sendgrid-signature');
    }
  });

  test('missing or malformed headers say which', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    await rejectsWith(verifier.verify({ headers: {}, body: SEED_BATCH }), 401, 'missing_signature');
    await rejectsWith(verifier.verify({ headers: { 'x-twilio-email-event-webhook-signature': sig }, body: SEED_BATCH }), 401, 'missing_timestamp');
    await rejectsWith(verifier.verify({ headers: { 'x-twilio-email-event-webhook-timestamp': String(NOW_S) }, body: SEED_BATCH }), 401, 'missing_signature');
    for (const ts of [`${NOW_S}.0`, ` ${NOW_S}`, `${NOW_S}abc`, '-1', '0x6553f100']) {
      const signedOverIt = signSendgrid(keys.privateKeyPem, ts, SEED_BATCH);
      await rejectsWith(verifier.verify({ headers: headers(signedOverIt, ts), body: SEED_BATCH }), 401, 'bad_timestamp');
    }
    await rejectsWith(verifier.verify({ headers: { ...headers(sig, NOW_S), 'x-twilio-email-event-webhook-signature': [sig, sig] }, body: SEED_BATCH }), 401, 'ambiguous_header');
  });

  test('the key is taken as SendGrid shows it, line-wrapped, or as PEM; anything else fails at start', async () => {
    const sig = signSendgrid(keys.privateKeyPem, NOW_S, SEED_BATCH);
    const wrapped = keys.publicKey.replace(/(.{40})/g, '$1\n');
    const pem = `-----BEGIN PUBLIC KEY-----\n${wrapped}\n-----END PUBLIC KEY-----\n`;
    for (const k of [wrapped, pem]) {
      assert.equal((await createVerifier(sendgridSource(k), deps).verify({ headers: headers(sig, NOW_S), body: SEED_BATCH })).method, 'sendgrid-signature');
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const bad of ['not a key', keys.publicKey.slice(0, -8), rsa, p384]) {
      assert.throws(() => createVerifier(sendgridSource(bad), deps), (err) => isSealpostError(err, VERIFY_ERRORS.config) && /source "sg"/.test(err.message));
    }
  });
});
