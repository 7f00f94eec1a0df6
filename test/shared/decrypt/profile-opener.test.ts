import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { createProfileOpener, type ProfileOpener, type LockedSection, type OpenSection } from '../../../shared/decrypt/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { awsHome, fieldsFor, sealEnvelopes } from './fixtures.js';

const SALES = '111111111111';
const FINANCE = '222222222222';
const SSO_URL = 'https://sealpost-test.awsapps.com/start';

function locked(result: unknown): LockedSection {
  assert.equal((result as LockedSection).state, 'locked', `expected locked, got ${JSON.stringify(result)}`);
  return result as LockedSection;
}
function open(result: unknown): OpenSection {
  assert.equal((result as OpenSection).state, 'open', `expected open, got ${JSON.stringify(result)}`);
  return result as OpenSection;
}

describe('profile opener (moto, shared AWS files)', () => {
  let moto: MotoServer;
  let home: string;
  let salesKey: string;
  let financeKey: string;
  let envelopes: Envelope[];
  const openers: ProfileOpener[] = [];
  const opener = (profile: string, extra: Partial<Parameters<typeof createProfileOpener>[0]> = {}) => {
    const o = createProfileOpener({ profile, region: MOTO_REGION, endpoint: moto.endpoint, stsEndpoint: moto.endpoint, ...extra });
    openers.push(o);
    return o;
  };
  const policy = () => ({ departments: { sales: { keys: [{ kms: salesKey }] }, finance: { keys: [{ kms: financeKey }] } } });

  before(async () => {
    moto = await startMoto();
    salesKey = await createKeyIn(moto.endpoint, SALES);
    financeKey = await createKeyIn(moto.endpoint, FINANCE);
    envelopes = await sealEnvelopes({ policy: policy(), count: 500, endpoint: moto.endpoint });
    ({ home } = awsHome({
      credentials: ['[base]', 'aws_access_key_id = AKIABASEBASEBASE', 'aws_secret_access_key = base-secret', ''].join('\n'),
      config: [
        '[profile sales]', `role_arn = arn:aws:iam::${SALES}:role/sales-reader`, 'source_profile = base', `region = ${MOTO_REGION}`,
        '[profile finance]', `role_arn = arn:aws:iam::${FINANCE}:role/finance-reader`, 'source_profile = base',
        '[profile empty]', `region = ${MOTO_REGION}`,
        '[profile sso-dev]', `sso_start_url = ${SSO_URL}`, 'sso_region = eu-west-1', `sso_account_id = ${SALES}`, 'sso_role_name = Reader',
        '',
      ].join('\n'),
    }));
    // An SSO token cache entry that expired an hour ago (what `aws sso login` leaves behind).
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, createHash('sha1').update(SSO_URL).digest('hex') + '.json'),
      JSON.stringify({ startUrl: SSO_URL, region: 'eu-west-1', accessToken: 'expired-token', expiresAt: new Date(Date.now() - 3600_000).toISOString() }),
    );
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('the sales profile opens sales sections and gets a clear locked reason for finance', async () => {
    const sales = opener('sales');
    assert.match(await sales.identity(), new RegExp(`^arn:aws:sts::${SALES}:assumed-role/sales-reader/`));
    const [first] = await sales.open(envelopes.slice(0, 1));
    assert.deepEqual(open(first!.sections.sales).fields, fieldsFor('sales', 0));
    const reason = locked(first!.sections.finance);
    // moto keeps keys per account, so another account's key is "not found" (real KMS says AccessDenied without a grant).
    assert.equal(reason.code, 'key_not_found');
    assert.ok(reason.message.includes(financeKey), reason.message);
    assert.match(reason.message, /profile sales \(arn:aws:sts::111111111111:assumed-role\/sales-reader\/[^)]+\)/);
    assert.match(reason.message, new RegExp(`another account \\(${FINANCE}\\)`));
    assert.ok(!JSON.stringify(first!.sections.finance).includes('DE00TEST'), 'nothing of the finance section leaks');
  });

  test('500 envelopes x 2 sections: one KMS Decrypt per data key, failures asked once (time printed; bound loose for a shared 2-core CI)', async () => {
    const sales = opener('sales');
    await sales.identity();
    const started = performance.now();
    const opened = await sales.open(envelopes);
    const ms = performance.now() - started;
    const calls = sales.kmsCalls().byOperation;
    console.log(`# opened ${opened.length} envelopes x 2 sections in ${ms.toFixed(0)} ms; KMS calls ${JSON.stringify(calls)}`);
    assert.equal(opened.length, 500);
    opened.forEach((o, i) => {
      assert.equal(o.envelope.id, `evt-${i}`);
      assert.deepEqual(open(o.sections.sales).fields, fieldsFor('sales', i));
      assert.equal(locked(o.sections.finance).code, 'key_not_found');
    });
    // One data key per department sealed all 500 (the sealer holds materials), so: 1 success + 1 failure.
    assert.equal(calls.Decrypt, 2);
    const again = performance.now();
    await sales.open(envelopes);
    console.log(`# reopened in ${(performance.now() - again).toFixed(0)} ms`);
    assert.equal(sales.kmsCalls().byOperation.Decrypt, 2, 'a second pass is served from the opener cache');
    assert.ok(ms < 5_000, `500 envelopes took ${ms} ms`);
  });

  test('data keys are cached per profile: the finance profile never benefits from what sales unwrapped', async () => {
    const sales = opener('sales');
    await sales.open(envelopes.slice(0, 3));
    const finance = opener('finance');
    const opened = await finance.open(envelopes.slice(0, 3));
    for (const [i, o] of opened.entries()) {
      assert.deepEqual(open(o.sections.finance).fields, fieldsFor('finance', i));
      assert.equal(locked(o.sections.sales).code, 'key_not_found');
    }
  });

  test('a profile without credentials gets no_credentials, naming the profile', async () => {
    const empty = opener('empty');
    const [o] = await empty.open(envelopes.slice(0, 1));
    for (const dept of ['sales', 'finance']) {
      const r = locked(o!.sections[dept]);
      assert.equal(r.code, 'no_credentials');
      assert.match(r.message, /profile empty has no usable credentials/);
    }
  });

  test('an expired SSO session gets sso_expired with the exact command to run', async () => {
    const sso = opener('sso-dev');
    const [o] = await sso.open(envelopes.slice(0, 1));
    const r = locked(o!.sections.sales);
    assert.equal(r.code, 'sso_expired');
    assert.ok(r.message.includes('`aws sso login --profile sso-dev`'), r.message);
  });

  test('a section moved to another department slot or another record is refused as tampered', async () => {
    const sales = opener('sales', { policy: { departments: { sales: { keys: [{ kms: salesKey }] }, finance: { keys: [{ kms: financeKey }] } } } });
    const a = envelopes[0]!;
    const b = envelopes[1]!;
    const moved: Envelope = { ...a, sections: { finance: a.sections.sales! } };
    const copied: Envelope = { ...a, sections: { sales: b.sections.sales! } };
    const [m, c] = await sales.open([moved, copied]);
    const r1 = locked(m!.sections.finance);
    assert.equal(r1.code, 'tampered');
    assert.match(r1.message, /sealpost:department/);
    const r2 = locked(c!.sections.sales);
    assert.equal(r2.code, 'tampered');
    assert.match(r2.message, /belongs to another event/);
    const garbage: Envelope = { ...a, sections: { sales: Buffer.from('not an ESDK message').toString('base64') } };
    assert.equal(locked((await sales.open([garbage]))[0]!.sections.sales).code, 'tampered');
  });

  test('key rotation: a profile that may use the old and the new key opens records of both generations', async () => {
    const newSalesKey = await createKeyIn(moto.endpoint, SALES);
    const rotated = { departments: { sales: { keys: [{ kms: newSalesKey }, { kms: salesKey }] } } };
    const newer = await sealEnvelopes({ policy: rotated, count: 2, endpoint: moto.endpoint, policyVersion: 2, idPrefix: 'v2' });
    const sales = opener('sales', { policy: rotated });
    const opened = await sales.open([envelopes[0]!, ...newer]);
    assert.deepEqual(open(opened[0]!.sections.sales).fields, fieldsFor('sales', 0));
    assert.deepEqual(open(opened[1]!.sections.sales).fields, fieldsFor('sales', 0));
    assert.deepEqual(open(opened[2]!.sections.sales).fields, fieldsFor('sales', 1));
    assert.equal(sales.kmsCalls().byOperation.Decrypt, 2, 'one data key per key generation');
  });

  test('with a policy, keys outside its accounts are not even asked: the finance section is locked without a KMS call', async () => {
    const sales = opener('sales', { policy: { departments: { sales: { keys: [{ kms: salesKey }] } } } });
    const [o] = await sales.open(envelopes.slice(0, 1));
    open(o!.sections.sales);
    const r = locked(o!.sections.finance);
    assert.equal(r.code, 'key_not_found');
    assert.match(r.message, /outside the accounts this console asks KMS about \(111111111111\)/);
    assert.equal(sales.kmsCalls().byOperation.Decrypt, 1);
  });
});
