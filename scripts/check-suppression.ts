#!/usr/bin/env node
// Asks a running service whether addresses are on the suppression list (POST /v1/suppressions/check),
// signed like an events source with the embedded default's development secret (created in the data dir
// by `npm start`), and prints the JSON answer.
// Usage: npm run check:suppression -- ADDRESS... [--group 10] [--url http://127.0.0.1:8787] [--data-dir ./.sealpost]
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { devCredentialPaths } from '../ingest-service/src/config/embedded-default.js';
import { eventsSignedHeaders } from '../ingest-service/src/dev/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    group: { type: 'string' },
    'data-dir': { type: 'string', default: process.env.SEALPOST_DATA_DIR ?? './.sealpost' },
  },
});
if (positionals.length === 0) {
  console.error('Usage: npm run check:suppression -- ADDRESS... [--group ID] [--url URL] [--data-dir DIR]');
  process.exit(2);
}
const secretFile = devCredentialPaths(values['data-dir']!).suppressionCheckSecret;
if (!existsSync(secretFile)) {
  console.error(`No development check secret at ${secretFile}. Start the service once with \`npm start\` (it creates it), then run this again.`);
  process.exit(1);
}
const group = values.group === undefined ? undefined : Number(values.group);
const body = Buffer.from(JSON.stringify({ addresses: positionals, ...(group !== undefined ? { group } : {}) }));
const target = `${values.url}/v1/suppressions/check`;
try {
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...eventsSignedHeaders(readFileSync(secretFile, 'utf8').trim(), body) },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  if (!res.ok) console.error(`POST ${target} -> ${res.status}`);
  console.log(text);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`Could not reach ${target}: ${(err as Error).message}. Is the service running (\`npm start\`)?`);
  process.exit(1);
}
