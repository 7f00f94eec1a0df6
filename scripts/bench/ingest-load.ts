/** The load bench:ingest posts: batches of SendGrid events, or of audit events (--events), numbered per run. */

const EVENTS = ['processed', 'delivered', 'open', 'click', 'bounce'];
const OUTCOMES = ['success', 'success', 'success', 'denied', 'failure'];

export interface BatchOptions {
  /** Run id: makes event ids unique per run. */
  run: string;
  batch: number;
  /** Audit events for an `events` source instead of SendGrid events. */
  audit: boolean;
  /** A new recipient per event (the subject-key worst case); else 5,000 recipients in turn. */
  newSubjectEveryEvent: boolean;
}

/** Returns a function that makes the next batch (body and events), numbering events across calls. */
export function createBatchMaker(o: BatchOptions): () => { body: Buffer; events: Record<string, unknown>[] } {
  let seq = 0;
  const address = (n: number): string => (o.newSubjectEveryEvent ? `user${o.run}-${n}@example.com` : `user${n % 5000}@example.com`);
  /** Audit events: common fields, clear outcome and producer, personal actor, subject and details. */
  const auditEvent = (n: number, at: string): Record<string, unknown> => ({
    id: `${o.run}-${n}`,
    type: `resource.${EVENTS[n % EVENTS.length]}`,
    time: at,
    source: 'bench-producer',
    outcome: OUTCOMES[n % OUTCOMES.length],
    actor: `operator${n % 50}@corp.example`,
    subject: address(n),
    details: { resource: `invoice/${n}`, ip: '192.0.2.10', amount: n % 1000 },
  });
  return () => {
    const events: Record<string, unknown>[] = [];
    const now = Math.floor(Date.now() / 1000);
    const at = new Date().toISOString();
    for (let i = 0; i < o.batch; i++) {
      const n = seq++;
      if (o.audit) {
        events.push(auditEvent(n, at));
        continue;
      }
      events.push({
        email: address(n),
        event: EVENTS[n % EVENTS.length],
        timestamp: now,
        'smtp-id': `<${o.run}.${n}@ismtpd-bench>`,
        sg_event_id: `${o.run}-${n}`,
        sg_message_id: `${o.run}.filter0001.${n}`,
        category: ['bench', 'newsletter'],
        ip: '192.0.2.10',
        useragent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36',
        url: 'https://example.com/offer?id=42',
        send_id: '30000',
      });
    }
    return { body: Buffer.from(JSON.stringify(events)), events };
  };
}
