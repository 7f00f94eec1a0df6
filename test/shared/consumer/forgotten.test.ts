// The consumer kit and `npm run consume` on v2 records (subject keys on a compacted keys topic, real broker), with
// local keys and with KMS on moto: example's sections open, chris's lock "forgotten on DATE" once he is forgotten;
// a RUNNING consumer stops opening his new records within seconds of the tombstones; a fresh one reading from the
// beginning cannot open any; the consumer reads on and counts them. Records built with the stock ESDK encrypt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsKeyringNode } from '@aws-crypto/client-node';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { until } from '../../support/until.js';
import { createKeyIn, MOTO_REGION, serviceKmsClients } from '../kms/moto-kms.js';
import { enforceIam, iamUser, staticProfilesHome } from '../decrypt/fixtures.js';
import { createConsumerKeys, createDepartmentConsumer, type ConsumerEvent, type ConsumerKeysOptions } from '../../../shared/consumer/index.js';
import type { ProfileOpener } from '../../../shared/decrypt/index.js';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/local-keys.js';
import { fieldsOf, produceEnvelopes, produceKeys, sealV2World, type V2World } from '../subject-keys/v2-fixtures.js';
import { runConsumeCli } from './run-cli.js';

const idOf = (e: ConsumerEvent): string => e.envelope?.id ?? '';
const isChris = (e: ConsumerEvent): boolean => idOf(e).includes('-chris-');

function forgetScenario(name: string, setup: () => Promise<{ world: V2World; keyOpts: ConsumerKeysOptions; cliKeys: string[]; env?: NodeJS.ProcessEnv; done(): Promise<void> }>) {
  describe(`consumer kit on v2 records, ${name}`, { timeout: 180_000 }, () => {
    let brokers: string[];
    let world: V2World;
    let keyOpts: ConsumerKeysOptions;
    let cliKeys: string[];
    let env: NodeJS.ProcessEnv | undefined;
    let done: () => Promise<void>;
    const topic = uniqueTopic('v2-kit');
    const keysTopic = uniqueTopic('v2-keys');
    const openers: ProfileOpener[] = [];
    const consumer = (handle: (e: ConsumerEvent) => void, untilEnd: boolean) => {
      const keys = createConsumerKeys(keyOpts);
      openers.push(keys);
      return createDepartmentConsumer({ kafka: { brokers }, topic, keysTopic, department: 'support', keys, fromBeginning: true, untilEnd, handle });
    };

    before(async () => {
      ({ brokers } = await ensureKafka());
      ({ world, keyOpts, cliKeys, env, done } = await setup());
      await produceKeys(brokers, keysTopic, world.keyRecords);
      await produceEnvelopes(brokers, topic, world.envelopes);
    });
    after(async () => {
      for (const o of openers) await o.close();
      await done?.();
    });

    test('before any forget: every support section opens, example and chris alike', async () => {
      const events: ConsumerEvent[] = [];
      const stats = await consumer((e) => void events.push(e), true).run();
      assert.equal(events.length, world.envelopes.length);
      for (const e of events) {
        assert.equal(e.state, 'open', e.state === 'locked' ? e.locked.message : '');
        const person = isChris(e) ? world.people.chris! : world.people.example!;
        if (e.state === 'open') assert.deepEqual(e.fields, fieldsOf('support', person, Number(idOf(e).split('-').at(-1))));
      }
      assert.equal(stats.opened, world.envelopes.length);
    });

    test('a running consumer stops opening chris within seconds of the forget, reports each record and goes on', async () => {
      const events: ConsumerEvent[] = [];
      const c = consumer((e) => void events.push(e), false);
      const running = c.run();
      try {
        await until('the existing records', () => events.length, (n) => n >= world.envelopes.length);
        const forgotAt = new Date().toISOString();
        const t0 = Date.now();
        await produceKeys(brokers, keysTopic, world.forget('chris', forgotAt), false);
        // His events keep arriving (still in a journal at the forget): one every 300 ms, until one locks.
        let n = 0;
        const firstLocked = await until(
          'a chris record locked as forgotten',
          async () => {
            await produceEnvelopes(brokers, topic, await world.more('chris', 1, `late${n++}`));
            return events.find((e) => isChris(e) && e.state === 'locked');
          },
          (e) => e !== undefined,
          { timeoutMs: 20_000 },
        );
        const took = Date.now() - t0;
        assert.ok(took < 8_000, `stopped opening after ${took} ms`);
        assert.equal(firstLocked!.state === 'locked' && firstLocked!.locked.reason, 'forgotten');
        assert.match(firstLocked!.state === 'locked' ? firstLocked!.locked.message : '', new RegExp(`^forgotten on ${forgotAt.slice(0, 10)}`));
        // And it goes on: example's new events still open after his.
        await produceEnvelopes(brokers, topic, [...(await world.more('chris', 1, 'after')), ...(await world.more('example', 1, 'after'))]);
        await until('example after the forget', () => events.find((e) => idOf(e).startsWith('after-example')), Boolean);
        assert.equal(events.find((e) => idOf(e).startsWith('after-example'))!.state, 'open');
        assert.equal(events.find((e) => idOf(e).startsWith('after-chris'))!.state, 'locked');
        assert.ok((c.stats().locked.forgotten ?? 0) >= 2, JSON.stringify(c.stats()));
      } finally {
        await c.stop();
        await running;
      }
    });

    test('a reader naming a keys topic that does not exist locks each v2 record subject_key_missing, saying so, and reads to the end', async () => {
      const events: ConsumerEvent[] = [];
      const keys = createConsumerKeys(keyOpts);
      openers.push(keys);
      const c = createDepartmentConsumer({ kafka: { brokers }, topic, keysTopic: 'no-such-keys-topic', department: 'support', keys, fromBeginning: true, untilEnd: true, handle: (e) => void events.push(e) });
      const stats = await c.run();
      assert.ok(events.length >= world.envelopes.length);
      for (const e of events) {
        assert.equal(e.state === 'locked' && e.locked.reason, 'subject_key_missing');
        assert.match(e.state === 'locked' ? e.locked.message : '', /keys topic no-such-keys-topic does not exist/);
      }
      assert.equal(stats.locked.subject_key_missing, events.length);
    });

    test('a fresh consumer reading everything from the beginning opens none of chris\'s sections; the CLI says so too', async () => {
      const events: ConsumerEvent[] = [];
      const stats = await consumer((e) => void events.push(e), true).run();
      const chris = events.filter(isChris);
      assert.ok(chris.length >= world.envelopes.length / 2 + 2);
      for (const e of chris) assert.equal(e.state === 'locked' && e.locked.reason, 'forgotten', JSON.stringify(e.state === 'locked' ? e.locked : idOf(e)));
      for (const e of events.filter((x) => !isChris(x))) assert.equal(e.state, 'open');
      assert.equal(stats.locked.forgotten, chris.length);
      const cli = await runConsumeCli(['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', keysTopic, '--department', 'support', '--from-beginning', '--until-end', ...cliKeys], env ? { env } : {});
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.lines.length, events.length);
      const locked = cli.lines.filter((l) => l.locked);
      assert.equal(locked.length, chris.length);
      for (const l of locked) assert.match((l.locked as { reason: string; message: string }).message, /^forgotten on \d{4}-\d{2}-\d{2}/);
      assert.match(cli.stderr, new RegExp(`${chris.length} records belong to forgotten people`));
      assert.doesNotMatch(cli.stdout + cli.stderr, /chris@gmail\.com/, 'his address is nowhere in the output');
    });
  });
}

forgetScenario('local keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-v2-kit-'));
  const keys = join(dir, 'keys');
  const ring = (name: string) => localKeyring(name, loadOrCreateLocalKey(keys, name, { create: true }));
  const world = await sealV2World({ departments: { support: ring('support'), security: ring('security') }, people: { example: 'example@test.com', chris: 'chris@gmail.com' }, perPerson: 3 });
  return { world, keyOpts: { keysDir: keys }, cliKeys: ['--keys', keys], done: async () => rmSync(dir, { recursive: true, force: true }) };
});

forgetScenario('KMS keys on moto (IAM enforced)', async () => {
  const ACCOUNT = '777777777777';
  const moto: MotoServer = await startMoto();
  const key = await createKeyIn(moto.endpoint, ACCOUNT);
  const clients = serviceKmsClients(moto.endpoint);
  const ring = new KmsKeyringNode({ generatorKeyId: key, clientProvider: clients.clientProvider });
  const world = await sealV2World({ departments: { support: ring }, people: { example: 'example@test.com', chris: 'chris@gmail.com' }, perPerson: 3 });
  clients.destroy();
  const reader = await iamUser(moto.endpoint, ACCOUNT, 'reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'sts:GetCallerIdentity'], Resource: '*' }] });
  const { home } = staticProfilesHome(MOTO_REGION, { reader });
  await enforceIam(moto.endpoint);
  const endpoints = { region: MOTO_REGION, kmsEndpoint: moto.endpoint, stsEndpoint: moto.endpoint };
  return {
    world,
    keyOpts: { profile: 'reader', accountIds: [ACCOUNT], ...endpoints },
    cliKeys: ['--profile', 'reader', '--account', ACCOUNT, '--region', MOTO_REGION, '--kms-endpoint', moto.endpoint, '--sts-endpoint', moto.endpoint],
    done: async () => {
      await moto.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
});
