import { performance } from 'node:perf_hooks';
import { eventsSignedHeaders, sendgridSignedHeaders } from '../../ingest-service/src/dev/index.js';

export interface IngestClientOptions {
  /** The service's base URL. */
  base: string;
  /** Signed audit events to the `events` source (with its HMAC secret) instead of SendGrid batches. */
  events?: { secret: string };
  /** The SendGrid verification key's private half (SendGrid mode). */
  sendgridPrivatePem: string;
  /** Events per request. */
  batch: number;
  makeBody(): Buffer;
}

/** How bench:ingest talks to the service it drives: signed posts, a paced sender, and its metrics. */
export function createIngestClient(o: IngestClientOptions) {
  let refused = 0;

  /** Posts one signed batch; resolves with its ack latency in ms, rejects unless the service answered 200. */
  async function post(body: Buffer): Promise<number> {
    const headers = o.events ? eventsSignedHeaders(o.events.secret, body) : sendgridSignedHeaders(o.sendgridPrivatePem, body);
    const t0 = performance.now();
    const res = await fetch(`${o.base}/v1/${o.events ? 'events' : 'sendgrid'}/bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: new Uint8Array(body),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`service answered ${res.status}`);
    return performance.now() - t0;
  }

  /** The first sample of a service metric (0 when absent). */
  async function metricValue(prefix: string): Promise<number> {
    const text = await (await fetch(`${o.base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  /** Offers `rate` events/s (batches sent on schedule whether or not earlier ones were answered); returns the events accepted. */
  async function paced(rate: number, seconds: number, onAck: (ms: number) => void): Promise<number> {
    const interval = (o.batch / rate) * 1000;
    const stop = Date.now() + seconds * 1000;
    const inflight: Promise<number>[] = [];
    for (let next = Date.now(); next < stop; next += interval) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        post(o.makeBody()).then(
          (ms) => (onAck(ms), o.batch),
          () => (refused++, 0),
        ),
      );
    }
    return (await Promise.all(inflight)).reduce((a, b) => a + b, 0);
  }

  return {
    post,
    metricValue,
    paced,
    forwardedCount: (): Promise<number> => metricValue('sealpost_events_forwarded_total{'),
    /** Requests of the paced phases that got no 200 (a connection the service's listener cap or timeouts closed...). */
    refusedRequests: (): number => refused,
  };
}
