// The console takes the keys topic from the service it signs in to (the service's subjectKeys.topic, told at
// sign-in): with nothing set in Settings, a console signed in to a real service on the real broker opens that
// service's v2 records; an override set in Settings wins until it is cleared; signing out falls back to the default.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PublicSettings } from '../../../shared/console-api/types.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { until } from '../../support/until.js';
import { startAdminService, type AdminTestService } from '../../ingest-service/admin/support.js';
import { consoleOn } from './support.js';

const keysTopicOf = (s: PublicSettings) => ({ topic: s.subjectKeysTopic, from: s.subjectKeysTopicFrom, service: s.subjectKeysTopicService });

describe('the console follows the keys topic of the service it signs in to (real service and broker)', { timeout: 180_000 }, () => {
  let brokers: string[];
  let svc: AdminTestService;
  let c: ReturnType<typeof consoleOn>;
  let topic: string;
  let ids: string[];
  const supportStates = async () => (await c.call('messages:decrypt', { topic, ids, profile: 'local' })).rows.map((r) => r.sections.support);

  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startAdminService({ brokers, admin: { serverId: 'ingest-keys', audit: { topic: uniqueTopic('keys-topic-audit') } } });
    assert.notEqual(svc.config.subjectKeys.topic, 'sealpost.subject-keys', 'the test service has a keys topic of its own');
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
    await until('14 seed events forwarded', () => svc.local().status(), (s) => s.journal.pendingTotal === 0 && (s.kafka.forwarder?.forwardedEvents ?? 0) >= 14, { timeoutMs: 60_000 });
    topic = svc.config.sources[0]!.topic!;
    // The service's key folder, and no keys topic in Settings.
    c = consoleOn({ keysDir: join(svc.dataDir, 'keys') });
  });
  after(async () => {
    await c?.close();
    await svc?.stop();
  });

  it('signed in to no service, the default; signed in, the service\'s, and its v2 records open', async () => {
    assert.deepEqual(keysTopicOf(await c.call('settings:get')), { topic: 'sealpost.subject-keys', from: 'default', service: null });
    await c.call('service:connect', { url: svc.admin.url, auth: { kind: 'token', token: svc.admin.localToken!.token }, remember: false });
    assert.deepEqual(keysTopicOf(await c.call('settings:get')), { topic: svc.config.subjectKeys.topic, from: 'service', service: 'ingest-keys' });
    assert.equal((await c.call('settings:get')).subjectKeysTopicSet, null, 'nothing was written to Settings');

    await c.call('console:connect', { connection: { name: 'local', brokers } });
    ids = (await c.call('messages:window', { topic, mode: 'oldest', limit: 50 })).rows.map((r) => r.id);
    assert.equal(ids.length, 14);
    const states = await supportStates();
    assert.deepEqual(states.map((s) => s?.state), Array(14).fill('open'), JSON.stringify(states.find((s) => s?.state !== 'open')));
  });

  it('an override set in Settings wins, for the open connection too, until it is cleared', async () => {
    const mine = uniqueTopic('keys-override');
    const set = await c.call('settings:set', { subjectKeysTopic: mine });
    assert.deepEqual(keysTopicOf(set), { topic: mine, from: 'settings', service: null });
    const locked = await supportStates();
    for (const s of locked) {
      assert.equal(s?.state, 'locked');
      assert.match(s?.state === 'locked' ? s.message : '', new RegExp(mine), 'the section says which keys topic it looked in');
    }
    const cleared = await c.call('settings:set', { subjectKeysTopic: null });
    assert.deepEqual(keysTopicOf(cleared), { topic: svc.config.subjectKeys.topic, from: 'service', service: 'ingest-keys' });
    assert.deepEqual((await supportStates()).map((s) => s?.state), Array(14).fill('open'));
  });

  it('signed out of the service, back to the default', async () => {
    await c.call('service:disconnect', { service: svc.admin.url, forget: false });
    assert.deepEqual(keysTopicOf(await c.call('settings:get')), { topic: 'sealpost.subject-keys', from: 'default', service: null });
  });

  it('a service with subject keys off tells no keys topic: the console keeps the default', async () => {
    const off = await startAdminService({ brokers, admin: { serverId: 'ingest-v1', audit: { topic: uniqueTopic('keys-topic-audit-off') } }, overrides: { subjectKeys: { enabled: false } } });
    try {
      assert.equal((await off.local().session()).subjectKeysTopic, null);
      await c.call('service:connect', { url: off.admin.url, auth: { kind: 'token', token: off.admin.localToken!.token }, remember: false });
      assert.deepEqual(keysTopicOf(await c.call('settings:get')), { topic: 'sealpost.subject-keys', from: 'default', service: null });
    } finally {
      await off.stop();
    }
  });
});
