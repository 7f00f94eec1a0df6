// The console's Node side (the handlers Electron main and the test bridge run) on v2 records, real broker, with local
// keys and with a KMS profile (moto): example's rows open, chris's rows say "forgotten on DATE" once forgotten; a
// connected console that already opened his rows stops within seconds of the tombstones; the opened-field scan
// reports his rows as forgotten and goes on; the access matrix still proves support readable. Stock-ESDK records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsKeyringNode } from '@aws-crypto/client-node';
import { dispatch, type ArgsIn, type Channel, type ConsoleHandlers, type ResultOf } from '../../../shared/console-api/index.js';
import type { DecryptedRow } from '../../../shared/console-api/types.js';
import { DEFAULT_POLICY } from '../../../shared/policy/index.js';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/local-keys.js';
import { createConsoleService } from '../../../electron/core/console-service.js';
import { createBlindIndexResolver } from '../../../electron/core/identity/blind-index-key.js';
import { createProfileIdentities } from '../../../electron/core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX } from '../../../electron/core/settings/settings-store.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { accountCredentials, MOTO_REGION, startMoto } from '../../support/moto.js';
import { until } from '../../support/until.js';
import { createKeyIn, serviceKmsClients } from '../../shared/kms/moto-kms.js';
import { produceEnvelopes, produceKeys, sealV2World, type V2World } from '../../shared/subject-keys/v2-fixtures.js';

interface Setup {
  world: V2World;
  profile: string;
  settings: { localKeysDir?: string; policyFile?: string };
  identities: { configFile?: string; credentialsFile?: string; kmsEndpoint?: string; stsEndpoint?: string };
  done(): Promise<void>;
}

function consoleScenario(name: string, setup: (dir: string) => Promise<Setup>) {
  describe(`console Node side on v2 records, ${name}`, { timeout: 180_000 }, () => {
    let dir: string;
    let s: Setup;
    let handlers: ConsoleHandlers;
    let close: () => Promise<void>;
    const topic = uniqueTopic('console-v2');
    const keysTopic = uniqueTopic('console-v2-keys');
    let forgotAt: string;
    let ids: string[] = [];
    const eventOf = new Map<string, string>();

    async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
      const reply = await dispatch(handlers, channel, args);
      if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      return reply.value as ResultOf<C>;
    }
    const decrypt = async (): Promise<DecryptedRow[]> => (await call('messages:decrypt', { topic, ids, profile: s.profile })).rows;
    const chrisRows = (rows: DecryptedRow[]) => rows.filter((r) => eventOf.get(r.id)!.includes('-chris-'));

    before(async () => {
      const { brokers } = await ensureKafka();
      dir = mkdtempSync(join(tmpdir(), 'sp-console-v2-'));
      s = await setup(dir);
      await produceKeys(brokers, keysTopic, s.world.keyRecords);
      await produceEnvelopes(brokers, topic, s.world.envelopes);
      const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
      settings.patch({ ...s.settings, subjectKeysTopic: keysTopic });
      const service = createConsoleService({ settings, identities: createProfileIdentities({ settings, configFile: '/dev/null', credentialsFile: '/dev/null', ...s.identities }), blindIndex: createBlindIndexResolver(settings) });
      ({ handlers, close } = service);
      await call('console:connect', { connection: { name: 'local', brokers } });
      const w = await call('messages:window', { topic, mode: 'oldest', limit: 50 });
      ids = w.rows.map((r) => r.id);
      for (const r of w.rows) eventOf.set(r.id, r.eventId);
      assert.equal(ids.length, s.world.envelopes.length);
    });
    after(async () => {
      await close?.();
      await s?.done();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the keys topic is a setting, with the default', async () => {
      assert.equal((await call('settings:get')).subjectKeysTopic, keysTopic);
      const fresh = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
      assert.equal(fresh.get().subjectKeysTopic, 'sealpost.subject-keys');
    });

    test('before the forget every row opens; after it, a connected console stops opening chris within seconds', async () => {
      const rows = await decrypt();
      for (const r of rows) assert.equal(r.sections.support?.state, 'open', JSON.stringify(r.sections.support));
      const { brokers } = await ensureKafka();
      forgotAt = new Date().toISOString();
      const t0 = Date.now();
      await produceKeys(brokers, keysTopic, s.world.forget('chris', forgotAt), false);
      const after = await until('chris rows forgotten', decrypt, (x) => chrisRows(x).every((r) => r.sections.support?.state === 'locked'), { timeoutMs: 15_000 });
      assert.ok(Date.now() - t0 < 8_000, `took ${Date.now() - t0} ms`);
      for (const r of after) {
        const sec = r.sections.support!;
        if (!eventOf.get(r.id)!.includes('-chris-')) {
          assert.equal(sec.state, 'open');
          continue;
        }
        assert.equal(sec.state === 'locked' && sec.code, 'forgotten');
        assert.match(sec.state === 'locked' ? sec.message : '', new RegExp(`^forgotten on ${forgotAt.slice(0, 10)}`));
        assert.equal(sec.state === 'locked' && sec.forgottenAt, forgotAt);
      }
    });

    test('the opened-field scan finds example and reports chris\'s rows as forgotten, never stuck', async () => {
      const start = await call('scan:start', { topic, filters: {}, direction: 'oldest-first', profile: s.profile, opened: { field: 'email', value: 'example@test.com' } });
      const p = await until('the scan to stop', () => call('scan:progress', { scanId: start.scanId, maxRows: 100 }), (x) => x.state !== 'running', { timeoutMs: 60_000 });
      assert.equal(p.state, 'done');
      assert.deepEqual(p.rows.map((r) => r.eventId).sort(), s.world.envelopes.filter((e) => e.id.includes('-example-')).map((e) => e.id).sort());
      const chris = s.world.envelopes.filter((e) => e.id.includes('-chris-')).length;
      assert.equal(p.opened?.lockedBy.forgotten, chris * Object.keys(s.world.envelopes[0]!.sections).length);
    });

    test('the access matrix still proves support readable: a forgotten probe is the subject\'s lock, not the profile\'s', async () => {
      const m = await call('access:matrix', { profile: s.profile, topic });
      assert.equal(m.departments.find((d) => d.department === 'support')?.access.state, 'readable');
    });

    test('a console that connects afresh (reads the keys topic from the beginning) cannot open chris either', async () => {
      const { brokers } = await ensureKafka();
      await call('console:disconnect');
      await call('console:connect', { connection: { name: 'local', brokers } });
      const rows = await decrypt();
      for (const r of chrisRows(rows)) assert.equal(r.sections.support?.state === 'locked' && r.sections.support.code, 'forgotten');
      assert.equal(rows.filter((r) => r.sections.support?.state === 'open').length, rows.length - chrisRows(rows).length);
    });
  });
}

const PEOPLE = { example: 'example@test.com', chris: 'chris@gmail.com' };

consoleScenario('local keys', async (dir) => {
  const keys = join(dir, 'keys');
  const ring = (n: string) => localKeyring(n, loadOrCreateLocalKey(keys, n, { create: true }));
  const world = await sealV2World({ departments: { support: ring('support'), security: ring('security') }, people: PEOPLE, perPerson: 3 });
  return { world, profile: 'local', settings: { localKeysDir: keys }, identities: {}, done: async () => {} };
});

consoleScenario('a KMS profile (moto)', async (dir) => {
  const ACCOUNT = '888888888888';
  const moto = await startMoto();
  const key = await createKeyIn(moto.endpoint, ACCOUNT);
  const clients = serviceKmsClients(moto.endpoint);
  const world = await sealV2World({ departments: { support: new KmsKeyringNode({ generatorKeyId: key, clientProvider: clients.clientProvider }) }, people: PEOPLE, perPerson: 3 });
  clients.destroy();
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ ...DEFAULT_POLICY, departments: { support: { keys: [{ kms: key }] }, security: { keys: [{ kms: key }] }, analytics: { keys: [{ kms: key }] } } }));
  const reader = await accountCredentials(moto.endpoint, ACCOUNT, 'support-reader');
  writeFileSync(join(dir, 'config'), `[profile support-reader]\nregion = ${MOTO_REGION}\n`);
  writeFileSync(join(dir, 'credentials'), `[support-reader]\naws_access_key_id = ${reader.accessKeyId}\naws_secret_access_key = ${reader.secretAccessKey}\naws_session_token = ${reader.sessionToken ?? ''}\n`, { mode: 0o600 });
  return {
    world,
    profile: 'aws:support-reader',
    settings: { policyFile },
    identities: { configFile: join(dir, 'config'), credentialsFile: join(dir, 'credentials'), kmsEndpoint: moto.endpoint, stsEndpoint: moto.endpoint },
    done: () => moto.stop(),
  };
});
