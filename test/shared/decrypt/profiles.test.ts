import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listProfiles, sharedFilePaths } from '../../../shared/decrypt/index.js';

test('listProfiles: names and kinds from both shared files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), never a secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-profiles-'));
  try {
    const configFile = join(dir, 'config');
    const credentialsFile = join(dir, 'creds');
    writeFileSync(
      configFile,
      [
        '# comment', '[default]', 'region = eu-west-1',
        '[profile sales]', 'role_arn = arn:aws:iam::111111111111:role/sales', 'source_profile = base', 'region = eu-central-1',
        '[profile sso-dev]', 'sso_session = corp', 'sso_account_id = 222222222222', 'sso_role_name = Reader',
        '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = eu-west-1',
        '[profile tool]', 'credential_process = /usr/bin/true', 's3 =', '  max_concurrent_requests = 10',
        '[services local]', 'kms =', '  endpoint_url = http://localhost:1',
        '',
      ].join('\n'),
    );
    writeFileSync(credentialsFile, ['[base]', 'aws_access_key_id = AKIASECRETLOOKING', 'aws_secret_access_key = very-secret-value', '[default]', 'aws_access_key_id = AKIA2', 'aws_secret_access_key = s2', ''].join('\n'));
    process.env.AWS_CONFIG_FILE = configFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    assert.deepEqual(sharedFilePaths(), { configFile, credentialsFile });
    const profiles = await listProfiles();
    assert.deepEqual(profiles, [
      { name: 'default', kind: 'static', region: 'eu-west-1', sources: ['config', 'credentials'] },
      { name: 'base', kind: 'static', sources: ['credentials'] },
      { name: 'sales', kind: 'assume-role', region: 'eu-central-1', role: 'arn:aws:iam::111111111111:role/sales', sources: ['config'] },
      { name: 'sso-dev', kind: 'sso', role: '222222222222/Reader', ssoStartUrl: 'https://corp.awsapps.com/start', sources: ['config'] },
      { name: 'tool', kind: 'process', sources: ['config'] },
    ]);
    const text = JSON.stringify(profiles);
    assert.ok(!text.includes('very-secret-value') && !text.includes('AKIASECRETLOOKING'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listProfiles: missing files mean no profiles, not an error', async () => {
  assert.deepEqual(await listProfiles({ configFile: '/nonexistent/config', credentialsFile: '/nonexistent/credentials' }), []);
});
