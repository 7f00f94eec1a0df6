import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '../../shared/envelope/index.js';
import { configSchema, type Config } from '../../ingest-service/src/config/index.js';
import { ensureKafka, readAll } from '../support/kafka.js';
import { makeSendgridBatch, startTestService, type TestService } from '../support/ingest.js';
import { departmentKeyring, openEnvelopeSection, readSubjectKeys } from '../support/local-decrypt.js';

function edited(config: Config, edit: (c: any) => void): Config {
  const c = structuredClone(config) as any;
  edit(c);
  return configSchema.parse(c);
}

describe('reload (SIGHUP): key rotation and policy changes without stopping', () => {
  let svc: TestService;
  let brokers: string[];
  before(async () => {
    ({ brokers } = await ensureKafka());
    svc = await startTestService({ brokers });
  });
  after(async () => svc?.stop());

  it('seals new entries under the new policy and key; older records stay readable with the old key', async () => {
    const before = makeSendgridBatch(5, 'v1');
    assert.equal((await svc.postSendgrid(before.body)).status, 200);
    const topic = svc.config.sources[0]!.topic!;
    await readAll(brokers, topic, 5, 30_000);

    const next = edited(svc.config, (c) => {
      c.policy.version = 2;
      c.policy.departments.security.keys = [{ local: 'security-2' }, { local: 'security' }];
      c.policy.rules.sendgrid.grants.support = ['email'];
    });
    assert.deepEqual(await svc.service.reload(next), ['policy']);
    const afterBatch = makeSendgridBatch(5, 'v2');
    assert.equal((await svc.postSendgrid(afterBatch.body)).status, 200);

    const records = (await readAll(brokers, topic, 10, 30_000)).map((r) => JSON.parse(r.value!.toString()) as Envelope);
    const oldOnes = records.filter((e) => before.ids.includes(e.id));
    const newOnes = records.filter((e) => afterBatch.ids.includes(e.id));
    assert.equal(oldOnes.length, 5);
    assert.equal(newOnes.length, 5);
    assert.ok(oldOnes.every((e) => e.policyVersion === 1) && newOnes.every((e) => e.policyVersion === 2), 'each record names its policy version');

    const keys = await readSubjectKeys(brokers, svc.config.subjectKeys.topic, records);
    const open = (keyring: ReturnType<typeof departmentKeyring>, env: Envelope, department: string) => openEnvelopeSection(keyring, env, department, keys);
    const oldKey = departmentKeyring(svc.dataDir, 'security');
    const newKey = departmentKeyring(svc.dataDir, 'security-2');
    const oldSec = await open(oldKey, oldOnes[0]!, 'security');
    assert.equal(oldSec.context['sealpost:policy-version'], '1');
    const newSec = await open(newKey, newOnes[0]!, 'security');
    assert.equal(newSec.context['sealpost:policy-version'], '2');
    await assert.rejects(open(departmentKeyring(svc.dataDir, 'security'), newOnes[0]!, 'security'), 'the retired key cannot open new records');
    const support = await open(departmentKeyring(svc.dataDir, 'support'), newOnes[0]!, 'support');
    assert.deepEqual(Object.keys(support.plaintext.fields), ['email'], 'the narrower support grant applies to new records');
  });

  it('refuses changes that need a restart, and a policy change without a new version, applying nothing', async () => {
    const running = svc.config;
    await assert.rejects(svc.service.reload(edited(running, (c) => (c.maxBodyBytes = 4096))), /need a restart: maxBodyBytes/);
    await assert.rejects(
      svc.service.reload(edited(running, (c) => (c.policy.rules.sendgrid.grants.support = ['email', 'ip']))),
      /SP_RELOAD_POLICY_VERSION|version did not go up/,
    );
  });
});
