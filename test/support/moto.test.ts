import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { accountCredentials, MOTO_REGION, startMoto, type MotoCredentials, type MotoServer } from './moto.js';

const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';

describe('moto harness', () => {
  let moto: MotoServer;
  let credsA: MotoCredentials;
  let credsB: MotoCredentials;
  const clients: Array<{ destroy(): void }> = [];
  const kms = (credentials: MotoCredentials): KMSClient => {
    const c = new KMSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials });
    clients.push(c);
    return c;
  };

  before(async () => {
    moto = await startMoto();
    credsA = await accountCredentials(moto.endpoint, ACCOUNT_A);
    credsB = await accountCredentials(moto.endpoint, ACCOUNT_B);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
  });

  it('AssumeRole credentials are attributed to the role account', async () => {
    for (const [creds, account] of [[credsA, ACCOUNT_A], [credsB, ACCOUNT_B]] as const) {
      const sts = new STSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: creds });
      clients.push(sts);
      const id = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(id.Account, account);
    }
  });

  it("a key of account A encrypts and decrypts for A and is refused to account B, even by full ARN", async () => {
    const a = kms(credsA);
    const b = kms(credsB);
    const created = await a.send(new CreateKeyCommand({ Description: 'department A' }));
    const arn = created.KeyMetadata?.Arn;
    assert.ok(arn);
    assert.match(arn, new RegExp(`^arn:aws:kms:${MOTO_REGION}:${ACCOUNT_A}:key/`));

    const plaintext = new TextEncoder().encode('sealed for A');
    const enc = await a.send(new EncryptCommand({ KeyId: arn, Plaintext: plaintext }));
    assert.ok(enc.CiphertextBlob);
    assert.notDeepEqual(Buffer.from(enc.CiphertextBlob), Buffer.from(plaintext));
    const dec = await a.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'sealed for A');

    await assert.rejects(b.send(new DescribeKeyCommand({ KeyId: arn })), { name: 'NotFoundException' });
    await assert.rejects(b.send(new EncryptCommand({ KeyId: arn, Plaintext: plaintext })), { name: 'NotFoundException' });
    await assert.rejects(b.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), { name: 'AccessDeniedException' });
  });

  it('stop() takes the endpoint down', async () => {
    const other = await startMoto();
    const res = await fetch(`${other.endpoint}/moto-api/data.json`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await other.stop();
    await assert.rejects(fetch(`${other.endpoint}/moto-api/data.json`));
  });
});
