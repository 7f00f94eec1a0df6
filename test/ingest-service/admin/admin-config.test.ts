import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminSchema } from '../../../ingest-service/src/admin/admin-config.js';

const withRole = (arn: string) => ({ serverId: 's1', aws: { roles: [{ arn, roles: ['reviewer'] }] } });
const messagesOf = (arn: string): string[] => {
  const r = adminSchema.safeParse(withRole(arn));
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('admin.aws.roles ARN patterns', () => {
  const wildcardAccounts = [
    'arn:aws:sts::*:assumed-role/Audit/*',
    'arn:aws:iam::*:user/bob',
    'arn:aws:sts::1234567890*:assumed-role/Audit/*',
    'arn:aws:sts::*1:assumed-role/Audit/*',
    'arn:aws-cn:sts::*:assumed-role/Audit/*',
  ];
  for (const arn of wildcardAccounts) {
    it(`refuses a wildcard account: ${arn}`, () => {
      const messages = messagesOf(arn);
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(messages[0]!, /account of an ARN pattern cannot be a wildcard.*list each trusted 12-digit account id/);
    });
  }
  const malformed = ['arn:aws:sts::12345:assumed-role/A/*', 'arn:aws:s3:::bucket', 'assumed-role/Audit/*', 'arn:aws:sts::123456789012:'];
  for (const arn of malformed) it(`refuses a malformed pattern: ${arn}`, () => assert.match(messagesOf(arn).join('\n'), /an ARN pattern looks like/));
  const good = ['arn:aws:sts::123456789012:assumed-role/Audit/*', 'arn:aws:iam::123456789012:user/bob', 'arn:aws-us-gov:sts::123456789012:assumed-role/A*/*'];
  for (const arn of good) it(`accepts ${arn}`, () => assert.deepEqual(messagesOf(arn), []));
});
