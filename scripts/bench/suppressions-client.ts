// The sending system of bench:suppressions, in a thread of its own: it signs every request before timing (as a
// sender would have its body ready), then posts them one after the other and reports each round trip in ms. Off the
// service's thread, so the service's latency is not inflated by the client's own fetch and JSON work.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { eventsSignedHeaders } from '../../ingest-service/src/dev/index.js';

/** What the bench hands the client. */
export interface ClientJob {
  url: string;
  secret: string;
  requests: number;
  warmup: number;
  perRequest: number;
  entries: number;
}

const job = workerData as ClientJob;
const latencies: number[] = [];
// GET /healthz after each check: the round trip of a request that does nothing, the floor the machine allows.
const floor: number[] = [];
const healthz = new URL('/healthz', job.url).href;
let suppressed = 0;
for (let r = 0; r < job.requests + job.warmup; r++) {
  const addresses = Array.from({ length: job.perRequest }, (_, i) => (i % 2 === 0 ? `user${(r * job.perRequest + i) % job.entries}@bench.example` : `nobody${r}-${i}@bench.example`));
  const body = Buffer.from(JSON.stringify({ addresses }));
  const headers = { 'content-type': 'application/json', ...eventsSignedHeaders(job.secret, body) };
  const start = performance.now();
  const res = await fetch(job.url, { method: 'POST', headers, body: new Uint8Array(body) });
  const json = (await res.json()) as { results: { suppressed: boolean }[] };
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`check answered ${res.status}: ${JSON.stringify(json)}`);
  if (r >= job.warmup) {
    latencies.push(ms);
    suppressed += json.results.filter((x) => x.suppressed).length;
  }
  const t = performance.now();
  await (await fetch(healthz)).arrayBuffer();
  if (r >= job.warmup) floor.push(performance.now() - t);
}
parentPort!.postMessage({ latencies, floor, suppressed });
