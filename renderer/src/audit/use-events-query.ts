import { useCallback, useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { EventHit, EventQueryResponse } from '../../../shared/console-api/service-types.js';
import type { DecryptedRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { parseUtcInput } from '../common/format.js';

export const EVENTS_PAGE = 100;
const OPEN_BATCH = 500;

/** The filters as typed. `fields` is `path=value` pairs separated by commas or new lines. */
export interface EventFilters {
  type: string;
  from: string;
  to: string;
  fields: string;
  subject: string;
  keyword: string;
}
export const NO_EVENT_FILTERS: EventFilters = { type: '', from: '', to: '', fields: '', subject: '', keyword: '' };

/** `outcome=denied, details.plan=pro` as a map; a pair without `=` is an error the page shows before sending. */
export function parseFieldPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at < 1) throw new Error(`"${part}" is not field=value`);
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function toQuery(service: string, source: string, f: EventFilters, cursor?: string): ArgsIn<'events:query'> {
  const from = parseUtcInput(f.from);
  const to = parseUtcInput(f.to);
  const fields = parseFieldPairs(f.fields);
  return {
    service,
    source,
    ...(f.type.trim() ? { type: f.type.trim() } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(Object.keys(fields).length ? { fields } : {}),
    ...(f.subject.trim() ? { subject: f.subject.trim() } : {}),
    ...(f.keyword.trim() ? { keyword: f.keyword.trim() } : {}),
    limit: EVENTS_PAGE,
    ...(cursor ? { cursor } : {}),
  };
}

export const eventKey = (e: Pick<EventHit, 'source' | 'id'>): string => `${e.source}/${e.id}`;

/**
 * The events query of one service and source: pages appended by cursor, the index's state of the last
 * answer, and the sections opened with the operator's identity (by event key), which main reports to the
 * service's audit trail like any decryption.
 */
export function useEventsQuery(service: string, source: string, profile: string) {
  const [rows, setRows] = useState<EventHit[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [index, setIndex] = useState<EventQueryResponse['index'] | null>(null);
  const [opened, setOpened] = useState<Map<string, DecryptedRow>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const search = useCallback(
    async (f: EventFilters, cursor?: string) => {
      setBusy(true);
      setError(null);
      try {
        const page = await api.queryEvents(toQuery(service, source, f, cursor));
        setRows((r) => (cursor ? [...(r ?? []), ...page.events] : page.events));
        if (!cursor) setOpened(new Map());
        setNext(page.next);
        setIndex(page.index);
      } catch (err) {
        setError(err);
        if (!cursor) setRows([]);
      } finally {
        setBusy(false);
      }
    },
    [service, source],
  );

  const openAll = useCallback(async () => {
    const keys = (rows ?? []).map(eventKey);
    setBusy(true);
    setError(null);
    try {
      const got = new Map<string, DecryptedRow>();
      for (let i = 0; i < keys.length; i += OPEN_BATCH) {
        const r = await api.openEvents({ service, keys: keys.slice(i, i + OPEN_BATCH), profile });
        for (const row of r.rows) got.set(row.id, row);
      }
      setOpened(got);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, [rows, service, profile]);

  return { rows, next, index, opened, error, setError, busy, search, openAll };
}
