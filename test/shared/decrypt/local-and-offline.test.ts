// Local department keys (the embedded default) and KMS being away, for the profile opener.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountCredentials, startMoto } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { createProfileOpener, type LockedSection, type ProfileOpener } from '../../../shared/decrypt/index.js';
import { fieldsFor, sealEnvelopes } from './fixtures.js';

const localPolicy = { departments: { support: { keys: [{ local: 'support' }] }, security: { keys: [{ local: 'security' }] } } };

describe('profile opener with local keys', () => {
  let root: string;
  let serviceKeys: string;
  const openers: ProfileOpener[] = [];
  const opener = (localKeysDir: string | undefined, policy?: typeof localPolicy) => {
    // No KMS involved: explicit dummy credentials keep the default chain (and any real profile) out of it.
    const o = createProfileOpener({ region: MOTO_REGION, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, endpoint: 'http://127.0.0.1:9', ...(localKeysDir ? { localKeysDir } : {}), ...(policy ? { policy } : {}) });
    openers.push(o);
    return o;
  };
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sealpost-localkeys-'));
    serviceKeys = join(root, 'service-keys');
  });
  after(async () => {
    for (const o of openers) await o.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a person holding only the support key opens support sections; security is locked naming the missing key file', async () => {
    const envelopes = await sealEnvelopes({ policy: localPolicy, count: 2, localDir: serviceKeys });
    const mine = join(root, 'my-keys');
    mkdirSync(mine, { mode: 0o700 });
    copyFileSync(join(serviceKeys, 'support.key'), join(mine, 'support.key'));
    chmodSync(join(mine, 'support.key'), 0o600);
    for (const o of [opener(mine), opener(mine, localPolicy)]) {
      const [e] = await o.open(envelopes.slice(0, 1));
      assert.deepEqual(e!.sections.support, { state: 'open', fields: fieldsFor('support', 0) });
      const r = e!.sections.security as LockedSection;
      assert.equal(r.code, 'no_local_key');
      assert.ok(r.message.includes(`local key "security", which is not in ${mine}`), r.message);
      assert.equal(o.kmsCalls().total, 0);
    }
    assert.match(await opener(mine).identity(), /identity unknown\) \+ local keys in /);
  });

  test('a key file others can read is refused, and the lock says why', async () => {
    const envelopes = await sealEnvelopes({ policy: localPolicy, count: 1, localDir: serviceKeys });
    const leaky = join(root, 'leaky-keys');
    mkdirSync(leaky, { mode: 0o700 });
    copyFileSync(join(serviceKeys, 'support.key'), join(leaky, 'support.key'));
    chmodSync(join(leaky, 'support.key'), 0o644);
    const [e] = await opener(leaky, localPolicy).open(envelopes);
    const r = e!.sections.support as LockedSection;
    assert.equal(r.code, 'no_local_key');
    assert.match(r.message, /could not be loaded: .*open to group or others .*chmod 600/);
  });

  test('a different key under the same name does not open, and says so', async () => {
    const envelopes = await sealEnvelopes({ policy: localPolicy, count: 1, localDir: serviceKeys });
    const other = join(root, 'other-service');
    await sealEnvelopes({ policy: localPolicy, count: 1, localDir: other }); // creates unrelated keys
    const [e] = await opener(other).open(envelopes);
    const r = e!.sections.support as LockedSection;
    assert.equal(r.code, 'no_local_key');
    assert.match(r.message, /another key with the same name/);
  });
});

describe('profile opener when KMS is away', () => {
  test('sections are locked kms_unreachable (retry later), not access denied', async () => {
    const moto = await startMoto();
    const key = await createKeyIn(moto.endpoint, '111111111111');
    const envelopes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: key }] } } }, count: 2, endpoint: moto.endpoint });
    const credentials = await accountCredentials(moto.endpoint, '111111111111');
    const o = createProfileOpener({ region: MOTO_REGION, endpoint: moto.endpoint, credentials });
    await moto.stop();
    try {
      const opened = await o.open(envelopes);
      for (const e of opened) {
        const r = e.sections.sales as LockedSection;
        assert.equal(r.code, 'kms_unreachable');
        assert.match(r.message, /did not answer or throttled .*retry/);
      }
    } finally {
      await o.close();
    }
  });
});
