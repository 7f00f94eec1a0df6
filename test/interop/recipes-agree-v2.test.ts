// v2 records (sections sealed under per-person subject keys kept in a compacted keys topic) read by the kit's CLI, the
// Python recipe (stock aws-encryption-sdk) and the Java recipe (stock aws-encryption-sdk-java), each in two steps (the
// subject key, then the section): the same lines, field for field; example's sections open, chris's (forgotten: keys
// tombstoned + marker) lock "forgotten" in all three, since no key of his is left anywhere to decrypt with; records
// forged on the keys topic (example's key ids claimed for chris, a marker that is not JSON) change nothing. Records
// built with the stock ESDK encrypt (test/shared/subject-keys/v2-fixtures.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { loadOrCreateLocalKey, localKeyring } from '../../shared/seal/local-keys.js';
import { forgottenRecordKey, subjectKeyRecordKey } from '../../shared/subject-keys/index.js';
import { fieldsOf, produceEnvelopes, produceKeys, sealV2World, type V2World } from '../shared/subject-keys/v2-fixtures.js';
import { runConsumeCli } from '../shared/consumer/run-cli.js';
import { buildJavaRecipe, runJavaRecipe } from './java-recipe.js';
import { runPythonRecipe, type Line } from './python-recipe.js';

const comparable = (lines: Line[]) =>
  new Map(
    lines.map((l) => {
      const { locked, ...rest } = l as Line & { locked?: { reason: string } };
      return [`${l.partition}:${l.offset}`, locked ? { ...rest, locked: locked.reason } : rest];
    }),
  );

describe('the Python and Java recipes and the kit agree on v2 records with a forgotten subject (real broker, local keys)', { timeout: 240_000 }, () => {
  let dir: string;
  let classpath: string;
  let brokers: string[];
  let world: V2World;
  const topic = uniqueTopic('recipes-v2');
  const keysTopic = uniqueTopic('recipes-v2-keys');

  before(async () => {
    classpath = buildJavaRecipe();
    ({ brokers } = await ensureKafka());
    dir = mkdtempSync(join(tmpdir(), 'sp-recipes-v2-'));
    const keys = join(dir, 'keys');
    const ring = (n: string) => localKeyring(n, loadOrCreateLocalKey(keys, n, { create: true }));
    world = await sealV2World({ departments: { support: ring('support'), security: ring('security') }, people: { example: 'example@test.com', chris: 'chris@gmail.com' }, perPerson: 3 });
    const [ex, ch] = [world.envelopes[0]!, world.envelopes.find((e) => e.id.includes('-chris-'))!];
    // Hostile: example's support section said to be under his security key; a key id nobody wrote; chris's envelope
    // carrying example's section (chris is forgotten: it stays forgotten).
    const moved = { ...ex, id: 'moved-v2', sections: { support: ex.sections.support! }, keys: { support: ex.keys!.security! } };
    const unknown = { ...ex, id: 'unknown-key', sections: { support: ex.sections.support! }, keys: { support: 'AAAAAAAAAAAAAAAAAAAAAA' } };
    // Hostile keys-topic records (anyone who may write it): example's key ids claimed for chris (the support claim then
    // tombstoned), and a forget marker that is not JSON. Example's sections must still open in all three readers.
    const claims = ['support', 'security'].map((d) => {
      const genuine = world.keyRecords.find((r) => r.key === subjectKeyRecordKey(world.people.example!.subject, d, world.people.example!.keys[d]!))!;
      const v = { ...JSON.parse(genuine.value!), subject: world.people.chris!.subject };
      return { key: subjectKeyRecordKey(v.subject, d, v.keyId), value: JSON.stringify(v) };
    });
    const hostile = [...claims, { key: claims[0]!.key, value: null }, { key: forgottenRecordKey('not-json'), value: 'not json {' }];
    await produceKeys(brokers, keysTopic, [...world.keyRecords, ...world.forget('chris'), ...hostile]);
    await produceEnvelopes(brokers, topic, [...world.envelopes, { ...ch, id: 'moved-chris', sections: { support: ex.sections.support! } }, moved, unknown]);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const department of ['support', 'security']) {
    test(`${department}: same lines in the kit, Python and Java; example open, chris forgotten in all`, async () => {
      const args = ['--brokers', brokers.join(','), '--topic', topic, '--keys-topic', keysTopic, '--department', department, '--from-beginning', '--until-end', '--keys', join(dir, 'keys')];
      const [kit, py] = await Promise.all([runConsumeCli(args), runPythonRecipe(args)]);
      assert.equal(kit.code, 0, kit.stderr);
      assert.equal(py.code, 0, py.stderr);
      assert.equal(kit.lines.length, world.envelopes.length + 3);
      assert.deepEqual(comparable(py.lines), comparable(kit.lines));
      const java = runJavaRecipe(classpath, args);
      assert.equal(java.status, 0, java.stderr);
      assert.deepEqual(comparable(java.lines as unknown as Line[]), comparable(kit.lines), 'the Java recipe prints the same lines');
      const reason = (id: string) => (kit.lines.find((l) => l.id === id)?.locked as { reason: string } | undefined)?.reason;
      for (const e of world.envelopes) {
        const line = py.lines.find((l) => l.id === e.id)!;
        if (e.id.includes('-chris-')) {
          assert.equal((line.locked as { reason: string }).reason, 'forgotten');
          assert.match((line.locked as { message: string }).message, /^forgotten on \d{4}-\d{2}-\d{2}/);
        } else assert.deepEqual(line.fields, fieldsOf(department, world.people.example!, Number(e.id.split('-').at(-1))));
      }
      // His 3 events, and for support the envelope of his carrying example's section too.
      assert.match(py.stderr, new RegExp(`${department === 'support' ? 4 : 3} of forgotten people`));
      if (department === 'support') {
        assert.equal(reason('moved-chris'), 'forgotten', 'a forgotten person stays forgotten whatever the section');
        assert.equal(reason('moved-v2'), 'context_mismatch');
        assert.equal(reason('unknown-key'), 'subject_key_missing');
      }
    });
  }
});
