import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS, dispatch, type ConsoleHandlers } from '../../../shared/console-api/index.js';
import { SealpostError } from '../../../shared/errors/index.js';

/** Handlers that record what reached them: anything recorded got past the schema. */
function recordingHandlers(): { handlers: ConsoleHandlers; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const handlers = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      async (args: unknown) => {
        calls.push([c, args]);
        return { echoed: true };
      },
    ]),
  ) as unknown as ConsoleHandlers;
  return { handlers, calls };
}

const hostile: [string, string, unknown][] = [
  ['unknown channel', 'fs:read', { path: '/etc/passwd' }],
  ['prototype key as channel', '__proto__', {}],
  ['constructor as channel', 'constructor', {}],
  ['topic with path traversal', 'topic:partitions', { topic: '../../etc' }],
  ['topic too long', 'topic:partitions', { topic: 'a'.repeat(250) }],
  ['extra key smuggled in', 'topic:partitions', { topic: 'events', admin: true }],
  ['args not an object', 'topic:partitions', 'events'],
  ['null args', 'messages:window', null],
  ['negative limit', 'messages:window', { topic: 't', mode: 'newest', limit: -1 }],
  ['huge limit', 'messages:window', { topic: 't', mode: 'newest', limit: 10_000_000 }],
  ['offset mode without offset', 'messages:window', { topic: 't', mode: 'offset' }],
  ['offset as number expression', 'messages:window', { topic: 't', mode: 'offset', offset: '1e9' }],
  ['unknown mode', 'messages:window', { topic: 't', mode: 'all' }],
  ['reversed time range', 'messages:window', { topic: 't', mode: 'newest', filters: { timeFrom: 10, timeTo: 5 } }],
  ['row id injection', 'messages:decrypt', { topic: 't', ids: ["0:1' OR 1=1"], profile: 'local' }],
  ['too many ids', 'messages:decrypt', { topic: 't', ids: Array.from({ length: 1001 }, (_, i) => `0:${i}`), profile: 'local' }],
  ['profile with shell chars', 'access:matrix', { profile: 'x; rm -rf /' }],
  ['broker url instead of host:port', 'console:connect', { connection: { name: 'c', brokers: ['http://evil:80/'] } }],
  ['sasl without username', 'console:connect', { connection: { name: 'c', brokers: ['b:9092'], auth: { kind: 'plain' } } }],
  ['unknown auth kind', 'console:connect', { connection: { name: 'c', brokers: ['b:9092'], auth: { kind: 'gssapi' } } }],
  ['javascript ingest url', 'settings:set', { ingestUrl: 'javascript:alert(1)' }],
  ['file ingest url', 'settings:set', { ingestUrl: 'file:///etc/passwd' }],
  ['scan id not a uuid', 'scan:cancel', { scanId: '../../x' }],
  ['args on a no-arg channel', 'settings:get', { dump: true }],
  ['export with no rows', 'export', { topic: 't', format: 'csv', ids: [] }],
  ['export in another format', 'export', { topic: 't', format: 'html', ids: ['0:1'] }],
  ['group id with an address (it goes to the audit trail)', 'groups:reset-apply', { groupId: 'bob@example.com', topic: 't', to: { kind: 'earliest' } }],
  ['group id with a line break', 'groups:reset-apply', { groupId: 'g\nx-evil: 1', topic: 't', to: { kind: 'earliest' } }],
  ['group id too long', 'groups:reset-preview', { groupId: 'g'.repeat(250), topic: 't', to: { kind: 'latest' } }],
  ['reset to a negative offset', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'offset', offset: '-1' } }],
  ['reset offset as number expression', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'offset', offset: '1e9' } }],
  ['reset to an unknown place', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'middle' } }],
  ['reset with an empty partition list', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'earliest' }, partitions: [] }],
  ['reset of a negative partition', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'earliest' }, partitions: [-1] }],
  ['reset with a smuggled key', 'groups:reset-apply', { groupId: 'g', topic: 't', to: { kind: 'earliest' }, force: true }],
];

for (const [why, channel, args] of hostile) {
  test(`refuses ${why} before any handler runs`, async () => {
    const { handlers, calls } = recordingHandlers();
    const reply = await dispatch(handlers, channel, args);
    assert.equal(reply.ok, false);
    assert.match(reply.ok ? '' : reply.error.code, /^SP_CONSOLE_(BAD_ARGS|UNKNOWN_CHANNEL)$/);
    assert.deepEqual(calls, []);
  });
}

test('a valid call reaches its handler with defaults filled in', async () => {
  const { handlers, calls } = recordingHandlers();
  const reply = await dispatch(handlers, 'messages:window', { topic: 'events', mode: 'newest' });
  assert.deepEqual(reply, { ok: true, value: { echoed: true } });
  assert.deepEqual(calls, [['messages:window', { topic: 'events', mode: 'newest', limit: 500, scanBudget: 50_000 }]]);
});

test('the error message names the field but never echoes the value sent', async () => {
  const { handlers } = recordingHandlers();
  const secret = 'bob@example.com';
  const reply = await dispatch(handlers, 'messages:decrypt', { topic: 't', ids: [secret], profile: 'local' });
  assert.equal(reply.ok, false);
  if (!reply.ok) {
    assert.match(reply.error.message, /ids\.0/);
    assert.doesNotMatch(reply.error.message, /bob/);
  }
});

test('our own errors keep their code; anything else becomes a generic internal error', async () => {
  const { handlers } = recordingHandlers();
  const seen: unknown[] = [];
  handlers['topics:list'] = async () => {
    throw new SealpostError('SP_CONSOLE_BROKER_UNREACHABLE', 'No broker answered.', { retriable: true });
  };
  handlers['profiles:list'] = async () => {
    throw new Error('ENOENT /home/bob/.aws/config');
  };
  const ours = await dispatch(handlers, 'topics:list', undefined);
  assert.deepEqual(ours, { ok: false, error: { code: 'SP_CONSOLE_BROKER_UNREACHABLE', message: 'No broker answered.', retriable: true } });
  const theirs = await dispatch(handlers, 'profiles:list', undefined, (err) => seen.push(err));
  assert.equal(theirs.ok, false);
  if (!theirs.ok) {
    assert.equal(theirs.error.code, 'SP_CONSOLE_INTERNAL');
    assert.doesNotMatch(theirs.error.message, /bob|ENOENT/);
  }
  assert.equal(seen.length, 1);
});
