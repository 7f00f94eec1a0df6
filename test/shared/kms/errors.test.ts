import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisabledException, KMSInternalException, NotFoundException } from '@aws-sdk/client-kms';
import { KMS_ERRORS, kmsFailureKind, kmsSealError, type KmsFailureKind } from '../../../shared/kms/index.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });
const named = (name: string, message = name, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

const cases: Array<[string, unknown, KmsFailureKind]> = [
  ['modelled NotFoundException', new NotFoundException({ message: 'Key not found', $metadata: meta(400) }), 'key_not_found'],
  ['modelled DisabledException', new DisabledException({ message: 'disabled', $metadata: meta(400) }), 'key_disabled'],
  ['modelled KMSInternalException', new KMSInternalException({ message: 'oops', $metadata: meta(500) }), 'unreachable'],
  ['AccessDeniedException (not modelled by the KMS client)', named('AccessDeniedException', 'User: x is not authorized', { $metadata: meta(400) }), 'access_denied'],
  ['throttling answered as 400', named('ThrottlingException', 'Rate exceeded', { $metadata: meta(400) }), 'unreachable'],
  ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unreachable'],
  ['request timeout', named('TimeoutError', 'Connection timed out after 2000 ms'), 'unreachable'],
  ['unparseable 403 (front door / moto IAM)', named('SyntaxError', 'Unexpected token <', { $metadata: meta(403) }), 'access_denied'],
  ['unparseable 400', named('SyntaxError', 'Unexpected token <', { $metadata: meta(400) }), 'rejected'],
  ['expired STS token', named('ExpiredTokenException', 'The security token included in the request is expired', { $metadata: meta(400) }), 'credentials_rejected'],
  ['unknown access key', named('UnrecognizedClientException', 'The security token included in the request is invalid', { $metadata: meta(400) }), 'credentials_rejected'],
  ['profile without credentials', named('CredentialsProviderError', 'Could not resolve credentials using profile: [empty] in configuration/credentials file(s).'), 'no_credentials'],
  ['legacy SSO token expired', named('CredentialsProviderError', 'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), 'sso_expired'],
  ['sso-session token expired', named('CredentialsProviderError', "Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile."), 'sso_expired'],
  ['SSO profile misconfigured is not "expired"', named('CredentialsProviderError', 'Profile is configured with invalid SSO credentials. Required parameters "sso_account_id", "sso_region"...'), 'no_credentials'],
  ['nothing at all', undefined, 'unreachable'],
];

for (const [title, err, kind] of cases) {
  test(`kmsFailureKind: ${title} -> ${kind}`, () => assert.equal(kmsFailureKind(err), kind));
}

test('kmsSealError: every sealing failure is retriable, with a code per fix and the cause chained', () => {
  const expected: Array<[unknown, string]> = [
    [named('AccessDeniedException', 'denied', { $metadata: meta(400) }), KMS_ERRORS.accessDenied],
    [new NotFoundException({ message: 'nf', $metadata: meta(400) }), KMS_ERRORS.keyUnusable],
    [named('CredentialsProviderError', 'Could not load credentials from any providers'), KMS_ERRORS.noCredentials],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), KMS_ERRORS.unavailable],
  ];
  for (const [cause, code] of expected) {
    const err = kmsSealError(cause, 'GenerateDataKey', 'arn:aws:kms:eu-west-1:111111111111:key/k');
    assert.equal(err.code, code);
    assert.equal(err.retriable, true);
    assert.equal(err.cause, cause);
    assert.match(err.message, /journal/);
  }
});
