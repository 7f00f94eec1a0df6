import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { describeKafkaError, isUnknownTopicError } from '../../../electron/core/errors.js';

/** Error shapes as kafkajs, Node and the AWS SDK really throw them (name/type/code/message, wrapped). */
const kafkajsRetries = (inner: object) => Object.assign(new Error((inner as Error).message), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: inner });
const table: [string, unknown, string, boolean][] = [
  ['connection refused', Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' }), 'SP_CONSOLE_BROKER_UNREACHABLE', true],
  ['refused after retries', kafkajsRetries(Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' })), 'SP_CONSOLE_BROKER_UNREACHABLE', true],
  ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND b-1.msk.example'), { code: 'ENOTFOUND' }), 'SP_CONSOLE_BROKER_UNREACHABLE', true],
  ['SASL failure', Object.assign(new Error('SASL SCRAM SHA256 authentication failed: Authentication failed'), { name: 'KafkaJSSASLAuthenticationError' }), 'SP_CONSOLE_SASL_FAILED', false],
  ['SASL protocol error', Object.assign(new Error('Authentication failed'), { name: 'KafkaJSProtocolError', type: 'SASL_AUTHENTICATION_FAILED' }), 'SP_CONSOLE_SASL_FAILED', false],
  ['SSO session expired (signer)', kafkajsRetries(Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login'), { name: 'TokenProviderError' })), 'SP_CONSOLE_SSO_EXPIRED', true],
  ['STS expired token', Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }), 'SP_CONSOLE_SSO_EXPIRED', true],
  ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'SP_CONSOLE_NO_CREDENTIALS', false],
  ['topic authorization', Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' }), 'SP_CONSOLE_NO_PERMISSION', false],
  ['group authorization', Object.assign(new Error('Not authorized to access group'), { name: 'KafkaJSProtocolError', type: 'GROUP_AUTHORIZATION_FAILED' }), 'SP_CONSOLE_NO_PERMISSION', false],
  ['unknown topic', Object.assign(new Error('This server does not host this topic-partition'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION' }), 'SP_CONSOLE_TOPIC_NOT_FOUND', false],
  ['TLS to a plain listener', Object.assign(new Error('write EPROTO 00000000:error:0A00010B:SSL routines::wrong version number'), { code: 'EPROTO' }), 'SP_CONSOLE_TLS_FAILED', false],
  ['self-signed certificate', Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'SP_CONSOLE_TLS_FAILED', false],
  ['request timeout', Object.assign(new Error('Request Metadata(key: 3, version: 6) timed out'), { name: 'KafkaJSRequestTimeoutError' }), 'SP_CONSOLE_TIMEOUT', true],
  ['something else', new Error('Broker: something odd'), 'SP_CONSOLE_KAFKA_ERROR', true],
  ['not even an Error', 'boom', 'SP_CONSOLE_KAFKA_ERROR', true],
];

for (const [why, err, code, retriable] of table) {
  test(`${why} -> ${code}`, () => {
    const e = describeKafkaError(err, { brokers: ['b-1:9098'], topic: 'events' });
    assert.equal(e.code, code);
    assert.equal(e.retriable, retriable);
    assert.ok(e.message.length > 30 && /\.$/.test(e.message), 'a whole sentence saying what to do');
    assert.equal(e.cause, err);
  });
}

test('the unreachable message names the brokers the user typed', () => {
  const e = describeKafkaError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { brokers: ['kafka-1:9092', 'kafka-2:9092'] });
  assert.match(e.message, /kafka-1:9092, kafka-2:9092/);
});

test('a refusal for a topic the broker does not know is told apart, behind kafkajs\'s retries too (the deleted-topic recovery acts on it)', () => {
  const refusal = (type: string, code: number) => new kafkajs.KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable: true }));
  const afterRetries = (e: Error) => new kafkajs.KafkaJSNumberOfRetriesExceeded(e, { retryCount: 1, retryTime: 150 });
  assert.equal(isUnknownTopicError(refusal('UNKNOWN_TOPIC_OR_PARTITION', 3)), true);
  assert.equal(isUnknownTopicError(afterRetries(refusal('UNKNOWN_TOPIC_OR_PARTITION', 3))), true);
  assert.equal(isUnknownTopicError(afterRetries(refusal('NOT_LEADER_FOR_PARTITION', 6))), false);
  assert.equal(isUnknownTopicError(refusal('TOPIC_AUTHORIZATION_FAILED', 29)), false);
  assert.equal(isUnknownTopicError(new Error('This server does not host this topic-partition')), false, 'a message alone is not the refusal');
});
