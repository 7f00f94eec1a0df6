// The console's decrypt and access matrix with AWS profiles against a KMS-compatible server (moto) and the real
// broker: sections sealed under KMS department keys in two accounts, read with a profile of one account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { accountCredentials, MOTO_REGION, startMoto, venvPython, type MotoServer } from '../../support/moto.js';
import { createKeyIn, serviceKmsClients } from '../../shared/kms/moto-kms.js';
import { createEnvelopeBuilder } from '../../../ingest-service/src/expand/index.js';
import { createBlindIndexer } from '../../../shared/blind-index/index.js';
import { departmentMaterials } from '../../../shared/kms/index.js';
import { DEFAULT_POLICY, policySchema } from '../../../shared/policy/index.js';
import { createSectionSealer } from '../../../shared/seal/index.js';
import { dispatch, type ArgsIn, type Channel, type ConsoleHandlers, type ResultOf } from '../../../shared/console-api/index.js';
import { createConsoleService } from '../../../electron/core/console-service.js';
import { createBlindIndexResolver } from '../../../electron/core/identity/blind-index-key.js';
import { createProfileIdentities } from '../../../electron/core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../electron/core/settings/settings-store.js';
import { produceRecords, sendgridEvent } from '../support/seed.js';

const SUPPORT_ACCOUNT = '111111111111';
const SECURITY_ACCOUNT = '222222222222';
const hasMoto = existsSync(venvPython());

describe(`console decrypt with AWS profiles against moto KMS${hasMoto ? '' : ' (skipped: no moto venv, run npm run tools:setup)'}`, { skip: !hasMoto, timeout: 120_000 }, () => {
  let moto: MotoServer;
  let dir: string;
  let topic: string;
  let handlers: ConsoleHandlers;
  let close: () => Promise<void>;
  const events = Array.from({ length: 30 }, (_, i) => sendgridEvent(i));

  async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
    const reply = await dispatch(handlers, channel, args);
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.value as ResultOf<C>;
  }

  before(async () => {
    const [{ brokers }, server] = await Promise.all([ensureKafka(), startMoto()]);
    moto = server;
    const supportKey = await createKeyIn(moto.endpoint, SUPPORT_ACCOUNT);
    const securityKey = await createKeyIn(moto.endpoint, SECURITY_ACCOUNT);
    // The default policy's rules, with KMS keys in two accounts instead of local keys.
    const policyInput = {
      ...DEFAULT_POLICY,
      departments: {
        support: { keys: [{ kms: supportKey }] },
        security: { keys: [{ kms: securityKey }] },
        analytics: { keys: [{ kms: supportKey }] },
      },
    };
    const policy = policySchema.parse(policyInput);
    dir = mkdtempSync(join(tmpdir(), 'sp-console-kms-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policyInput));
    // Seal as the ingest service does: the service's department materials, its KMS clients.
    const clients = serviceKmsClients(moto.endpoint);
    const materials = departmentMaterials(policy, { kmsClients: clients });
    const sealer = createSectionSealer({ materialsFor: materials.materialsFor, limits: materials.limits });
    const build = createEnvelopeBuilder({ policy, sealer, blindIndex: createBlindIndexer(Buffer.alloc(32, 9)) });
    const { records } = await build({ id: 'sendgrid-main', kind: 'sendgrid', topic: 'unused' }, events, Date.now());
    await sealer.close();
    materials.close();
    clients.destroy();
    topic = uniqueTopic('console-kms');
    await produceRecords(brokers, topic, records, { partitions: 3 });
    // One profile in the support account (credentials as `aws configure` writes them).
    const reader = await accountCredentials(moto.endpoint, SUPPORT_ACCOUNT, 'support-reader');
    writeFileSync(join(dir, 'config'), `[profile support-reader]\nregion = ${MOTO_REGION}\n`);
    writeFileSync(
      join(dir, 'credentials'),
      `[support-reader]\naws_access_key_id = ${reader.accessKeyId}\naws_secret_access_key = ${reader.secretAccessKey}\naws_session_token = ${reader.sessionToken ?? ''}\n`,
      { mode: 0o600 },
    );
    const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
    settings.patch({ policyFile: join(dir, 'policy.json') });
    const service = createConsoleService({
      settings,
      identities: createProfileIdentities({
        settings,
        configFile: join(dir, 'config'),
        credentialsFile: join(dir, 'credentials'),
        kmsEndpoint: moto.endpoint,
        stsEndpoint: moto.endpoint,
      }),
      blindIndex: createBlindIndexResolver(settings),
    });
    handlers = service.handlers;
    close = service.close;
    await call('console:connect', { connection: { name: 'local', brokers } });
  });

  after(async () => {
    await close?.();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the support profile opens support sections and sees security locked, with the reason', async () => {
    const w = await call('messages:window', { topic, mode: 'oldest', limit: 10 });
    const d = await call('messages:decrypt', { topic, ids: w.rows.map((r) => r.id), profile: 'aws:support-reader' });
    assert.equal(d.rows.length, 10);
    assert.match(d.identity, new RegExp(SUPPORT_ACCOUNT));
    const byEvent = new Map(events.map((e) => [e.id, (e.body as { email: string }).email]));
    for (const [i, row] of d.rows.entries()) {
      const support = row.sections.support;
      assert.equal(support?.state, 'open');
      if (support?.state === 'open') assert.equal(support.fields.email, byEvent.get(w.rows[i]!.eventId));
      const security = row.sections.security;
      assert.equal(security?.state, 'locked');
      if (security?.state === 'locked') {
        assert.match(security.code, /^(key_not_found|access_denied)$/);
        assert.ok(security.message.length > 30);
        assert.doesNotMatch(security.message, /@example\.com/);
      }
    }
  });

  test('the access matrix proves support readable and security locked for that profile', async () => {
    const m = await call('access:matrix', { profile: 'aws:support-reader', topic });
    const states = Object.fromEntries(m.departments.map((x) => [x.department, x.access.state]));
    assert.equal(states.support, 'readable');
    assert.equal(states.security, 'locked');
    const email = m.fields.find((f) => f.rule === 'sendgrid' && f.field === 'email');
    assert.equal(email?.cells.support, 'readable');
    assert.equal(email?.cells.security, 'locked');
  });

  test('an opened-field scan as that profile searches the support sections and counts security as locked, by KMS reason', async () => {
    const start = await call('scan:start', { topic, filters: {}, direction: 'oldest-first', profile: 'aws:support-reader', opened: { field: 'email', value: 'user7@example.com' } });
    let p = start;
    for (let i = 0; p.state === 'running' && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      p = await call('scan:progress', { scanId: start.scanId });
    }
    assert.equal(p.state, 'done');
    const want = events.filter((e) => (e.body as { email: string }).email === 'user7@example.com').map((e) => e.id);
    assert.deepEqual(p.rows.map((r) => r.eventId), want);
    assert.equal(p.opened?.searched, events.length);
    assert.equal(p.opened?.locked, events.length - want.length, 'every other record had its security section locked');
    const reasons = Object.keys(p.opened?.lockedBy ?? {});
    assert.ok(reasons.length === 1 && /^(key_not_found|access_denied)$/.test(reasons[0]!), reasons.join());
    assert.equal(Object.values(p.opened!.lockedBy)[0], events.length);
  });
});
