import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackAddress, isLoopbackHost } from '../../../shared/net/index.js';
import { isSafeServiceUrl } from '../../../shared/console-api/service-schemas.js';

// One table of hostile and friendly inputs for every loopback decision Sealpost makes.
const ADDRESSES: [string | undefined, boolean][] = [
  ['127.0.0.1', true],
  ['127.8.9.10', true],
  ['127.255.255.254', true],
  ['::1', true],
  ['0:0:0:0:0:0:0:1', true],
  ['::ffff:127.0.0.1', true],
  ['::ffff:7f00:1', true],
  ['128.0.0.1', false],
  ['126.255.255.255', false],
  ['192.0.2.2', false],
  ['::ffff:192.0.2.2', false],
  ['::127.0.0.1', false], // IPv4-compatible (deprecated), not loopback
  ['fd00::2', false],
  ['fe80::1%lo', false],
  ['0.0.0.0', false],
  ['::', false],
  ['0177.0.0.1', false], // octal: not an address
  ['127.1', false], // short form: not an address
  ['2130706433', false], // 127.0.0.1 as one number
  ['127.0.0.1.evil.com', false],
  ['127.0.0.1 ', false],
  [' 127.0.0.1', false],
  ['localhost', false], // a name, never a socket peer
  ['', false],
  [undefined, false],
];

describe('isLoopbackAddress (socket peers)', () => {
  for (const [a, v] of ADDRESSES) it(`${JSON.stringify(a)} is ${v ? '' : 'not '}loopback`, () => assert.equal(isLoopbackAddress(a), v));
});

describe('isLoopbackHost (listen hosts)', () => {
  const hosts: [string, boolean][] = [
    ...ADDRESSES.filter((e): e is [string, boolean] => e[0] !== undefined && e[0] !== 'localhost'),
    ['localhost', true],
    ['LocalHost', true],
    ['[::1]', true],
    ['[::ffff:7f00:1]', true],
    ['localhost.', false],
    ['localhost.evil.com', false],
    ['evil-localhost', false],
    ['[::1', false],
    ['[192.0.2.1]', false],
  ];
  for (const [h, v] of hosts) it(`${JSON.stringify(h)} is ${v ? '' : 'not '}a loopback host`, () => assert.equal(isLoopbackHost(h), v));
});

describe('isSafeServiceUrl (where a console token may go)', () => {
  const urls: [string, boolean][] = [
    ['https://ingest.example.com:8788', true],
    ['http://127.0.0.1:8788', true],
    ['http://localhost:8788', true],
    ['http://[::1]:8788', true],
    ['http://0177.0.0.1:8788', true], // the URL parser reads it as 127.0.0.1, and so does fetch
    ['http://127.1:8788', true], // idem
    ['http://127.0.0.1.evil.com:8788', false],
    ['http://localhost.evil.com:8788', false],
    ['http://[::ffff:c000:201]:8788', false],
    ['http://192.168.1.10:8788', false],
    ['http://user:pw@127.0.0.1:8788', false],
    ['http://127.0.0.1:8788/?x=1', false],
    ['ftp://127.0.0.1', false],
    ['not a url', false],
  ];
  for (const [u, v] of urls) it(`${u} is ${v ? '' : 'not '}safe`, () => assert.equal(isSafeServiceUrl(u), v));
});
