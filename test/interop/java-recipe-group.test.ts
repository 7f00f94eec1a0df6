// The Java recipe with --group is a real member of the consumer group: while it runs, the console's offset reset
// (preview and apply) is refused, as for any other consumer of the group, so its next commit cannot overwrite a
// reset; two instances share the topic's partitions instead of each reading all of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { ensureKafka, uniqueTopic } from '../support/kafka.js';
import { until } from '../support/until.js';
import { startAdminService, type AdminTestService } from '../ingest-service/admin/support.js';
import { consoleOn } from '../console/admin/support.js';
import { buildJavaRecipe, startJavaRecipe } from './java-recipe.js';

const PARTITIONS = 2;

describe('Java recipe with --group', () => {
  let brokers: string[];
  let classpath: string;
  let admin: kafkajs.Admin;
  let svc: AdminTestService;
  let c: ReturnType<typeof consoleOn>;
  const keys = mkdtempSync(join(tmpdir(), 'java-group-keys-'));
  const topic = uniqueTopic('java-group');
  const groupId = `${topic}-support`;
  const members = async () => (await admin.describeGroups([groupId])).groups[0]!;

  before(async () => {
    classpath = buildJavaRecipe();
    ({ brokers } = await ensureKafka());
    admin = new kafkajs.Kafka({ clientId: 'java-group-test', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
    svc = await startAdminService({ brokers, admin: { audit: { topic: uniqueTopic('java-group-audit') } } });
    c = consoleOn();
    await c.call('console:connect', { connection: { name: 'local', brokers, auth: { kind: 'none' } }, remember: false });
    await c.call('service:connect', { url: svc.admin.url, auth: { kind: 'token', token: svc.admin.localToken!.token }, remember: false });
  });
  after(async () => {
    await c?.close();
    await admin?.disconnect();
    await svc?.stop();
    rmSync(keys, { recursive: true, force: true });
  });

  it('joins the group while it runs: the console refuses to preview or apply a reset; two instances share the partitions', async () => {
    const args = ['--brokers', brokers.join(','), '--topic', topic, '--department', 'support', '--keys', keys, '--group', groupId];
    const first = startJavaRecipe(classpath, args);
    const second = startJavaRecipe(classpath, args);
    try {
      const group = await until('both recipe instances to join the group', members, (g) => g.state === 'Stable' && g.members.length === 2, {
        timeoutMs: 60_000,
        show: (g) => `${g.state} ${g.members.length} member(s); stderr: ${first.stderr()}`,
      });
      // Each instance holds one of the two partitions (not both: that was manual assignment of the whole topic).
      const held = group.members.map((m) => kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []);
      assert.deepEqual(held.flat().sort(), [0, 1]);
      assert.deepEqual(held.map((p) => p.length), [1, 1]);

      const plan = await c.call('groups:reset-preview', { groupId, topic, to: { kind: 'earliest' } });
      assert.match(plan.blocked ?? '', /2 active members.*stop its consumers first/);
      const refused = await c.refusal('groups:reset-apply', { groupId, topic, to: { kind: 'earliest' } });
      assert.equal(refused.code, 'SP_CONSOLE_GROUP_ACTIVE');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
