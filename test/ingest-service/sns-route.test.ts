import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../shared/envelope/index.js';
import { pendingSubscriptionPath } from '../../ingest-service/src/verify/index.js';
import { ensureKafka, readAll, uniqueTopic } from '../support/kafka.js';
import { startTestService, type TestService } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';
import { createSnsSigner, type SnsBody, type SnsSigner } from '../support/sns-signer.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const SES_TOPIC = uniqueTopic('ses');
const bounce = readFileSync(new URL('../fixtures/ses/bounce.json', import.meta.url), 'utf8');

describe('SES through SNS, end to end', () => {
  let svc: TestService;
  let signer: SnsSigner;
  let brokers: string[];
  const post = (body: SnsBody): Promise<Response> =>
    fetch(`${svc.service.url}/v1/sns/ses`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': body.Type! }, body: JSON.stringify(body) });

  before(async () => {
    ({ brokers } = await ensureKafka());
    signer = createSnsSigner();
    svc = await startTestService({
      brokers,
      extraSources: [{ id: 'ses', kind: 'sns', topic: SES_TOPIC, verify: { topicArns: [TOPIC_ARN], certDir: signer.certDir, fetchCertificates: false, subscription: 'log' } }],
    });
  });
  after(async () => {
    await svc?.stop();
    signer?.cleanup();
  });

  it('turns a signed SES bounce notification into one sealed record', async () => {
    const res = await post(signer.notification({ topicArn: TOPIC_ARN, message: bounce, version: 2, messageId: 'sns-msg-1' }));
    assert.equal(res.status, 200);
    const [record] = await readAll(brokers, SES_TOPIC, 1, 30_000);
    assert.ok(record, `a record on ${SES_TOPIC}`);
    const raw = record.value!.toString();
    assert.ok(!raw.includes('recipient@example.com'), 'no address in clear');
    const env = JSON.parse(raw) as Envelope;
    assert.equal(env.id, 'sns-msg-1');
    assert.equal(env.type, 'Bounce');
    assert.equal((env.clear.bounce as Record<string, unknown>).bounceType, 'Permanent');
    assert.ok(env.recipient, 'blind index of the destination');
    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, [env]);
    const support = await openEnvelopeSection(departmentKeyring(svc.dataDir, 'support'), env, 'support', keys);
    assert.equal((support.plaintext.fields['bounce.bouncedRecipients'] as { emailAddress: string }[])[0]!.emailAddress, 'recipient@example.com');
  });

  it('refuses a topic outside the allowlist with 403, and a tampered message with 401', async () => {
    const other = await post(signer.notification({ topicArn: 'arn:aws:sns:us-east-1:123456789012:someone-else', message: bounce }));
    assert.equal(other.status, 403);
    const body = signer.notification({ topicArn: TOPIC_ARN, message: bounce });
    body.Message = body.Message!.replace('Permanent', 'Transient');
    assert.equal((await post(body)).status, 401);
  });

  it('keeps a subscription confirmation for a person (subscription: log) in an owner-only file, never in the log, and journals nothing', async () => {
    const token = `tok${'0123456789abcdef'.repeat(8)}`;
    const msg = signer.confirmation('SubscriptionConfirmation', { topicArn: TOPIC_ARN, token });
    const res = await post(msg);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, confirmed: false });
    const line = svc.logs.find((l) => l.includes('SNS subscription pending'));
    assert.ok(line, 'the pending subscription is logged');
    const file = pendingSubscriptionPath(svc.dataDir, 'ses');
    assert.equal((JSON.parse(line) as { file?: string }).file, file, 'the log names the file');
    assert.equal(readFileSync(file, 'utf8').trim(), msg['SubscribeURL']);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!svc.logs.join('').includes(token), 'the confirmation token never reaches the log');
  });
});
