import type { ActivityLinkView } from '../../../shared/console-api/activity-types.js';
import type { ActivityLinksResponse } from '../../../shared/admin-api/types.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import { ENVELOPE_SCHEMA, type Envelope } from '../../../shared/envelope/index.js';

type Link = ActivityLinksResponse['links'][number];

/** Codes of a link the console cannot open for a reason of its own (the opener's codes cover the rest). */
export const LINK_LOCKS = {
  gone: 'SP_ACTIVITY_LINK_GONE',
  notGranted: 'SP_ACTIVITY_LINK_NOT_GRANTED',
} as const;

/** The URL in an opened section: its only field (`url` for SendGrid, `click.link` for SES). */
const urlIn = (fields: Record<string, unknown>): string | null => {
  for (const v of Object.values(fields)) if (typeof v === 'string') return v;
  return null;
};

/**
 * Opens the sealed URLs of the most clicked links with the operator's identity. Each sealed copy is an
 * ordinary section bound to the id `link:<ref>`, so it goes through the same opener as an event's
 * sections (same checks, same lock reasons) as a small envelope of its own.
 */
export async function openLinks(links: Link[], opener: EnvelopeOpener): Promise<ActivityLinkView[]> {
  const sealed = links.filter((l) => l.sealed && Object.keys(l.sealed.sections).length > 0);
  const envelopes: Envelope[] = sealed.map((l) => ({
    schema: ENVELOPE_SCHEMA,
    id: `link:${l.ref}`,
    source: l.source,
    kind: 'sendgrid',
    type: 'click',
    time: new Date(0).toISOString(),
    receivedAt: new Date(0).toISOString(),
    policyVersion: l.sealed!.policyVersion,
    clear: {},
    sections: l.sealed!.sections,
  }));
  const opened = envelopes.length ? await opener.open(envelopes) : [];
  const byRef = new Map(sealed.map((l, i) => [l.ref, opened[i]!]));
  return links.map((l) => {
    const base = { ref: l.ref, source: l.source, clicks: l.clicks, departments: Object.keys(l.sealed?.sections ?? {}).sort() };
    if (!l.sealed) return { ...base, url: null, locked: { code: LINK_LOCKS.gone, message: 'The sealed copy of this URL is gone (pruned with its counts, or never written by a service that crashed); its clicks are still counted.' } };
    const o = byRef.get(l.ref);
    if (!o) return { ...base, url: null, locked: { code: LINK_LOCKS.notGranted, message: 'The policy grants the URL field to no department: nobody can open it.' } };
    const results = Object.values(o.sections);
    for (const s of results) if (s.state === 'open') return { ...base, url: urlIn(s.fields), locked: null };
    const first = results.find((s) => s.state === 'locked');
    return { ...base, url: null, locked: first && first.state === 'locked' ? { code: first.code, message: first.message } : { code: LINK_LOCKS.notGranted, message: 'No section to open.' } };
  });
}
