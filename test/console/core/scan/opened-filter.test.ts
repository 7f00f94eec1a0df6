// The opened-field predicate, as a table: what a keyword and a field = value match inside one opened section.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpenedMatch } from '../../../../electron/core/scan/opened-filter.js';

const fields = {
  email: 'Bob.Smith@Example.com',
  ip: '192.0.2.7',
  tls: 1,
  tags: ['vip', 'EU'],
  geo: { country: 'FR', city: 'Lyon' },
  url: null,
};

test('a keyword is found in any value, nested or not, whatever its case; never in field names', () => {
  const table: [string, boolean][] = [
    ['bob.smith', true],
    ['EXAMPLE.COM', true],
    ['192.0.2', true],
    ['lyon', true],
    ['eu', true],
    ['email', false], // a field name, not a value
    ['country', false],
    ['alice', false],
    ['null', false],
  ];
  for (const [keyword, want] of table) assert.equal(compileOpenedMatch({ keyword })(fields), want, keyword);
});

test('field = value compares the whole value, case-insensitively, through dotted paths and into arrays', () => {
  const table: [string, string, boolean][] = [
    ['email', 'bob.smith@example.com', true],
    ['email', 'bob.smith', false], // part of a value is the keyword's job
    ['ip', '192.0.2.7', true],
    ['tls', '1', true],
    ['tags', 'eu', true],
    ['geo.country', 'fr', true],
    ['geo.city', 'paris', false],
    ['geo', 'FR', false], // an object is not a value
    ['missing', 'x', false],
    ['email.length', '21', false], // no properties of strings
    ['url', 'null', false],
  ];
  for (const [field, value, want] of table) assert.equal(compileOpenedMatch({ field, value })(fields), want, `${field} = ${value}`);
});
