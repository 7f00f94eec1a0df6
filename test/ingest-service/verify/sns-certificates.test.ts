import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createVerifier } from '../../../ingest-service/src/verify/index.js';
import { CERTIFICATE_STORE_LIMITS, createCertificateStore } from '../../../ingest-service/src/verify/sns-certificates.js';
import { checkSigningCertUrl } from '../../../ingest-service/src/verify/sns-url.js';
import { createSnsSigner, type SnsBody } from '../../support/sns-signer.js';
import { recordingLog, rejectsWith, source } from './support.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const signer = createSnsSigner();
after(() => signer.cleanup());
const asBody = (msg: SnsBody) => Buffer.from(JSON.stringify(msg));
const headers = { 'x-amz-sns-message-type': 'Notification' };
const certUrl = (name = `SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`, host = 'sns.us-east-1.amazonaws.com') => {
  const checked = checkSigningCertUrl(`https://${host}/${name}`, new URL(`https://${host}`).hostname.split('.')[1]);
  assert.ok(checked.ok, name);
  return checked;
};

/** A store that fetches with `fetchCertificate`, on the clock `now` (real time by default). */
const storeWith = (fetchCertificate: (url: string) => Promise<string>, now: () => number = Date.now) =>
  createCertificateStore({ sourceId: 'ses', fetchCertificates: true, now, log: recordingLog(), fetchCertificate });

describe('SNS signing certificates: what an unauthenticated sender can make the service fetch and keep', () => {
  test('paths other than /SimpleNotificationService-<hex>.pem are refused before any fetch', async () => {
    let fetched = 0;
    const now = Date.now();
    const verifier = createVerifier(source({ id: 'ses', kind: 'sns', verify: { topicArns: [TOPIC], fetchCertificates: true } }), {
      now: () => now,
      log: recordingLog(),
      fetchCertificate: async () => {
        fetched++;
        return signer.certPem;
      },
    });
    const hex = randomBytes(16).toString('hex');
    const paths = [
      ...Array.from({ length: 200 }, (_, i) => `/x${i}.pem`),
      `/a/SimpleNotificationService-${hex}.pem`,
      `/SimpleNotificationService-${hex}.pem.pem`,
      `/SimpleNotificationService-${hex.toUpperCase()}.pem`,
      `/SimpleNotificationService-${hex}x.pem`,
      `/SimpleNotificationService-.pem`,
      `/SimpleNotificationService-${'a'.repeat(65)}.pem`,
      `//SimpleNotificationService-${hex}.pem`,
      `/%53impleNotificationService-${hex}.pem`,
      `/SimpleNotificationService-${hex}%2epem`,
    ];
    for (const path of paths) {
      const msg = signer.notification({ topicArn: TOPIC, message: '{}', certUrl: `https://sns.us-east-1.amazonaws.com${path}` });
      await rejectsWith(verifier.verify({ headers, body: asBody(msg) }), 403, 'cert_url_not_allowed');
    }
    assert.equal(fetched, 0);
  });

  test('8 requests for one failing certificate make one fetch; it is tried again once failureTtlMs has passed', async () => {
    let now = Date.now();
    let fetches = 0;
    const store = storeWith(async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('HTTP 404');
    }, () => now);
    const { url, fileName } = certUrl();
    await Promise.all([0, 1, 2, 3].map(() => rejectsWith(store.publicKeyFor(url, fileName), 503, 'cert_unavailable')));
    for (let i = 0; i < 4; i++) await rejectsWith(store.publicKeyFor(url, fileName), 503, 'cert_unavailable');
    assert.equal(fetches, 1);
    now += CERTIFICATE_STORE_LIMITS.failureTtlMs + 1;
    await rejectsWith(store.publicKeyFor(url, fileName), 503, 'cert_unavailable');
    assert.equal(fetches, 2, 'SNS retries do get a fresh attempt once the failure is forgotten');
  });

  test('certificates and failures stay bounded whatever names are sent', async () => {
    const good = storeWith(async () => signer.certPem);
    const bad = storeWith(async () => {
      throw new Error('HTTP 404');
    });
    for (let i = 0; i < 1000; i++) {
      const { url, fileName } = certUrl();
      await good.publicKeyFor(url, fileName);
      await rejectsWith(bad.publicKeyFor(url, fileName), 503, 'cert_unavailable');
    }
    assert.deepEqual(good.size(), { certificates: CERTIFICATE_STORE_LIMITS.maxCertificates, failures: 0 });
    assert.deepEqual(bad.size(), { certificates: 0, failures: CERTIFICATE_STORE_LIMITS.maxFailures });
  });

  test('at most maxConcurrentFetches fetches in flight; the rest are 503 at once and not remembered as failures', async () => {
    const waiting: (() => void)[] = [];
    let fetches = 0;
    const store = storeWith(async () => {
      fetches++;
      await new Promise<void>((r) => waiting.push(r));
      return signer.certPem;
    });
    const urls = Array.from({ length: 10 }, () => certUrl());
    const results = urls.map((u) => store.publicKeyFor(u.url, u.fileName).then(() => 'ok', (e: { details?: { reason?: string } }) => e.details?.reason));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fetches, CERTIFICATE_STORE_LIMITS.maxConcurrentFetches);
    for (const release of waiting) release();
    const outcomes = await Promise.all(results);
    assert.equal(outcomes.filter((o) => o === 'ok').length, CERTIFICATE_STORE_LIMITS.maxConcurrentFetches);
    assert.equal(outcomes.filter((o) => o === 'cert_unavailable').length, 10 - CERTIFICATE_STORE_LIMITS.maxConcurrentFetches);
    const refused = urls[outcomes.indexOf('cert_unavailable')]!;
    const retry = store.publicKeyFor(refused.url, refused.fileName);
    await new Promise((r) => setTimeout(r, 5));
    waiting.at(-1)!();
    await retry;
    assert.equal(fetches, CERTIFICATE_STORE_LIMITS.maxConcurrentFetches + 1);
  });

  test('keyed by host and file name: the same file name on two SNS regions is two certificates', async () => {
    const fetched: string[] = [];
    const store = storeWith(async (u) => (fetched.push(u), signer.certPem));
    const name = `SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
    for (const host of ['sns.us-east-1.amazonaws.com', 'SNS.US-EAST-1.AMAZONAWS.COM', 'sns.eu-west-1.amazonaws.com', 'sns.us-east-1.amazonaws.com:443']) {
      const { url, fileName } = certUrl(name, host);
      await store.publicKeyFor(url, fileName);
    }
    assert.deepEqual(fetched, [`https://sns.us-east-1.amazonaws.com/${name}`, `https://sns.eu-west-1.amazonaws.com/${name}`]);
  });
});
