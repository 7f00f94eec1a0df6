import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { eventsSignedHeaders, generateSendgridKeyPair, sendgridSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { createVerifier } from '../../../ingest-service/src/verify/index.js';
import { recordingLog, rejectsWith, source } from './support.js';

const NOW_S = 1_700_000_000;
const deps = { now: () => NOW_S * 1000, log: recordingLog() };
const body = Buffer.from('[{"event":"delivered","email":"someone@example.com"}]');
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const issuerPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const oauth = { issuer: 'https://auth.example.test/', audience: 'sealpost', publicKey: issuerPem, algorithms: ['ES256'] };
const tokenFor = (aud = 'sealpost') =>
  new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer(oauth.issuer).setAudience(aud).setSubject('sendgrid').setExpirationTime(NOW_S + 60).sign(ec.privateKey);

describe('a source that accepts both a signature and a bearer token', () => {
  const keys = generateSendgridKeyPair();
  const verifier = createVerifier(source({ id: 'sg', kind: 'sendgrid', verify: { publicKey: keys.publicKey, oauth } }), deps);
  const signed = sendgridSignedHeaders(keys.privateKeyPem, body, NOW_S);

  test('either one alone passes', async () => {
    assert.equal((await verifier.verify({ headers: signed, body })).method, 'sendgrid-signature');
    assert.deepEqual(await verifier.verify({ headers: { authorization: `Bearer ${await tokenFor()}` }, body }), { principal: 'bearer:sendgrid', method: 'bearer' });
  });

  test('both sent: both are checked, and a bad one is never ignored', async () => {
    assert.equal((await verifier.verify({ headers: { ...signed, authorization: `Bearer ${await tokenFor()}` }, body })).method, 'bearer');
    await rejectsWith(verifier.verify({ headers: { ...signed, authorization: `Bearer ${await tokenFor('other')}` }, body }), 401, 'wrong_audience');
    const forged = sendgridSignedHeaders(generateSendgridKeyPair().privateKeyPem, body, NOW_S);
    await rejectsWith(verifier.verify({ headers: { ...forged, authorization: `Bearer ${await tokenFor()}` }, body }), 401, 'bad_signature');
  });

  test('neither sent: 401 missing_credentials', async () => {
    await rejectsWith(verifier.verify({ headers: { 'content-type': 'application/json' }, body }), 401, 'missing_credentials');
  });
});

describe('a source with one method ignores the other kind of credential', () => {
  test('signature-only source: an Authorization header does not replace the signature', async () => {
    const keys = generateSendgridKeyPair();
    const verifier = createVerifier(source({ id: 'sg', kind: 'sendgrid', verify: { publicKey: keys.publicKey } }), deps);
    await rejectsWith(verifier.verify({ headers: { authorization: `Bearer ${await tokenFor()}` }, body }), 401, 'missing_signature');
    const ok = await verifier.verify({ headers: { ...sendgridSignedHeaders(keys.privateKeyPem, body, NOW_S), authorization: 'Basic Zm9vOmJhcg==' }, body });
    assert.equal(ok.method, 'sendgrid-signature');
  });

  test('bearer-only audit source: an HMAC signature does not replace the token', async () => {
    const verifier = createVerifier(source({ id: 'audit', kind: 'events', verify: { bearer: oauth } }), deps);
    await rejectsWith(verifier.verify({ headers: eventsSignedHeaders('s', body, NOW_S), body }), 401, 'missing_token');
    assert.equal((await verifier.verify({ headers: { authorization: `Bearer ${await tokenFor()}` }, body })).principal, 'bearer:sendgrid');
  });
});
