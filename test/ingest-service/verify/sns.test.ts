import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createVerifier } from '../../../ingest-service/src/verify/index.js';
import { CERTIFICATE_STORE_LIMITS } from '../../../ingest-service/src/verify/sns-certificates.js';
import { createSnsSigner, writeCertDir, type SnsBody } from '../../support/sns-signer.js';
import { recordingLog, rejectsWith, source } from './support.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const OTHER_TOPIC = 'arn:aws:sns:us-east-1:123456789012:someone-elses-topic';
const bounce = JSON.parse(readFileSync('/work/shared/fixtures/ses-sns-bounce.json', 'utf8')).event as Record<string, unknown>;
const MESSAGE = JSON.stringify(bounce);

const signer = createSnsSigner();
after(() => signer.cleanup());

const now = Date.now();
const asBody = (msg: SnsBody) => Buffer.from(JSON.stringify(msg));
const snsHeaders = (type = 'Notification') => ({ 'x-amz-sns-message-type': type, 'content-type': 'text/plain; charset=UTF-8' });

function snsSource(verify: Record<string, unknown> = {}) {
  return source({ id: 'ses', kind: 'sns', verify: { topicArns: [TOPIC], certDir: signer.certDir, fetchCertificates: false, ...verify } });
}

function noFetch(): (url: string) => Promise<string> {
  return () => Promise.reject(new Error('the network must not be used in this test'));
}

describe('SNS notifications', () => {
  const log = recordingLog();
  const verifier = createVerifier(snsSource(), { now: () => now, log, fetchCertificate: noFetch() });

  test('signature versions 1 (SHA1withRSA) and 2 (SHA256withRSA) verify with the certificate from certDir', async () => {
    for (const version of [1, 2] as const) {
      const msg = signer.notification({ topicArn: TOPIC, message: MESSAGE, version });
      assert.deepEqual(await verifier.verify({ headers: snsHeaders(), body: asBody(msg) }), { principal: TOPIC, method: 'sns-signature', snsType: 'Notification' });
    }
  });

  test('a Subject, when present, is part of what is signed', async () => {
    const withSubject = signer.notification({ topicArn: TOPIC, message: MESSAGE, subject: 'Amazon SES Email Event Notification', version: 2 });
    assert.equal((await verifier.verify({ headers: snsHeaders(), body: asBody(withSubject) })).snsType, 'Notification');
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody({ ...withSubject, Subject: 'changed' }) }), 401, 'bad_signature');
    const without = signer.notification({ topicArn: TOPIC, message: MESSAGE });
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody({ ...without, Subject: 'added' }) }), 401, 'bad_signature');
  });

  test('any change to a signed field breaks the signature', async () => {
    const msg = signer.notification({ topicArn: TOPIC, message: MESSAGE, version: 2 });
    const edits: Partial<SnsBody>[] = [
      { Message: MESSAGE.replace('Permanent', 'Transient') },
      { MessageId: 'another-id' },
      { Timestamp: new Date(now - 1000).toISOString() },
      { SignatureVersion: '1' },
    ];
    for (const edit of edits) await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody({ ...msg, ...edit } as SnsBody) }), 401, 'bad_signature');
    // Unsigned fields (UnsubscribeURL) may differ without effect, like SNS's own validator.
    assert.equal((await verifier.verify({ headers: snsHeaders(), body: asBody({ ...msg, UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?x' }) })).snsType, 'Notification');
  });

  test('a certificate in certDir that did not sign the message does not verify it', async () => {
    const impostor = createSnsSigner();
    try {
      const msg = impostor.notification({ topicArn: TOPIC, message: MESSAGE, certUrl: signer.certUrl });
      await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(msg) }), 401, 'bad_signature');
    } finally {
      impostor.cleanup();
    }
  });

  test('a well-signed message from a topic not in the allowlist is 403', async () => {
    const msg = signer.notification({ topicArn: OTHER_TOPIC, message: MESSAGE });
    const err = await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(msg) }), 403, 'topic_not_allowed');
    assert.match(err.message, /topicArns/);
  });

  test('certificate URLs off the SNS host are 403 and never fetched', async () => {
    let fetched = 0;
    const fetching = createVerifier(snsSource({ certDir: undefined, fetchCertificates: true }), {
      now: () => now,
      log,
      fetchCertificate: async () => {
        fetched++;
        return signer.certPem;
      },
    });
    const name = signer.certFileName;
    for (const certUrl of [
      `http://sns.us-east-1.amazonaws.com/${name}`,
      `https://example.com/${name}`,
      `https://sns.evil.com/${name}`,
      `https://sns.us-east-1.amazonaws.com.evil.com/${name}`,
      `https://evil.com@sns.us-east-1.amazonaws.com/${name}`,
      `https://sns.us-east-1.amazonaws.com@evil.com/${name}`,
      `https://sns.us-east-1.amazonaws.com:8443/${name}`,
    ]) {
      const msg = signer.notification({ topicArn: TOPIC, message: MESSAGE, certUrl });
      await rejectsWith(fetching.verify({ headers: snsHeaders(), body: asBody(msg) }), 403, 'cert_url_not_allowed');
    }
    assert.equal(fetched, 0);
  });

  test('no certificate is fetched for an unlisted topic, a stale message, or a certificate of another region than the topic\'s', async () => {
    const fetchedUrls: string[] = [];
    const fetching = createVerifier(snsSource({ certDir: undefined, fetchCertificates: true }), {
      now: () => now,
      log,
      fetchCertificate: async (url) => {
        fetchedUrls.push(url);
        return signer.certPem;
      },
    });
    const newCert = (region = 'us-east-1') => `https://sns.${region}.amazonaws.com/SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;
    const unlisted = signer.notification({ topicArn: OTHER_TOPIC, message: MESSAGE, certUrl: newCert() });
    await rejectsWith(fetching.verify({ headers: snsHeaders(), body: asBody(unlisted) }), 403, 'topic_not_allowed');
    const stale = signer.notification({ topicArn: TOPIC, message: MESSAGE, certUrl: newCert(), timestamp: new Date(now - 3601_000) });
    await rejectsWith(fetching.verify({ headers: snsHeaders(), body: asBody(stale) }), 401, 'stale_timestamp');
    for (const region of ['us-west-2', 'zz-nowhere-9']) {
      const elsewhere = signer.notification({ topicArn: TOPIC, message: MESSAGE, certUrl: newCert(region) });
      const err = await rejectsWith(fetching.verify({ headers: snsHeaders(), body: asBody(elsewhere) }), 403, 'cert_url_not_allowed');
      assert.match(err.message, /\(region\)/);
    }
    assert.deepEqual(fetchedUrls, [], 'not one fetch');
    const genuine = signer.notification({ topicArn: TOPIC, message: MESSAGE });
    assert.equal((await fetching.verify({ headers: snsHeaders(), body: asBody(genuine) })).snsType, 'Notification');
    assert.deepEqual(fetchedUrls, [signer.certUrl], 'a listed, fresh message of the topic\'s region does fetch');
  });

  test('stale and future Timestamps are refused; maxAgeSeconds 0 turns the check off', async () => {
    const old = signer.notification({ topicArn: TOPIC, message: MESSAGE, timestamp: new Date(now - 3601_000) });
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(old) }), 401, 'stale_timestamp');
    const ahead = signer.notification({ topicArn: TOPIC, message: MESSAGE, timestamp: new Date(now + 3601_000) });
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(ahead) }), 401, 'stale_timestamp');
    const lenient = createVerifier(snsSource({ maxAgeSeconds: 0 }), { now: () => now, log, fetchCertificate: noFetch() });
    assert.equal((await lenient.verify({ headers: snsHeaders(), body: asBody(old) })).snsType, 'Notification');
  });

  test('malformed SNS messages are 401 with a reason', async () => {
    const msg = signer.notification({ topicArn: TOPIC, message: MESSAGE });
    const cases: [Buffer, string][] = [
      [Buffer.from('not json'), 'malformed_sns_message'],
      [Buffer.from('[]'), 'malformed_sns_message'],
      [Buffer.from(MESSAGE), 'malformed_sns_message'], // raw message delivery: no signature to check
      [asBody({ ...msg, Signature: '' }), 'malformed_sns_message'],
      [asBody(Object.fromEntries(Object.entries(msg).filter(([k]) => k !== 'SigningCertURL'))), 'malformed_sns_message'],
      [asBody({ ...msg, Type: 'Surprise' }), 'malformed_sns_message'],
      [asBody({ ...msg, Timestamp: 'yesterday' }), 'malformed_sns_message'],
      [asBody({ ...msg, SignatureVersion: '3' }), 'unsupported_signature_version'],
      [asBody({ ...msg, Signature: `${msg['Signature']}\n` }), 'bad_signature'],
    ];
    for (const [body, reason] of cases) await rejectsWith(verifier.verify({ headers: snsHeaders(), body }), 401, reason);
    await rejectsWith(verifier.verify({ headers: snsHeaders('SubscriptionConfirmation'), body: asBody(msg) }), 401, 'malformed_sns_message');
  });

  test('nothing from the message reaches the log', () => {
    const logged = JSON.stringify(log.lines);
    assert.ok(!logged.includes('recipient@example.com'));
    assert.ok(!logged.includes('5.1.1'));
  });
});

describe('SNS signing certificates: certDir, fetch, cache, validity', () => {
  test('fetched once, concurrently shared, then served from memory', async () => {
    const urls: string[] = [];
    const verifier = createVerifier(snsSource({ certDir: undefined, fetchCertificates: true }), {
      now: () => now,
      log: recordingLog(),
      fetchCertificate: async (url) => {
        urls.push(url);
        await new Promise((r) => setTimeout(r, 20));
        return signer.certPem;
      },
    });
    const msgs = Array.from({ length: 5 }, (_, i) => signer.notification({ topicArn: TOPIC, message: MESSAGE, version: i % 2 ? 1 : 2 }));
    await Promise.all(msgs.map((m) => verifier.verify({ headers: snsHeaders(), body: asBody(m) })));
    await verifier.verify({ headers: snsHeaders(), body: asBody(signer.notification({ topicArn: TOPIC, message: MESSAGE })) });
    assert.deepEqual(urls, [signer.certUrl]);
  });

  test('certDir is consulted before the network', async () => {
    let fetched = 0;
    const verifier = createVerifier(snsSource({ fetchCertificates: true }), {
      now: () => now,
      log: recordingLog(),
      fetchCertificate: async () => {
        fetched++;
        throw new Error('unreachable');
      },
    });
    assert.equal((await verifier.verify({ headers: snsHeaders(), body: asBody(signer.notification({ topicArn: TOPIC, message: MESSAGE })) })).principal, TOPIC);
    assert.equal(fetched, 0);
  });

  test('a failed fetch is a retriable 503, remembered briefly, then retried', async () => {
    let attempts = 0;
    let clock = now;
    const verifier = createVerifier(snsSource({ certDir: undefined, fetchCertificates: true, maxAgeSeconds: 0 }), {
      now: () => clock,
      log: recordingLog(),
      fetchCertificate: async () => {
        attempts++;
        if (attempts === 1) throw new Error('ECONNRESET');
        return signer.certPem;
      },
    });
    const body = asBody(signer.notification({ topicArn: TOPIC, message: MESSAGE }));
    const err = await rejectsWith(verifier.verify({ headers: snsHeaders(), body }), 503, 'cert_unavailable');
    assert.equal((err as { retriable?: boolean }).retriable, true);
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body }), 503, 'cert_unavailable');
    assert.equal(attempts, 1, 'the failure is answered from memory');
    clock += CERTIFICATE_STORE_LIMITS.failureTtlMs + 1;
    assert.equal((await verifier.verify({ headers: snsHeaders(), body })).principal, TOPIC);
    assert.equal(attempts, 2);
  });

  test('not in certDir and fetching off: 503 cert_unavailable naming the file to provide', async () => {
    const emptyDir = writeCertDir('unrelated.pem', signer.certPem);
    const verifier = createVerifier(snsSource({ certDir: emptyDir }), { now: () => now, log: recordingLog(), fetchCertificate: noFetch() });
    const err = await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(signer.notification({ topicArn: TOPIC, message: MESSAGE })) }), 503, 'cert_unavailable');
    assert.ok(err.message.includes(signer.certFileName));
  });

  test('a certificate outside its validity period is refused', async () => {
    const later = now + 3 * 86_400_000; // the test certificate is valid 2 days
    const verifier = createVerifier(snsSource({ maxAgeSeconds: 0 }), { now: () => later, log: recordingLog(), fetchCertificate: noFetch() });
    const msg = signer.notification({ topicArn: TOPIC, message: MESSAGE });
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(msg) }), 401, 'bad_certificate');
  });

  test('something that is not a certificate is refused', async () => {
    const dir = writeCertDir(signer.certFileName, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    const verifier = createVerifier(snsSource({ certDir: dir }), { now: () => now, log: recordingLog(), fetchCertificate: noFetch() });
    await rejectsWith(verifier.verify({ headers: snsHeaders(), body: asBody(signer.notification({ topicArn: TOPIC, message: MESSAGE })) }), 401, 'bad_certificate');
  });
});

describe('SNS subscription and unsubscribe confirmations', () => {
  const verifier = createVerifier(snsSource(), { now: () => now, log: recordingLog(), fetchCertificate: noFetch() });

  test('v1 and v2 confirmations verify and hand back the SubscribeURL', async () => {
    for (const version of [1, 2] as const) {
      for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const) {
        const msg = signer.confirmation(type, { topicArn: TOPIC, version });
        const v = await verifier.verify({ headers: snsHeaders(type), body: asBody(msg) });
        assert.deepEqual(v, { principal: TOPIC, method: 'sns-signature', snsType: type, subscribeUrl: msg['SubscribeURL'] });
      }
    }
  });

  test('Token and SubscribeURL are signed fields', async () => {
    const msg = signer.confirmation('SubscriptionConfirmation', { topicArn: TOPIC });
    await rejectsWith(verifier.verify({ headers: {}, body: asBody({ ...msg, Token: 'f'.repeat(128) }) }), 401, 'bad_signature');
    const swapped = msg['SubscribeURL']!.replace('sns.us-east-1', 'sns.us-west-2');
    await rejectsWith(verifier.verify({ headers: {}, body: asBody({ ...msg, SubscribeURL: swapped }) }), 401, 'bad_signature');
    const { Token: _t, ...noToken } = msg;
    await rejectsWith(verifier.verify({ headers: {}, body: asBody(noToken as SnsBody) }), 401, 'malformed_sns_message');
  });

  test('a signed confirmation whose SubscribeURL leaves SNS is refused (403)', async () => {
    const msg = signer.confirmation('SubscriptionConfirmation', { topicArn: TOPIC, subscribeUrl: 'https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription' });
    await rejectsWith(verifier.verify({ headers: {}, body: asBody(msg) }), 403, 'subscribe_url_not_allowed');
  });

  test('a confirmation for a topic not allowed is 403', async () => {
    const msg = signer.confirmation('SubscriptionConfirmation', { topicArn: OTHER_TOPIC });
    await rejectsWith(verifier.verify({ headers: {}, body: asBody(msg) }), 403, 'topic_not_allowed');
  });
});

describe('a genuine AWS-signed SNS message (AWS SDK for Java v2 test vector)', () => {
  const dir = new URL('../../fixtures/sns/aws-sdk-java-v2/', import.meta.url).pathname;
  const real = readFileSync(`${dir}sample-message.json`);
  const topic = 'arn:aws:sns:us-east-1:810605503585:just_testing';
  const at = Date.parse('2015-09-20T01:22:30Z'); // 16 s after it was published, while the certificate was valid
  const aws = createVerifier(source({ id: 'ses', kind: 'sns', verify: { topicArns: [topic, `${topic}2`], certDir: dir, fetchCertificates: false } }), { // the second: so an edited TopicArn reaches the signature check
    now: () => at,
    log: recordingLog(),
    fetchCertificate: noFetch(),
  });

  test('verifies exactly as AWS signed it', async () => {
    assert.deepEqual(await aws.verify({ headers: { 'x-amz-sns-message-type': 'Notification' }, body: real }), { principal: topic, method: 'sns-signature', snsType: 'Notification' });
  });

  test('and not once a signed field is changed', async () => {
    const msg = JSON.parse(real.toString()) as SnsBody;
    for (const edit of [{ Subject: 'this is RAW' }, { Message: 'boo!' }, { TopicArn: `${topic}2` }] as SnsBody[]) {
      await rejectsWith(aws.verify({ headers: {}, body: asBody({ ...msg, ...edit }) }), 401, 'bad_signature');
    }
  });
});
