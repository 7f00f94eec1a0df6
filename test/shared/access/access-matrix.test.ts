import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startMoto, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { awsHome, sealEnvelopes } from '../decrypt/fixtures.js';
import { accessMatrix, decryptGrants } from '../../../shared/access/index.js';
import { createProfileOpener, type ProfileOpener } from '../../../shared/decrypt/index.js';
import type { Envelope } from '../../../shared/envelope/index.js';
import { policySchema, type Policy } from '../../../shared/policy/index.js';

const SALES = '111111111111';
const FINANCE = '222222222222';

/** The least-privilege key policy of docs/kms.md, for the sales key. */
function salesKeyPolicy(): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SALES}:root` }, Action: ['kms:Describe*', 'kms:Get*', 'kms:Put*', 'kms:Enable*', 'kms:Disable*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:TagResource'], Resource: '*' },
      { Sid: 'IngestSeals', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:role/sealpost-ingest' }, Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:sealpost:department': 'sales' } } },
      { Sid: 'SalesReads', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${SALES}:role/sales-reader`] }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:sealpost:department': 'sales' } } },
    ],
  };
}

describe('access matrix (moto)', () => {
  let moto: MotoServer;
  let home: string;
  let salesKey: string;
  let financeKey: string;
  let policy: Policy;
  let probes: Envelope[];
  const openers: ProfileOpener[] = [];
  const opener = (profile: string) => {
    const o = createProfileOpener({ profile, region: MOTO_REGION, endpoint: moto.endpoint, stsEndpoint: moto.endpoint });
    openers.push(o);
    return o;
  };

  before(async () => {
    moto = await startMoto();
    salesKey = await createKeyIn(moto.endpoint, SALES, salesKeyPolicy());
    financeKey = await createKeyIn(moto.endpoint, FINANCE);
    policy = policySchema.parse({
      version: 1,
      departments: { sales: { keys: [{ kms: salesKey }] }, finance: { keys: [{ kms: financeKey }] }, archive: { keys: [{ local: 'archive' }] } },
      rules: { sendgrid: { clear: ['event'], grants: { sales: ['email', 'ip'], finance: ['*'], archive: ['email'] } } },
    });
    // Probes as they come off the topic: sales and finance sections only (no archive section yet).
    probes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: salesKey }] }, finance: { keys: [{ kms: financeKey }] } } }, count: 3, endpoint: moto.endpoint });
    ({ home } = awsHome({
      credentials: ['[base]', 'aws_access_key_id = AKIABASE', 'aws_secret_access_key = base', ''].join('\n'),
      config: [
        '[profile sales]', `role_arn = arn:aws:iam::${SALES}:role/sales-reader`, 'source_profile = base',
        '[profile finance]', `role_arn = arn:aws:iam::${FINANCE}:role/finance-reader`, 'source_profile = base',
        '',
      ].join('\n'),
    }));
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('sales profile: sales proved readable, finance locked with its reason, archive unproved; key policy principals where readable', async () => {
    const sales = opener('sales');
    const m = await accessMatrix({ policy, opener: sales, probes, kms: sales });
    assert.match(m.identity, new RegExp(`^arn:aws:sts::${SALES}:assumed-role/sales-reader/`));
    assert.equal(m.policyVersion, 1);
    const byDept = Object.fromEntries(m.departments.map((d) => [d.department, d]));
    assert.deepEqual(Object.keys(byDept), ['archive', 'finance', 'sales']);
    assert.deepEqual(byDept.sales!.access, { state: 'readable', probe: { envelopeId: 'evt-0', source: 'sg-main', policyVersion: 1 } });
    const finance = byDept.finance!.access;
    assert.equal(finance.state, 'locked');
    assert.equal(finance.state === 'locked' && finance.code, 'key_not_found');
    assert.equal(byDept.archive!.access.state, 'unproved');
    assert.deepEqual(byDept.archive!.keys, ['local:archive']);

    const salesPolicy = byDept.sales!.keyPolicies[0]!;
    assert.equal(salesPolicy.keyId, salesKey);
    assert.deepEqual(
      salesPolicy.grants?.map((g) => [g.effect, g.principal, g.sid]),
      [['Allow', `arn:aws:iam::${SALES}:role/sales-reader`, 'SalesReads']],
      'only the sales reader may decrypt: administration and sealing statements do not cover kms:Decrypt',
    );
    assert.deepEqual(salesPolicy.grants?.[0]?.conditions, { StringEquals: { 'kms:EncryptionContext:sealpost:department': 'sales' } });
    assert.match(byDept.finance!.keyPolicies[0]!.unreadable ?? '', /not visible to this profile/);

    const cell = (field: string) => m.fields.find((f) => f.rule === 'sendgrid' && f.field === field)!;
    assert.deepEqual(m.fields.map((f) => f.field), ['email', 'ip', '*']);
    assert.deepEqual(cell('email').cells, { archive: 'unproved', finance: 'locked', sales: 'readable' });
    assert.equal(cell('email').readable, true);
    assert.deepEqual(cell('*').cells, { archive: 'not_granted', finance: 'locked', sales: 'not_granted' });
    assert.equal(cell('*').readable, false);
    assert.ok(!JSON.stringify(m).includes('@example.com'), 'the matrix carries no personal value');
  });

  test('finance profile: the mirror image, from the same probes', async () => {
    const finance = opener('finance');
    const m = await accessMatrix({ policy, opener: finance, probes });
    const byDept = Object.fromEntries(m.departments.map((d) => [d.department, d.access.state]));
    assert.deepEqual(byDept, { archive: 'unproved', finance: 'readable', sales: 'locked' });
    assert.equal(m.fields.find((f) => f.field === '*')!.readable, true);
    assert.ok(m.departments.every((d) => d.keyPolicies.length === 0), 'no key-policy reader given');
  });
});

test('decryptGrants: statements covering kms:Decrypt by action, wildcard or NotAction; principals normalised', () => {
  const grants = decryptGrants(
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'] }, Action: ['kms:decrypt'], Resource: '*' },
        { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Decrypt*', Resource: '*' },
        { Effect: 'Allow', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Allow', Principal: '*', NotAction: 'kms:Encrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        { Sid: 'NoInterns', Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::1:role/intern' }, Action: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:role/writer' }, Action: ['kms:Encrypt', 'kms:GenerateDataKey*'], Resource: '*' },
      ],
    }),
  );
  assert.deepEqual(
    grants.map((g) => `${g.effect} ${g.principal}`),
    ['Allow arn:aws:iam::123456789012:root', 'Allow arn:aws:iam::1:role/a', 'Allow arn:aws:iam::1:role/b', 'Allow service:logs.amazonaws.com', 'Allow *', 'Deny arn:aws:iam::1:role/intern'],
  );
  assert.deepEqual(grants[4]!.conditions, { Bool: { 'aws:SecureTransport': 'true' } });
});
