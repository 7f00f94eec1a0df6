// A subject key record's value (shared/subject-keys/format.ts subjectKeyRecordValue) is byte for byte what
// JSON.stringify writes for it, whatever its department and instance hold, and for fields that would need escaping.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SUBJECT_KEY_SCHEMA, subjectKeyRecordValue, type SubjectKeyRecord } from '../../../shared/subject-keys/index.js';

const record = (over: Partial<SubjectKeyRecord> = {}): SubjectKeyRecord => ({
  schema: SUBJECT_KEY_SCHEMA,
  subject: randomBytes(16).toString('base64url'),
  department: 'support',
  keyId: randomBytes(16).toString('base64url'),
  createdAt: new Date().toISOString(),
  instance: randomBytes(8).toString('hex'),
  sealed: randomBytes(420).toString('base64'),
  ...over,
});

describe('subjectKeyRecordValue', () => {
  test('equals JSON.stringify for the records the keyring makes, and for departments and instances that need escaping', () => {
    const odd = ['sécurité', 'a"b', 'back\\slash', 'line\nbreak', '\u2028', '😀', 'tab\there', '\u0001'];
    const cases = [record(), ...odd.map((department) => record({ department })), ...odd.map((instance) => record({ instance }))];
    for (const rec of cases) assert.deepEqual(subjectKeyRecordValue(rec), Buffer.from(JSON.stringify(rec)), JSON.stringify(rec).slice(0, 80));
  });

  test('a subject, key id, time or sealed key that would need escaping takes JSON.stringify whole', () => {
    for (const over of [{ subject: 'a"b' }, { keyId: 'k\\y' }, { createdAt: '2026-12-05T10:00:00Z\n' }, { sealed: 'AAAA"' }, { subject: 'é' }]) {
      const rec = record(over);
      assert.deepEqual(subjectKeyRecordValue(rec), Buffer.from(JSON.stringify(rec)));
      assert.deepEqual(JSON.parse(subjectKeyRecordValue(rec).toString('utf8')), rec);
    }
  });
});
