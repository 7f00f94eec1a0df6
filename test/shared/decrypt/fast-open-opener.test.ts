// The profile opener with its fast path (default) against the same opener on the stock ESDK decrypt()
// (`fastOpen: false`), over KMS on moto and local keys: the same sections open, the same ones lock with
// the same reasons, with the same KMS traffic; a section written by stock encrypt() with the SDK's
// default signing suite still opens (fallback).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountCredentials, startMoto, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { createKeyIn, MOTO_REGION } from '../kms/moto-kms.js';
import { createProfileOpener, type ProfileOpener, type ProfileOpenerOptions, type SectionResult } from '../../../shared/decrypt/index.js';
import { sectionContext, type Envelope } from '../../../shared/envelope/index.js';
import { loadOrCreateLocalKey, localKeyring } from '../../../shared/seal/index.js';
import { stock } from '../seal/support.js';
import { enforceIam, fieldsFor, iamUser, sealEnvelopes, SOURCE } from './fixtures.js';

const SALES = '111111111111';
const FINANCE = '222222222222';

/** Same answer, section by section; an authentication failure may word the SDK's reason differently. */
function assertSameResults(fast: Array<{ sections: Record<string, SectionResult> }>, slow: Array<{ sections: Record<string, SectionResult> }>): void {
  assert.equal(fast.length, slow.length);
  fast.forEach((f, i) => {
    const s = slow[i]!;
    assert.deepEqual(Object.keys(f.sections), Object.keys(s.sections));
    for (const [department, a] of Object.entries(f.sections)) {
      const b = s.sections[department]!;
      if (a.state === 'locked' && b.state === 'locked' && a.code === 'tampered' && /did not authenticate/.test(b.message)) {
        assert.equal(a.code, b.code, `envelope ${i} ${department}`);
        assert.match(a.message, /did not authenticate/, `envelope ${i} ${department}`);
      } else {
        assert.deepEqual(a, b, `envelope ${i} ${department}`);
      }
    }
  });
}

describe('profile opener: fast path and stock decrypt answer alike (moto)', () => {
  let moto: MotoServer;
  let root: string;
  let salesKey: string;
  let financeKey: string;
  let envelopes: Envelope[];
  let salesCredentials: MotoCredentials;
  const openers: ProfileOpener[] = [];
  const opener = (extra: Partial<ProfileOpenerOptions>): ProfileOpener => {
    const o = createProfileOpener({ region: MOTO_REGION, endpoint: moto.endpoint, stsEndpoint: moto.endpoint, credentials: salesCredentials, ...extra });
    openers.push(o);
    return o;
  };
  const both = async (batch: Envelope[], extra: Partial<ProfileOpenerOptions> = {}) => {
    const fast = opener(extra);
    const slow = opener({ ...extra, fastOpen: false });
    const f = await fast.open(batch);
    const s = await slow.open(batch);
    assertSameResults(f, s);
    assert.deepEqual(fast.kmsCalls(), slow.kmsCalls(), 'same KMS traffic');
    return { f, fast };
  };

  before(async () => {
    moto = await startMoto();
    root = mkdtempSync(join(tmpdir(), 'sealpost-fast-opener-'));
    salesKey = await createKeyIn(moto.endpoint, SALES);
    financeKey = await createKeyIn(moto.endpoint, FINANCE);
    envelopes = await sealEnvelopes({ policy: { departments: { sales: { keys: [{ kms: salesKey }] }, finance: { keys: [{ kms: financeKey }] } } }, count: 40, endpoint: moto.endpoint });
    salesCredentials = await accountCredentials(moto.endpoint, SALES, 'sales-reader');
  });
  after(async () => {
    for (const o of openers) await o.close();
    await moto?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('sales opens sales; finance (another account) is locked with the same reason; moved, copied, flipped, cut and garbage sections lock alike', async () => {
    const [a, b] = [envelopes[0]!, envelopes[1]!];
    const bytes = Buffer.from(a.sections.sales!, 'base64');
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 20]! ^= 1; // in the ciphertext of the final frame
    const tampered: Envelope[] = [
      { ...a, id: 'moved', sections: { finance: a.sections.sales! } },
      { ...a, id: 'copied', sections: { sales: b.sections.sales! } },
      { ...a, sections: { sales: flipped.toString('base64') } },
      { ...a, sections: { sales: bytes.subarray(0, bytes.length - 1).toString('base64') } },
      { ...a, sections: { sales: Buffer.from('not an ESDK message').toString('base64') } },
    ];
    const { f, fast } = await both([...envelopes, ...tampered]);
    f.slice(0, envelopes.length).forEach((o, i) => {
      assert.deepEqual(o.sections.sales, { state: 'open', fields: fieldsFor('sales', i) });
      assert.equal((o.sections.finance as { code?: string }).code, 'key_not_found');
    });
    assert.ok((f[envelopes.length + 1]!.sections.sales as { message: string }).message.includes('belongs to another event'));
    for (const o of f.slice(envelopes.length)) for (const r of Object.values(o.sections)) assert.equal(r.state === 'locked' && r.code, 'tampered');
    assert.equal(fast.kmsCalls().byOperation.Decrypt, 2, 'one success and one remembered failure for the whole batch');
  });

  test('with the policy (discovery filter limited to the policy accounts), the finance lock is the same and costs no KMS call', async () => {
    const { f, fast } = await both(envelopes.slice(0, 5), { policy: { departments: { sales: { keys: [{ kms: salesKey }] } } } });
    assert.match((f[0]!.sections.finance as { message: string }).message, /outside the accounts this console asks KMS about \(111111111111\)/);
    assert.equal(fast.kmsCalls().byOperation.Decrypt, 1);
  });

  test('a section written by stock encrypt() with the SDK default (signing) suite opens through the fallback', async () => {
    const dir = join(root, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = loadOrCreateLocalKey(dir, 'support');
    const ring = localKeyring('support', key);
    key.fill(0);
    const plain = { id: 'evt-stock', department: 'support', fields: fieldsFor('support', 7) };
    const { result, messageHeader } = await stock.encrypt(ring, Buffer.from(JSON.stringify(plain)), { encryptionContext: sectionContext('support', SOURCE, 1) });
    assert.notEqual(messageHeader.suiteId, 0x0478, 'the SDK default is another suite');
    const envelope: Envelope = { ...envelopes[0]!, id: 'evt-stock', policyVersion: 1, sections: { support: result.toString('base64') } };
    const { f } = await both([envelope], { localKeysDir: dir });
    assert.deepEqual(f[0]!.sections.support, { state: 'open', fields: fieldsFor('support', 7) });
  });

  test('a user without kms:Decrypt gets the same access_denied lock, asked once (IAM enforced: last test)', async () => {
    const intern = await iamUser(moto.endpoint, SALES, 'intern', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: '*' }] });
    await enforceIam(moto.endpoint);
    const { f, fast } = await both(envelopes.slice(0, 10), { credentials: { accessKeyId: intern.accessKeyId, secretAccessKey: intern.secretAccessKey } });
    for (const o of f) assert.equal((o.sections.sales as { code?: string }).code, 'access_denied');
    assert.match((f[0]!.sections.sales as { message: string }).message, /may not use key .* of department sales/);
    assert.equal(fast.kmsCalls().byOperation.Decrypt, 2, 'sales denied once, finance not found once, for ten envelopes');
  });
});
