import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSealpostError } from '../../../shared/errors/index.js';
import { confirmSubscription, VERIFY_ERRORS } from '../../../ingest-service/src/verify/index.js';

const URL_OK = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Ases&Token=2336412f37';

test('visits a genuine SubscribeURL once', async () => {
  const visited: string[] = [];
  await confirmSubscription(URL_OK, { get: async (u) => (visited.push(u), { status: 200, body: '<ConfirmSubscriptionResponse/>' }) });
  assert.deepEqual(visited, [URL_OK]);
});

test('never calls out to a host that is not Amazon SNS', async () => {
  for (const url of [
    'https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription',
    'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
    'https://x@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
    'https://sns.us-east-1.amazonaws.com:8443/?Action=ConfirmSubscription',
    'https://127.0.0.1/',
  ]) {
    let called = false;
    await assert.rejects(
      confirmSubscription(url, { get: async () => ((called = true), { status: 200, body: '' }) }),
      (err) => isSealpostError(err, VERIFY_ERRORS.confirmFailed) && err.details?.['reason'] === 'subscribe_url_not_allowed' && !err.retriable,
    );
    assert.equal(called, false, url);
  }
});

test('AWS unreachable or 5xx is retriable; a refused (expired) token is not', async () => {
  await assert.rejects(
    confirmSubscription(URL_OK, { get: async () => Promise.reject(new Error('ETIMEDOUT')) }),
    (err) => isSealpostError(err, VERIFY_ERRORS.confirmFailed) && err.retriable && err.details?.['reason'] === 'confirm_unreachable',
  );
  await assert.rejects(confirmSubscription(URL_OK, { get: async () => ({ status: 503, body: '' }) }), (err) => isSealpostError(err) && err.retriable);
  await assert.rejects(
    confirmSubscription(URL_OK, { get: async () => ({ status: 403, body: '' }) }),
    (err) => isSealpostError(err) && !err.retriable && err.details?.['httpStatus'] === 403,
  );
});
