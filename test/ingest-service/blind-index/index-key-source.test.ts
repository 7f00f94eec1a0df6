// The main thread's blind-index key: one source (service.ts) for the suppression check, the forget and the events query
// by subject, loaded once even when many requests need it at the same moment, and its KMS calls counted like the
// expand workers'. A KMS-wrapped key on moto, the real service and broker.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createIndexKeySource } from '../../../ingest-service/src/blind-index/index-key.js';
import { eventsSignedHeaders } from '../../../ingest-service/src/dev/index.js';
import { ensureKafka, uniqueTopic } from '../../support/kafka.js';
import { MOTO_REGION, motoDefaultCredentials, startMoto, type MotoServer } from '../../support/moto.js';
import { tempDataDir } from '../../support/ingest.js';
import { startAdminService, type AdminTestService } from '../admin/support.js';

const CHECK_SECRET = randomBytes(24).toString('base64url');

describe('one blind-index key source on the main thread (KMS-wrapped key, moto)', { timeout: 180_000 }, () => {
  let moto: MotoServer;
  let keyArn: string;
  const dirs: string[] = [];
  before(async () => {
    moto = await startMoto();
    const kms = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoDefaultCredentials() });
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'blind index' }))).KeyMetadata!.Arn!;
    kms.destroy();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: MOTO_REGION });
  });
  after(async () => {
    await moto?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const kmsConfig = () => ({ region: MOTO_REGION, endpoint: moto.endpoint });

  it('twenty requests needing the key at once cost one KMS call, and all of them get the same index', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const config = { dataDir, blindIndex: { key: { kms: keyArn } }, kms: kmsConfig() } as const;
    for (const round of ['creates the wrapped key (GenerateDataKey)', 'unwraps it (Decrypt)']) {
      const source = createIndexKeySource(config as Parameters<typeof createIndexKeySource>[0]);
      const indexers = await Promise.all(Array.from({ length: 20 }, () => source.indexer()));
      assert.equal(source.kmsCalls()!.total, 1, `one KMS call when the source ${round}`);
      assert.equal(new Set(indexers.map((ix) => ix('bob@example.com'))).size, 1);
      source.close();
    }
  });

  describe('in the service', () => {
    let brokers: string[];
    let svc: AdminTestService;
    before(async () => {
      ({ brokers } = await ensureKafka());
      svc = await startAdminService({
        brokers,
        admin: { serverId: 'index-key-test', localToken: true },
        overrides: { blindIndex: { key: { kms: keyArn } }, kms: kmsConfig(), suppressions: { topic: uniqueTopic('supp'), check: { verify: { hmacSecret: CHECK_SECRET } } } },
      });
    });
    after(async () => svc?.stop());

    const kmsCalls = async (): Promise<number> => {
      const text = await (await fetch(`${svc.service.url}/metrics`)).text();
      return text.split('\n').filter((l) => l.startsWith('sealpost_kms_calls_total')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    const check = async (addresses: string[]): Promise<number> => {
      const body = Buffer.from(JSON.stringify({ addresses }));
      const res = await fetch(`${svc.service.url}/v1/suppressions/check`, { method: 'POST', headers: { 'content-type': 'application/json', ...eventsSignedHeaders(CHECK_SECRET, body) }, body: new Uint8Array(body) });
      await res.arrayBuffer();
      return res.status;
    };

    it('the check, the forget and the events query by subject share one unwrap of the key, counted in sealpost_kms_calls_total', async () => {
      await svc.service.suppressions!.follower.waitReady(60_000);
      const before = await kmsCalls();
      const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => check([`someone${i}@example.com`])));
      assert.deepEqual(statuses, Array(10).fill(200));
      assert.equal((await kmsCalls()) - before, 1, 'ten concurrent first checks: one Decrypt, and the metric shows it');
      const admin = svc.local();
      await admin.forgetSubject('bob@example.com', 'index key test');
      await admin.queryEvents({ subject: 'bob@example.com' }).catch((err: { code?: string }) => assert.notEqual(err.code, 'SP_EVENT_INDEX_SUBJECT_KEY'));
      assert.equal((await kmsCalls()) - before, 1, 'the forget and the events query reuse the key the check loaded');
    });
  });
});
