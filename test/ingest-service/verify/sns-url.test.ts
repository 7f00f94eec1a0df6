import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSigningCertUrl, checkSnsUrl } from '../../../ingest-service/src/verify/index.js';
import { snsTopicRegion } from '../../../ingest-service/src/verify/sns-url.js';

const GOOD_CERT = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

test('genuine SNS certificate URLs of every partition pass and give their file name', () => {
  for (const [url, file] of [
    [GOOD_CERT, 'SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem'],
    ['https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'SimpleNotificationService-0123456789abcdef.pem'],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-0123456789abcdef.pem', 'SimpleNotificationService-0123456789abcdef.pem'],
    ['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'SimpleNotificationService-0123456789abcdef.pem'],
    ['https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-0123456789abcdef.pem', 'SimpleNotificationService-0123456789abcdef.pem'],
    ['https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-0123456789abcdef.pem', 'SimpleNotificationService-0123456789abcdef.pem'],
  ] as const) {
    const r = checkSigningCertUrl(url, new URL(url).hostname.split('.')[1]);
    assert.ok(r.ok, url);
    assert.equal(r.fileName, file);
  }
});

test('hostile certificate URLs are refused, each for its reason', () => {
  const table: [string, string][] = [
    ['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'not_https'],
    ['https://sns.evil.com/SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-0123456789abcdef.pem', 'userinfo'],
    ['https://evil.com@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'userinfo'],
    ['https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'userinfo'],
    ['https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-0123456789abcdef.pem', 'port'],
    ['https://s3.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://sns.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://sns.us-east-1.amazonaws.com./SimpleNotificationService-0123456789abcdef.pem', 'host'],
    ['https://sns.us-east-1.amazonaws.com%2eevil.com/x.pem', 'host'],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem?x=1', 'path'],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem#frag', 'path'],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.crt', 'path'],
    ['https://sns.us-east-1.amazonaws.com/..%2f..%2fetc%2fpasswd.pem', 'path'],
    ['https://sns.us-east-1.amazonaws.com/', 'path'],
    ['file:///etc/ssl/cert.pem', 'not_https'],
    ['sns.us-east-1.amazonaws.com/x.pem', 'not_a_url'],
    ['', 'not_a_url'],
  ];
  for (const [url, problem] of table) {
    const r = checkSigningCertUrl(url, 'us-east-1');
    assert.equal(r.ok, false, url);
    assert.equal(r.ok ? undefined : r.problem, problem, url);
  }
});

test('a certificate URL must be of the TopicArn\'s region: another, a made-up one, or no region at all is refused', () => {
  const name = 'SimpleNotificationService-0123456789abcdef.pem';
  assert.ok(checkSigningCertUrl(`https://sns.eu-west-1.amazonaws.com/${name}`, snsTopicRegion('arn:aws:sns:eu-west-1:123456789012:ses')).ok);
  assert.ok(checkSigningCertUrl(`https://sns.cn-north-1.amazonaws.com.cn/${name}`, snsTopicRegion('arn:aws-cn:sns:cn-north-1:123456789012:ses')).ok);
  const table: [string, string | undefined][] = [
    [`https://sns.us-west-2.amazonaws.com/${name}`, snsTopicRegion('arn:aws:sns:us-east-1:123456789012:ses')],
    [`https://sns.zz-nowhere-9.amazonaws.com/${name}`, snsTopicRegion('arn:aws:sns:us-east-1:123456789012:ses')],
    [`https://sns.us-east-1.amazonaws.com/${name}`, snsTopicRegion('arn:aws:sqs:us-east-1:123456789012:ses')],
    [`https://sns.us-east-1.amazonaws.com/${name}`, snsTopicRegion('not an arn')],
  ];
  for (const [url, region] of table) {
    const r = checkSigningCertUrl(url, region);
    assert.equal(r.ok ? undefined : r.problem, 'region', `${url} for ${region}`);
  }
});

test('SubscribeURLs: the SNS host with a query passes, anything else does not', () => {
  assert.ok(checkSnsUrl('https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:t&Token=abc').ok);
  for (const url of [
    'http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription',
    'https://sns.us-west-2.amazonaws.com.evil.com/?Action=ConfirmSubscription',
    'https://attacker@sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription',
    'https://sns.us-west-2.amazonaws.com:444/?Action=ConfirmSubscription',
    'https://169.254.169.254/latest/meta-data/',
  ]) {
    assert.equal(checkSnsUrl(url).ok, false, url);
  }
});
