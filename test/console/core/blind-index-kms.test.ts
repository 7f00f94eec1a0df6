// Recipient search when the ingest service's blind-index key is wrapped by KMS: the console unwraps it with the
// AWS profile the operator views as (moto KMS, keys per account), over a real topic sealed the way the service
// seals it. Only a profile that may use the wrapping key searches; others get an error they can act on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDefaultCryptographicMaterialsManager } from '@aws-crypto/material-management-node';
import { InvalidCiphertextException, NotFoundException } from '@aws-sdk/client-kms';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { MOTO_REGION, startMoto, venvPython, type MotoServer } from '../../support/moto.js';
import { createKeyIn, serviceKmsClients } from '../../shared/kms/moto-kms.js';
import { createEnvelopeBuilder } from '../../../ingest-service/src/expand/index.js';
import { createBlindIndexer, type BlindIndexer } from '../../../shared/blind-index/index.js';
import { WRAPPED_INDEX_KEY_FILE, loadOrCreateKmsWrappedIndexKey } from '../../../shared/blind-index/kms-wrapped-key.js';
import { dispatch, type ArgsIn, type Channel, type ConsoleHandlers, type ResultOf } from '../../../shared/console-api/index.js';
import { SealpostError, isSealpostError } from '../../../shared/errors/index.js';
import { KMS_ERRORS, kmsSealError } from '../../../shared/kms/index.js';
import { DEFAULT_POLICY, policySchema } from '../../../shared/policy/index.js';
import { createSectionSealer, localKeyringsFromPolicy } from '../../../shared/seal/index.js';
import { createConsoleService } from '../../../electron/core/console-service.js';
import { CONSOLE_ERRORS } from '../../../electron/core/errors.js';
import { createBlindIndexResolver } from '../../../electron/core/identity/blind-index-key.js';
import { blindIndexUnwrapError } from '../../../electron/core/identity/blind-index-errors.js';
import { createProfileIdentities } from '../../../electron/core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../electron/core/settings/settings-store.js';
import { produceRecords, sendgridEvent } from '../support/seed.js';

const OWNER = '777777777777'; // the account of the key that wraps the blind-index key
const OTHER = '888888888888';
const SSO_URL = 'https://sealpost-search.awsapps.com/start';
const hasMoto = existsSync(venvPython());

type CallError = Error & { code: string; retriable: boolean };

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

describe(`recipient search with a KMS-wrapped blind-index key${hasMoto ? '' : ' (skipped: no moto venv, run npm run tools:setup)'}`, { skip: !hasMoto, timeout: 180_000 }, () => {
  let moto: MotoServer;
  let home: string;
  let keysDir: string;
  let indexKeyArn: string;
  let topic: string;
  let serviceIndex: BlindIndexer;
  let handlers: ConsoleHandlers;
  let settings: ReturnType<typeof createSettingsStore>;
  let close: () => Promise<void>;
  let awsFiles: { configFile: string; credentialsFile: string };
  const events = Array.from({ length: 60 }, (_, i) => sendgridEvent(i, { recipients: 10 }));
  const wanted = events.filter((_, i) => i % 10 === 3);

  async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
    const reply = await dispatch(handlers, channel, args);
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code, retriable: reply.error.retriable });
    return reply.value as ResultOf<C>;
  }
  const search = (profile: string | undefined, recipient = 'User3 <USER3@example.com>') =>
    call('messages:window', { topic, mode: 'oldest', limit: 500, filters: { recipient }, ...(profile ? { profile } : {}) });
  async function searchError(profile: string | undefined): Promise<CallError> {
    try {
      const w = await search(profile);
      assert.fail(`expected an error, got ${w.rows.length} rows`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      const e = err as CallError;
      assert.doesNotMatch(e.message, /@example\.com/, 'the address never comes back');
      return e;
    }
  }

  before(async () => {
    const [{ brokers }, server] = await Promise.all([ensureKafka(), startMoto()]);
    moto = server;
    indexKeyArn = await createKeyIn(moto.endpoint, OWNER);

    // The service side: its key folder holds the department keys and ONLY the KMS-wrapped blind-index key.
    home = mkdtempSync(join(tmpdir(), 'sp-console-bik-'));
    keysDir = join(home, 'service-keys');
    const service = serviceKmsClients(moto.endpoint);
    const key = await loadOrCreateKmsWrappedIndexKey({ keyId: indexKeyArn, dir: keysDir, kms: service.client });
    serviceIndex = createBlindIndexer(key);
    const policy = policySchema.parse(DEFAULT_POLICY);
    const keyrings = localKeyringsFromPolicy(keysDir, policy, { create: true });
    const sealer = createSectionSealer({
      materialsFor: (department, hooks) => new NodeDefaultCryptographicMaterialsManager(hooks.countKeyring(keyrings.get(department)!.encrypt!)),
    });
    const build = createEnvelopeBuilder({ policy, sealer, blindIndex: createBlindIndexer(key) });
    key.fill(0);
    const { records } = await build({ id: 'sendgrid-main', kind: 'sendgrid', topic: 'unused' }, events, Date.now());
    await sealer.close();
    service.destroy();
    topic = uniqueTopic('console-bik');
    await produceRecords(brokers, topic, records, { partitions: 3 });

    // The operator's AWS files: a role in the key's account, a role in another account, a profile without
    // credentials, and an SSO profile whose session expired an hour ago.
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    awsFiles = { configFile: join(home, '.aws', 'config'), credentialsFile: join(home, '.aws', 'credentials') };
    writeFileSync(awsFiles.credentialsFile, '[base]\naws_access_key_id = AKIABASEBASEBASE\naws_secret_access_key = base-secret\n', { mode: 0o600 });
    writeFileSync(
      awsFiles.configFile,
      [
        '[profile searcher]', `role_arn = arn:aws:iam::${OWNER}:role/support-search`, 'source_profile = base', `region = ${MOTO_REGION}`,
        '[profile outsider]', `role_arn = arn:aws:iam::${OTHER}:role/support-search`, 'source_profile = base', `region = ${MOTO_REGION}`,
        '[profile empty]', `region = ${MOTO_REGION}`,
        '[profile sso-dev]', `sso_start_url = ${SSO_URL}`, 'sso_region = eu-west-1', `sso_account_id = ${OWNER}`, 'sso_role_name = Search', `region = ${MOTO_REGION}`,
        '',
      ].join('\n'),
    );
    // The SSO token cache is read from ~/.aws/sso/cache. The profiles come only from the files given to the
    // identities (as the console's own settings do); AWS_CONFIG_FILE is left alone (test/support/moto.ts: /dev/null).
    process.env.HOME = home;
    writeFileSync(
      join(home, '.aws', 'sso', 'cache', createHash('sha1').update(SSO_URL).digest('hex') + '.json'),
      JSON.stringify({ startUrl: SSO_URL, region: 'eu-west-1', accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3600_000).toISOString() }),
    );

    settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
    settings.patch({ localKeysDir: keysDir });
    const identities = createProfileIdentities({ settings, ...awsFiles, kmsEndpoint: moto.endpoint, stsEndpoint: moto.endpoint });
    const consoleService = createConsoleService({ settings, identities, blindIndex: createBlindIndexResolver(settings, identities) });
    handlers = consoleService.handlers;
    close = consoleService.close;
    await call('console:connect', { connection: { name: 'local', brokers } });
  });

  after(async () => {
    await close?.();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('a profile of the key owner account finds exactly that recipient, by window and by scan', async () => {
    assert.ok(existsSync(join(keysDir, WRAPPED_INDEX_KEY_FILE)));
    assert.ok(!existsSync(join(keysDir, 'blind-index.hmac.key')), 'the folder holds no raw blind-index key');
    const w = await search('aws:searcher');
    assert.deepEqual(w.rows.map((r) => r.eventId).sort(), wanted.map((e) => e.id).sort());
    for (const row of w.rows) assert.equal(row.recipient, serviceIndex('user3@example.com'));

    const started = await call('scan:start', { topic, filters: { recipient: 'user3@example.com' }, direction: 'oldest-first', profile: 'aws:searcher' });
    let p = started;
    for (let i = 0; i < 200 && p.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      p = await call('scan:progress', { scanId: started.scanId });
    }
    assert.equal(p.state, 'done', JSON.stringify(p.error ?? null));
    assert.deepEqual(p.rows.map((r) => r.eventId).sort(), wanted.map((e) => e.id).sort());
  });

  test('a profile of another account is refused with its code and gets no rows, even after another profile searched', async () => {
    await search('aws:searcher'); // the searcher's indexer is cached; it must not serve the outsider
    const e = await searchError('aws:outsider');
    assert.equal(e.code, CONSOLE_ERRORS.blindIndexDenied);
    assert.equal(e.retriable, false);
    assert.ok(e.message.includes(`Profile outsider may not unwrap the blind-index key ${indexKeyArn}`), e.message);
    assert.match(e.message, /kms:Decrypt on it with the condition kms:EncryptionContext:sealpost:purpose = blind-index/);

    // A scan as the outsider fails the same way, with no match kept.
    const started = await call('scan:start', { topic, filters: { recipient: 'user3@example.com' }, profile: 'aws:outsider' });
    let p = started;
    for (let i = 0; i < 200 && p.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      p = await call('scan:progress', { scanId: started.scanId });
    }
    assert.equal(p.state, 'failed');
    assert.equal(p.error?.code, CONSOLE_ERRORS.blindIndexDenied);
    assert.equal(p.matched, 0);
  });

  test('"local" with only the wrapped key is told to pick an AWS profile (also when the renderer names no profile)', async () => {
    for (const profile of ['local', undefined]) {
      const e = await searchError(profile);
      assert.equal(e.code, CONSOLE_ERRORS.blindIndexNeedsProfile);
      assert.ok(e.message.includes(indexKeyArn), e.message);
      assert.match(e.message, /Local keys cannot unwrap it.*pick an AWS profile allowed kms:Decrypt/);
    }
    // The saved "Decrypt as" profile is the default when a call names none.
    settings.patch({ profile: 'aws:searcher' });
    try {
      assert.equal((await search(undefined)).rows.length, wanted.length);
    } finally {
      settings.patch({ profile: null });
    }
  });

  test('an expired SSO session and a profile without credentials say what to do', async () => {
    const sso = await searchError('aws:sso-dev');
    assert.equal(sso.code, CONSOLE_ERRORS.ssoExpired);
    assert.ok(sso.message.includes('`aws sso login --profile sso-dev`'), sso.message);
    const empty = await searchError('aws:empty');
    assert.equal(empty.code, CONSOLE_ERRORS.noCredentials);
    assert.match(empty.message, /Profile empty has no usable AWS credentials/);
  });

  test('the key file chosen in Settings may be the wrapped one under any name (told apart by its content)', async () => {
    const chosen = join(home, 'search-key.json');
    copyFileSync(join(keysDir, WRAPPED_INDEX_KEY_FILE), chosen);
    settings.patch({ blindIndexKeyFile: chosen, localKeysDir: null });
    try {
      assert.equal((await search('aws:searcher')).rows.length, wanted.length);
      assert.equal((await searchError('aws:outsider')).code, CONSOLE_ERRORS.blindIndexDenied);
      writeFileSync(chosen, '{"not": "a key"}\n');
      const bad = await searchError('aws:searcher');
      assert.equal(bad.code, CONSOLE_ERRORS.noBlindIndexKey);
      assert.match(bad.message, /neither a 32-byte blind-index key .* nor a KMS-wrapped one/);
    } finally {
      settings.patch({ blindIndexKeyFile: null, localKeysDir: keysDir });
    }
  });

  test('KMS out of reach is a retriable error naming where it was asked', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const identities = createProfileIdentities({ settings, ...awsFiles, kmsEndpoint: endpoint, stsEndpoint: moto.endpoint });
    try {
      const resolve = createBlindIndexResolver(settings, identities);
      await assert.rejects(resolve('aws:searcher'), (err: unknown) => {
        assert.ok(isSealpostError(err, CONSOLE_ERRORS.kmsUnreachable), String(err));
        assert.equal(err.retriable, true);
        assert.ok(err.message.includes(endpoint), err.message);
        return true;
      });
    } finally {
      await identities.close();
    }
  });
});

describe('blind-index unwrap errors from the answers real KMS gives', () => {
  const ctx = { profile: 'search', keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', path: '/k/x.json', kmsWhere: 'kms.eu-west-1' };
  const through = (err: unknown) => blindIndexUnwrapError(kmsSealError(err, 'Decrypt (blind-index key)', ctx.keyArn), ctx);

  test('AccessDeniedException (a cross-account key without a grant) and NotFoundException both mean "may not unwrap"', () => {
    for (const sdk of [
      // The KMS client does not model AccessDeniedException: it arrives as a service error with that name.
      Object.assign(new Error('User: arn:aws:sts::222222222222:assumed-role/x/y is not authorized to perform: kms:Decrypt'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
      new NotFoundException({ message: 'Key not found', $metadata: { httpStatusCode: 400 } }),
    ]) {
      const e = through(sdk);
      assert.equal(e.code, CONSOLE_ERRORS.blindIndexDenied);
      assert.ok(e.message.startsWith(`Profile search may not unwrap the blind-index key ${ctx.keyArn}`), e.message);
      assert.equal(e.details?.awsError, sdk.name);
    }
  });

  test('a wrapped blob KMS refuses as ciphertext, and a file that is not a wrapped key, say which file to copy again', () => {
    const tampered = through(new InvalidCiphertextException({ message: 'invalid', $metadata: { httpStatusCode: 400 } }));
    assert.equal(tampered.code, CONSOLE_ERRORS.blindIndexKeyUnusable);
    assert.ok(tampered.message.includes(ctx.path), tampered.message);
    const file = blindIndexUnwrapError(new SealpostError(KMS_ERRORS.wrappedKeyFile, `${ctx.path}: is not JSON`, { details: { path: ctx.path } }), ctx);
    assert.equal(file.code, CONSOLE_ERRORS.noBlindIndexKey);
    assert.match(file.message, /Copy it again from the ingest service's key folder/);
  });
});
