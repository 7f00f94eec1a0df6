// Generated SendGrid traffic for the email activity tests: messages that go processed -> delivered -> open ->
// click (some bounce, block or are deferred first), with personal values everywhere SendGrid puts them (address,
// IP, a reply text naming the recipient, URLs with a personal query), and the counts a reader expects, worked out
// here from what is generated (not with the service's code).

export interface ExpectedActivity {
  byType: Record<string, number>;
  /** category -> funnel stage -> events. */
  funnel: Record<string, { processed: number; delivered: number; open: number; click: number }>;
  bounces: Record<string, number>;
  deferrals: Record<string, number>;
  /** URL -> clicks. */
  clicks: Record<string, number>;
  /** Every personal value the events carry (none may be stored in clear). */
  personal: string[];
}

const CATEGORIES: (string | string[] | undefined)[] = [['spring-sale'], ['newsletter', 'weekly'], 'transactional', undefined];
const LINKS = ['https://shop.example.com/offer/spring', 'https://shop.example.com/offer/boots', 'https://news.example.com/read/42'];

/**
 * About `messages * 3.2` events for `messages` recipients, event times spread over the `minutes` minutes
 * before `now`. `tag` makes the event ids (and so dedupe) unique per test run.
 */
export function generateActivity(messages: number, opts: { now: number; minutes: number; tag: string }): { events: Record<string, unknown>[]; expected: ExpectedActivity } {
  const events: Record<string, unknown>[] = [];
  const x: ExpectedActivity = { byType: {}, funnel: {}, bounces: {}, deferrals: {}, clicks: {}, personal: [] };
  const catsOf = (c: string | string[] | undefined): string[] => (c === undefined ? ['(none)'] : typeof c === 'string' ? [c] : c);
  for (let m = 0; m < messages; m++) {
    const email = `person${m}.${opts.tag}@example.org`;
    const ip = `203.0.${m % 250}.${(m * 7) % 250}`;
    const category = CATEGORIES[m % CATEGORIES.length];
    const base = Math.floor((opts.now - ((m * 37) % opts.minutes) * 60_000 - 30_000) / 1000);
    let n = 0;
    const add = (event: string, extra: Record<string, unknown> = {}): void => {
      events.push({ email, event, timestamp: base + n, sg_event_id: `${opts.tag}-${m}-${n++}`, sg_message_id: `msg-${opts.tag}-${m}`, ...(category ? { category } : {}), ...extra });
      x.byType[event] = (x.byType[event] ?? 0) + 1;
      const stage = ({ processed: 'processed', delivered: 'delivered', open: 'open', click: 'click' } as const)[event as 'open'];
      if (stage) for (const c of catsOf(category)) (x.funnel[c] ??= { processed: 0, delivered: 0, open: 0, click: 0 })[stage]++;
    };
    x.personal.push(email, ip);
    add('processed');
    if (m % 5 === 1) {
      const response = m % 10 === 1 ? `451 4.7.1 Greylisted, please retry for <${email}>` : `421 Service busy for ${email}`;
      add('deferred', { response, attempt: '1' });
      x.deferrals[m % 10 === 1 ? '451 4.7.1' : '421'] = (x.deferrals[m % 10 === 1 ? '451 4.7.1' : '421'] ?? 0) + 1;
    }
    if (m % 13 === 3) {
      const blocked = m % 2 === 1;
      add('bounce', { type: blocked ? 'blocked' : 'bounce', bounce_classification: blocked ? 'Reputation' : 'Invalid Address', reason: `550 5.1.1 <${email}>: Recipient address rejected`, status: '5.1.1' });
      const cls = blocked ? 'blocked/Reputation' : 'bounce/Invalid Address';
      x.bounces[cls] = (x.bounces[cls] ?? 0) + 1;
      continue;
    }
    add('delivered', { ip, response: `250 2.0.0 OK ${email}` });
    if (m % 2 === 0) {
      add('open', { ip, useragent: `Mozilla/5.0 (person ${m})` });
      if (m % 4 === 0) {
        const url = m % 8 === 0 ? LINKS[m % LINKS.length]! : `${LINKS[m % LINKS.length]}?ref=${m % 3}`;
        add('click', { ip, url, useragent: 'Mozilla/5.0' });
        x.clicks[url] = (x.clicks[url] ?? 0) + 1;
        x.personal.push(url);
      }
    }
  }
  return { events, expected: x };
}
