// SSO profiles read from the shared files the caller names (the console's own settings), not from AWS_CONFIG_FILE:
// fromIni alone does not forward its file paths to its SSO step (aws-sdk-js-v3), so with the environment pointing
// elsewhere an expired session would read as "no credentials" instead of "run aws sso login".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { createProfileOpener, type LockedSection, type ProfileOpener } from '../../../shared/decrypt/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { fieldsFor, sealEnvelopes } from './fixtures.js';

const SALES = '111111111111';
const LEGACY_URL = 'https://sealpost-legacy.awsapps.com/start';
const SESSION_URL = 'https://sealpost-session.awsapps.com/start';

describe('SSO profiles from explicitly given shared files (AWS_CONFIG_FILE points elsewhere)', () => {
  let moto: MotoServer;
  let home: string;
  let files: { configFile: string; credentialsFile: string };
  let envelopes: Envelope[];
  const openers: ProfileOpener[] = [];
  const saved = { HOME: process.env.HOME, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE };
  const opener = (profile: string) => {
    const o = createProfileOpener({ profile, ...files, region: MOTO_REGION, endpoint: moto.endpoint, stsEndpoint: moto.endpoint });
    openers.push(o);
    return o;
  };
  const sectionOf = async (profile: string) => (await opener(profile).open(envelopes))[0]!.sections.sales!;
  const locked = (r: unknown): LockedSection => {
    assert.equal((r as LockedSection).state, 'locked', `expected locked, got ${JSON.stringify(r)}`);
    return r as LockedSection;
  };

  before(async () => {
    moto = await startMoto();
    const salesKey = await createKeyIn(moto.endpoint, SALES);
    envelopes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: salesKey }] } } }, count: 1, endpoint: moto.endpoint });

    // The console's files live outside ~/.aws; the environment names files that hold no profile at all.
    home = mkdtempSync(join(tmpdir(), 'sealpost-sso-files-'));
    const dir = join(home, 'console-aws');
    mkdirSync(dir);
    files = { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials') };
    writeFileSync(files.credentialsFile, '[base]\naws_access_key_id = AKIABASEBASEBASE\naws_secret_access_key = base-secret\n', { mode: 0o600 });
    writeFileSync(
      files.configFile,
      [
        '[profile sales]', `role_arn = arn:aws:iam::${SALES}:role/sales-reader`, 'source_profile = base', `region = ${MOTO_REGION}`,
        '[profile sso-legacy]', `sso_start_url = ${LEGACY_URL}`, 'sso_region = eu-west-1', `sso_account_id = ${SALES}`, 'sso_role_name = Reader',
        '[profile sso-modern]', 'sso_session = corp', `sso_account_id = ${SALES}`, 'sso_role_name = Reader',
        '[sso-session corp]', `sso_start_url = ${SESSION_URL}`, 'sso_region = eu-west-1', 'sso_registration_scopes = sso:account:access',
        '',
      ].join('\n'),
    );
    process.env.HOME = home; // the SSO token cache is ~/.aws/sso/cache
    process.env.AWS_CONFIG_FILE = '/dev/null';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
    // The legacy profile's token expired an hour ago; the sso-session profile never logged in (no cache entry).
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, createHash('sha1').update(LEGACY_URL).digest('hex') + '.json'),
      JSON.stringify({ startUrl: LEGACY_URL, region: 'eu-west-1', accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3600_000).toISOString() }),
    );
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a legacy SSO profile whose token expired is sso_expired with its `aws sso login --profile` command', async () => {
    const r = locked(await sectionOf('sso-legacy'));
    assert.equal(r.code, 'sso_expired');
    assert.ok(r.message.includes('`aws sso login --profile sso-legacy`'), r.message);
  });

  test('an sso-session profile that never logged in is sso_expired with its command too', async () => {
    const r = locked(await sectionOf('sso-modern'));
    assert.equal(r.code, 'sso_expired');
    assert.ok(r.message.includes('`aws sso login --profile sso-modern`'), r.message);
  });

  test('a role profile from the same files still opens (only SSO profiles take the other path)', async () => {
    const r = await sectionOf('sales');
    assert.equal(r.state, 'open', JSON.stringify(r));
    assert.deepEqual(r.state === 'open' ? r.fields : undefined, fieldsFor('sales', 0));
  });

  test('a profile in neither file is no_credentials, not an SSO hint', async () => {
    const r = locked(await sectionOf('nobody'));
    assert.equal(r.code, 'no_credentials');
    assert.doesNotMatch(r.message, /sso login/);
  });
});
