import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ENVELOPE_SCHEMA_V2, type Envelope } from '../../../shared/envelope/index.js';
import { sectionedValue } from '../../../ingest-service/src/expand/sectioned-value.js';

const envelope = (sections: Record<string, string>): Envelope => ({
  schema: ENVELOPE_SCHEMA_V2,
  id: 'sg-1',
  source: 'sendgrid',
  kind: 'sendgrid',
  type: 'delivered',
  time: '2026-01-10T12:00:00.000Z',
  receivedAt: '2026-01-10T12:00:01.000Z',
  policyVersion: 3,
  recipient: 'AAAAAAAAAAAAAAAAAAAAAA',
  clear: { event: 'delivered', category: ['receipts', 'ünïcode "quoted" \\ and\nnewline'], asm_group_id: 7 },
  sections,
  keys: { support: 'k'.repeat(22) },
});

describe('envelope record value', () => {
  it('parses to exactly the envelope, with clear text that needs escaping and department names that do too', () => {
    const e = envelope({ support: randomBytes(700).toString('base64'), 'dépt "x"': randomBytes(900).toString('base64') });
    const value = sectionedValue(e);
    assert.deepEqual(JSON.parse(value.toString('utf8')), JSON.parse(JSON.stringify(e)));
    assert.equal(value.length, Buffer.byteLength(JSON.stringify(e)), 'as long as JSON.stringify writes it');
  });

  it('writes an envelope without sections (a policy that grants no department) as valid JSON', () => {
    const e = envelope({});
    assert.deepEqual(JSON.parse(sectionedValue(e).toString('utf8')), JSON.parse(JSON.stringify(e)));
  });
});
