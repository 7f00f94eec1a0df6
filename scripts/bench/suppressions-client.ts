// The sending system of bench:suppressions, in a thread of its own: it signs every request before timing (as a
// sender would have its body ready), then posts them one after the other over one kept-alive connection (node:http,
// as a sending system's pooled client would; fetch's own per-request work was a millisecond of the round trip) and
// reports each round trip in ms. Off the service's thread, so its latency is not inflated by the client's work.
import { Agent, request } from 'node:http';
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
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
// GET /healthz after each check: the round trip of a request that does nothing, the floor the machine allows.
const floor: number[] = [];
const healthz = new URL('/healthz', job.url).href;
let suppressed = 0;
for (let r = 0; r < job.requests + job.warmup; r++) {
  const addresses = Array.from({ length: job.perRequest }, (_, i) => (i % 2 === 0 ? `user${(r * job.perRequest + i) % job.entries}@bench.example` : `nobody${r}-${i}@bench.example`));
  const body = Buffer.from(JSON.stringify({ addresses }));
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length), ...eventsSignedHeaders(job.secret, body) };
  const start = performance.now();
  const res = await post(job.url, 'POST', headers, body);
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`check answered ${res.status}: ${res.text}`);
  if (r >= job.warmup) {
    latencies.push(ms);
    suppressed += (JSON.parse(res.text) as { results: { suppressed: boolean }[] }).results.filter((x) => x.suppressed).length;
  }
  const t = performance.now();
  await post(healthz, 'GET', {});
  if (r >= job.warmup) floor.push(performance.now() - t);
}
agent.destroy();
parentPort!.postMessage({ latencies, floor, suppressed });
