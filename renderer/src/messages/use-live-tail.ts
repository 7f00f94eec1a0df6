import { useEffect, useRef } from 'react';
import type { Cursor, MessageRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { hasFilters, type Filters } from './filters-bar.js';

const POLL_MS = 1_000;

/**
 * Live tail: while `on`, polls the topic from its end (forward cursor) once a second and hands new
 * rows (newest first) to `onRows`; the same clear-part filters apply (a recipient search as `profile`). Stops when turned off or unmounted.
 */
export function useLiveTail(opts: { on: boolean; topic: string; filters: Filters; profile: string; onRows(rows: MessageRow[]): void; onError(err: unknown): void }): void {
  const { on, topic, filters, profile, onRows, onError } = opts;
  const cursor = useRef<Cursor | null>(null);
  useEffect(() => {
    if (!on) return;
    let stop = false;
    cursor.current = null;
    const loop = async () => {
      while (!stop) {
        try {
          const base = { topic, mode: 'tail' as const, limit: 1000, ...(hasFilters(filters) ? { filters } : {}), profile };
          const w = await api.messageWindow(cursor.current ? { ...base, cursor: cursor.current } : base);
          if (stop) return;
          cursor.current = w.cursor;
          if (w.rows.length) onRows([...w.rows].reverse());
        } catch (err) {
          onError(err);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    void loop();
    return () => {
      stop = true;
    };
  }, [on, topic, filters, profile, onRows, onError]);
}
