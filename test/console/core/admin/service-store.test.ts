import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createServiceStore, MAX_REMEMBERED_SERVICES, type ServiceConnection } from '../../../../electron/core/admin/service-store.js';
import { NO_SECRET_BOX } from '../../../../electron/core/settings/settings-store.js';
import { isSealpostError } from '../../../../shared/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sealpost-service-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const conn = (i: number): ServiceConnection => ({ url: `https://ingest-${i}.example.test:8788`, serverId: `ingest-${i}`, auth: 'aws', profile: null, region: null, stsEndpoint: null, ca: null });

it('refuses to remember a service beyond the maximum, so the saved fleet still loads on the next start', () => {
  const file = join(dir, 'services.json');
  const store = createServiceStore({ file, secrets: NO_SECRET_BOX });
  for (let i = 0; i < MAX_REMEMBERED_SERVICES; i++) store.save(conn(i), undefined);
  assert.throws(
    () => store.save(conn(MAX_REMEMBERED_SERVICES), undefined),
    (err: unknown) => isSealpostError(err, 'SP_CONSOLE_SERVICE_FLEET_FULL') && /forget one/.test(err.message),
  );
  store.save({ ...conn(5), region: 'eu-west-1' }, undefined); // an entry already remembered can still change
  const reopened = createServiceStore({ file, secrets: NO_SECRET_BOX });
  assert.equal(reopened.list().length, MAX_REMEMBERED_SERVICES, 'the whole fleet is there after a restart');
  assert.equal(reopened.list()[5]!.region, 'eu-west-1');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('damaged')), [], 'nothing was set aside as damaged');
  reopened.forget(conn(0).url);
  reopened.save(conn(MAX_REMEMBERED_SERVICES), undefined);
  assert.equal(reopened.list().length, MAX_REMEMBERED_SERVICES, 'after forgetting one, another fits');
});
