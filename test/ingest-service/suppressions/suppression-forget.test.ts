// Forgetting a person keeps their suppression (blind index, reasons, since: pseudonymous) but shreds the address
// inside it: on the real broker, the suppression record's address is sealed under the person's subject keys, opens
// for a reader following the keys topic, and no longer opens once the admin API's forget has tombstoned those keys,
// while the check still answers "suppressed".
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { createLocalKeysOpener } from '../../../shared/decrypt/local-opener.js';
import { ENVELOPE_SCHEMA_V2, type Envelope } from '../../../shared/envelope/index.js';
import { followKeysTopic, type KeysTopicFollower } from '../../../shared/subject-keys/index.js';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import type { SuppressionValue } from '../../../ingest-service/src/suppressions/suppression-state.js';
import { ensureKafka, readAll, uniqueTopic } from '../../support/kafka.js';
import { SEED_BATCH } from '../../support/ingest.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';
import { until } from '../../support/until.js';

const CHECK_SECRET = randomBytes(32).toString('base64url');

describe('a forgotten person stays suppressed, their sealed address shredded (real broker)', { timeout: 120_000 }, () => {
  let brokers: string[];
  let svc: AdminTestService;
  let kafka: InstanceType<typeof kafkajs.Kafka>;
  const followers: KeysTopicFollower[] = [];
  const topic = uniqueTopic('supp-forget');

  before(async () => {
    ({ brokers } = await ensureKafka());
    kafka = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
    svc = await startAdminService({ brokers, admin: {}, overrides: { suppressions: { topic, check: { verify: { hmacSecret: CHECK_SECRET } } } } });
    assert.equal((await svc.postSendgrid(SEED_BATCH)).status, 200);
  });
  after(async () => {
    for (const f of followers) await f.close();
    await svc?.stop();
  });

  const check = async (address: string): Promise<{ suppressed: boolean; reasons: string[] }> => {
    const body = Buffer.from(JSON.stringify({ addresses: [address] }));
    const res = await fetch(`${svc.service.url}/v1/suppressions/check`, { method: 'POST', headers: eventsSignedHeaders(CHECK_SECRET, body), body: new Uint8Array(body) });
    return ((await res.json()) as { results: { suppressed: boolean; reasons: string[] }[] }).results?.[0] ?? { suppressed: false, reasons: [] };
  };
  /** The suppression value as the envelope the console opens (electron/core/suppressions). */
  const asEnvelope = (v: SuppressionValue): Envelope => ({
    schema: ENVELOPE_SCHEMA_V2,
    id: v.sealedId,
    source: v.sealedSource,
    kind: 'sendgrid',
    type: 'suppression',
    time: '',
    receivedAt: '',
    policyVersion: v.policyVersion,
    recipient: v.subject,
    clear: {},
    sections: v.sections,
    ...(v.keys ? { keys: v.keys } : {}),
  });
  /** Opens the support section with the service's local keys through a fresh reader of the keys topic. */
  const openSupport = async (v: SuppressionValue) => {
    const keys = followKeysTopic({ kafka, topic: svc.config.subjectKeys.topic });
    followers.push(keys);
    const opener = createLocalKeysOpener({ localKeysDir: join(svc.dataDir, 'keys') });
    try {
      const [opened] = await opener.open([asEnvelope(v)], { subjectKeys: keys });
      return opened!.sections['support']!;
    } finally {
      await opener.close();
    }
  };

  it('the address opens under the subject key until the keys are tombstoned; the suppression stays', async () => {
    await until('example@test.com on the list', () => check('example@test.com'), (r) => r.reasons.length === 4);
    const subject = (await svc.service.suppressions!.blindIndexer())('example@test.com');
    const records = await readAll(brokers, topic, 1, 20_000, { until: (m) => m.some((r) => r.key?.toString() === subject) });
    const value = JSON.parse(records.filter((r) => r.key?.toString() === subject).pop()!.value!.toString()) as SuppressionValue;
    assert.ok(value.keys?.support && value.keys.security, `the address is sealed under subject keys: ${JSON.stringify(value.keys)}`);

    const open = await openSupport(value);
    assert.equal(open.state, 'open', JSON.stringify(open));
    assert.equal(open.state === 'open' && open.fields['address'], 'example@test.com');

    const forgot = await svc.local().forgetSubject('example@test.com', 'DSR erasure request');
    assert.ok(forgot.keysTombstoned >= 2, `the subject's keys tombstoned: ${forgot.keysTombstoned}`);

    const after = await openSupport(value);
    assert.equal(after.state, 'locked', 'the address cannot be opened any more');
    assert.equal(after.state === 'locked' && after.code, 'forgotten');
    assert.deepEqual((await check('example@test.com')).reasons, ['bounce', 'dropped', 'spamreport', 'unsubscribe'], 'still suppressed');
  });
});
