import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, toCsv } from '../../../../electron/core/export/export-rows.js';
import type { MessageRow } from '../../../../shared/console-api/types.js';

const formulas: [string, string][] = [
  ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
  ['+1+1', "'+1+1"],
  ['-2+3', "'-2+3"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\t=1', "'\t=1"],
];
for (const [input, expected] of formulas) {
  test(`a cell starting like a formula is defused: ${JSON.stringify(input)}`, () => assert.equal(csvCell(input), expected));
}

test('quotes, commas and line breaks are quoted', () => {
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(null), '');
});

test('decrypted sections become one column per department, locked ones say why', () => {
  const row: MessageRow = {
    id: '0:1', partition: 0, offset: '1', timestamp: 0, eventId: 'e1', type: 'bounce', source: 's', kind: 'sendgrid', time: 0,
    policyVersion: 1, recipient: 'abc', category: null, departments: ['security', 'support'], sizeBytes: 10,
  };
  const csv = toCsv([row], new Map([['0:1', { id: '0:1', sections: { support: { state: 'open', fields: { email: 'x@example.com' } }, security: { state: 'locked', code: 'access_denied', message: 'KMS said no.' } } }]]));
  const [header, line] = csv.trim().split('\r\n');
  assert.match(header!, /section_security,section_support$/);
  assert.match(line!, /locked: KMS said no\.,"\{""email"":""x@example.com""\}"$/);
});
