#!/usr/bin/env node
// Posts the seed's 14-event SendGrid sample batch to a running service, signed with the embedded
// default's development key (created in the data dir by `npm start`), and prints the answer.
// Usage: npm run send:sample [-- --url http://127.0.0.1:8787 --source sendgrid --data-dir ./.sealpost]
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { devCredentialPaths } from '../ingest-service/src/config/embedded-default.js';
import { sendgridSignedHeaders } from '../ingest-service/src/dev/index.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    source: { type: 'string', default: 'sendgrid' },
    'data-dir': { type: 'string', default: process.env.SEALPOST_DATA_DIR ?? './.sealpost' },
    file: { type: 'string', default: new URL('../ingest-service/samples/sendgrid-seed-batch.json', import.meta.url).pathname },
  },
});
const keyFile = devCredentialPaths(values['data-dir']!).sendgridPrivateKey;
if (!existsSync(keyFile)) {
  console.error(`No development key at ${keyFile}. Start the service once with \`npm start\` (it creates the key), then run this again.`);
  process.exit(1);
}
const body = readFileSync(values.file!);
const target = `${values.url}/v1/sendgrid/${values.source}`;
try {
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sendgridSignedHeaders(readFileSync(keyFile, 'utf8'), body) },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  console.log(`POST ${target} -> ${res.status} ${text}`);
  if (res.ok) {
    const { accepted } = JSON.parse(text) as { accepted: number };
    console.log(`${accepted} events accepted and journaled. See them counted at ${values.url}/metrics (sealpost_events_accepted_total).`);
  }
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`Could not reach ${target}: ${(err as Error).message}. Is the service running (\`npm start\`)?`);
  process.exit(1);
}
