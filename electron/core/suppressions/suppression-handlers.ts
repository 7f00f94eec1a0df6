import type { AuditRecordRequest } from '../../../shared/admin-api/index.js';
import type { AdminClient } from '../../../shared/aws-sign-in/index.js';
import type { Channel, ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { SuppressionEntry, SuppressionRow } from '../../../shared/console-api/suppression-types.js';
import type { EnvelopeOpener } from '../../../shared/decrypt/types.js';
import { ENVELOPE_SCHEMA, ENVELOPE_SCHEMA_V2, type Envelope } from '../../../shared/envelope/index.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';

export const SUPPRESSION_CHANNELS = ['suppressions:list', 'suppressions:counts', 'suppressions:remove', 'suppressions:export'] as const satisfies readonly Channel[];
export type SuppressionChannel = (typeof SUPPRESSION_CHANNELS)[number];

export interface SuppressionHandlerDeps {
  /** One admin call on the named service (the service module's connector). */
  call<T>(service: string, fn: (c: AdminClient) => Promise<T>): Promise<T>;
  /** The blind indexer of the viewing identity (the address never leaves this process). */
  blindIndex(profile: string): Promise<(address: string) => string>;
  /** The opener of a profile, reading v2 sections through the connection's keys topic (as every reader of the console). */
  opener(profile: string): Promise<EnvelopeOpener>;
  /** The profile a call runs as (the one named, else the saved one, else local keys). */
  viewer(profile: string | undefined): string;
  saveExport?(fileName: string, content: string): Promise<string | null>;
  /** Best-effort audit report of a decryption or export (the console's own trail entries). */
  report(event: AuditRecordRequest): void;
}

/**
 * A suppression entry as an envelope the console's openers already open: its sections are sealed
 * exactly as an event's (encryption context department/source/policy version, plaintext bound to
 * `sealedId`; with subject keys, under the subject's keys as a v2 envelope whose recipient is the
 * entry's subject), so the same opener, keys topic, caches and lock reasons ("forgotten on …") apply.
 */
function asEnvelope(e: SuppressionEntry): Envelope {
  const base: Envelope = { schema: ENVELOPE_SCHEMA, id: e.sealedId, source: e.sealedSource, kind: 'sendgrid', type: 'suppression', time: e.updatedAt, receivedAt: e.updatedAt, policyVersion: e.policyVersion, clear: {}, sections: e.sections };
  return e.keys ? { ...base, schema: ENVELOPE_SCHEMA_V2, recipient: e.subject, keys: e.keys } : base;
}

/** Opens each entry's address with `opener`: the first open section holding it, else why it stayed closed. */
async function openAddresses(entries: readonly SuppressionEntry[], opener: EnvelopeOpener): Promise<{ rows: SuppressionRow[]; opened: number; locked: number }> {
  const opened = entries.length ? await opener.open(entries.map(asEnvelope)) : [];
  let nOpen = 0;
  let nLocked = 0;
  const rows = entries.map((e, i): SuppressionRow => {
    const sections = Object.values(opened[i]?.sections ?? {});
    for (const s of sections) {
      if (s.state === 'open' && typeof s.fields['address'] === 'string') {
        nOpen++;
        return { ...e, address: s.fields['address'], lock: null };
      }
    }
    nLocked++;
    const locked = sections.find((s) => s.state === 'locked');
    return { ...e, address: null, lock: locked && locked.state === 'locked' ? { code: locked.code, message: locked.message } : { code: 'unknown', message: 'No sealed address in this entry.' } };
  });
  return { rows, opened: nOpen, locked: nLocked };
}

/**
 * The Suppressions page's channels. Search hashes the address here with the viewing identity's
 * blind-index key; listing and export open the sealed addresses with that identity, and each such
 * opening is reported to the service's audit trail like any other decryption. Removal is the
 * service's own audited action (admin only).
 */
export function suppressionHandlers(deps: SuppressionHandlerDeps): Pick<ConsoleHandlers, SuppressionChannel> {
  const listAll = async (service: string, profile: string): Promise<{ rows: SuppressionRow[]; identity: string; opened: number; locked: number }> => {
    const exported = await deps.call(service, (c) => c.exportSuppressions());
    const opener = await deps.opener(profile);
    const [identity, o] = await Promise.all([opener.identity(), openAddresses(exported.entries, opener)]);
    return { ...o, identity };
  };
  return {
    async 'suppressions:list'({ service, address, reason, active, limit, cursor, profile }) {
      const who = deps.viewer(profile);
      const subject = address ? (await deps.blindIndex(who))(address) : undefined;
      const page = await deps.call(service, (c) =>
        c.listSuppressions({ active: active ? 'true' : 'false', limit, ...(subject ? { subject } : {}), ...(reason ? { reason } : {}), ...(cursor ? { cursor } : {}) }),
      );
      const opener = await deps.opener(who);
      const [identity, o] = await Promise.all([opener.identity(), openAddresses(page.entries, opener)]);
      if (page.entries.length) {
        deps.report({ action: 'decrypt', target: 'suppressions/list', outcome: o.opened === 0 && o.locked > 0 ? 'denied' : 'success', details: { purpose: 'suppressions', records: page.entries.length, opened: o.opened, locked: o.locked, search: Boolean(subject) } });
      }
      return { entries: o.rows, next: page.next, total: page.total, ready: page.ready, identity };
    },
    'suppressions:counts': ({ service, ...query }) => deps.call(service, (c) => c.suppressionCounts(query)),
    'suppressions:remove': ({ service, ...request }) => deps.call(service, (c) => c.removeSuppression(request)),
    async 'suppressions:export'({ service, profile }) {
      const who = deps.viewer(profile);
      const { rows, identity, opened, locked } = await listAll(service, who);
      const content = `${JSON.stringify(
        {
          exportedAt: new Date().toISOString(),
          openedAs: identity,
          entries: rows.map((r) => ({ address: r.address, subject: r.subject, group: r.group, reasons: r.reasons, since: r.since, updatedAt: r.updatedAt, detail: r.detail })),
        },
        null,
        2,
      )}\n`;
      const fileName = `suppressions-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      const bytes = Buffer.byteLength(content);
      deps.report({ action: 'export', target: 'suppressions/export', outcome: 'success', details: { rows: rows.length, bytes, opened, locked } });
      if (deps.saveExport) {
        const savedTo = await deps.saveExport(fileName, content);
        if (!savedTo) throw new SealpostError(CONSOLE_ERRORS.exportCancelled, 'Export cancelled: nothing was written.', { status: 400 });
        return { rows: rows.length, bytes, fileName, savedTo };
      }
      return { rows: rows.length, bytes, fileName, content };
    },
  };
}
