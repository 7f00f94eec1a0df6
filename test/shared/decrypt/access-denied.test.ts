// With moto's IAM enforcement on, a user without kms:Decrypt gets a real AccessDeniedException from KMS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { createProfileOpener, type LockedSection, type ProfileOpener } from '../../../shared/decrypt/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { staticProfilesHome, enforceIam, fieldsFor, iamUser, sealEnvelopes } from './fixtures.js';

const SALES = '111111111111';

describe('access denied by IAM (moto with IAM enforcement)', () => {
  let moto: MotoServer;
  let home: string;
  let salesKey: string;
  let envelopes: Envelope[];
  const openers: ProfileOpener[] = [];

  before(async () => {
    moto = await startMoto();
    salesKey = await createKeyIn(moto.endpoint, SALES);
    envelopes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: salesKey }] } } }, count: 3, endpoint: moto.endpoint });
    const reader = await iamUser(moto.endpoint, SALES, 'sales-reader', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: '*' }],
    });
    const intern = await iamUser(moto.endpoint, SALES, 'intern', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: '*' }],
    });
    ({ home } = staticProfilesHome(MOTO_REGION, { reader, intern }));
    await enforceIam(moto.endpoint);
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const opener = (profile: string) => {
    const o = createProfileOpener({ profile, region: MOTO_REGION, endpoint: moto.endpoint, stsEndpoint: moto.endpoint });
    openers.push(o);
    return o;
  };

  test('a user allowed kms:Decrypt opens the section', async () => {
    const [o] = await opener('reader').open(envelopes.slice(0, 1));
    assert.deepEqual(o!.sections.sales, { state: 'open', fields: fieldsFor('sales', 0) });
  });

  test('a user without kms:Decrypt gets access_denied naming the profile, its ARN and the key, saying what to ask for', async () => {
    const intern = opener('intern');
    const opened = await intern.open(envelopes);
    const r = opened[0]!.sections.sales as LockedSection;
    assert.equal(r.state, 'locked');
    assert.equal(r.code, 'access_denied', r.message);
    assert.ok(r.message.startsWith(`profile intern (arn:aws:iam::${SALES}:user/intern) may not use key ${salesKey}`), r.message);
    assert.match(r.message, /ask for kms:Decrypt on it/);
    for (const o of opened) assert.equal((o.sections.sales as LockedSection).code, 'access_denied');
    assert.equal(intern.kmsCalls().byOperation.Decrypt, 1, 'the denial is remembered for the batch, not asked per section');
  });
});
