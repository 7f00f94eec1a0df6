import { useCallback, useState, type MutableRefObject } from 'react';
import type { GridApi } from 'ag-grid-community';
import type { ForgetResponse } from '../../../shared/console-api/service-types.js';
import type { DecryptedRow, MessageRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { formatCount } from '../common/format.js';

/** How long the rows are re-opened, at most, waiting for the console's copy of the keys topic to see the tombstones. */
const SETTLE_MS = 15_000;
const RETRY_MS = 400;
const MAX_IDS = 1_000;

const stillOpen = (rows: readonly DecryptedRow[]): number => rows.filter((r) => Object.values(r.sections).some((s) => s.state === 'open')).length;

/**
 * After a forget, the loaded rows of that person (same blind index) are decrypted again, so their sections
 * say "forgotten on DATE". The console follows the keys topic and applies the tombstones within about a
 * second of the service writing them; until then a section may still open, so this retries (bounded) and
 * says plainly if some stayed open (a console reading another keys topic than the service's).
 */
export function useForgottenRows(opts: {
  gridRef: MutableRefObject<GridApi<MessageRow> | null>;
  topic: string;
  profile: string;
  decrypting: boolean;
  store(rows: readonly DecryptedRow[]): void;
  onError(err: unknown): void;
}) {
  const { gridRef, topic, profile, decrypting, store, onError } = opts;
  const [note, setNote] = useState<{ text: string; ok: boolean } | null>(null);

  const refresh = useCallback(
    async (answer: ForgetResponse) => {
      // Records written after the forget (new data, a new key: docs/forget.md, "Afterwards") stay readable.
      const at = Date.parse(answer.forgottenAt);
      const ids: string[] = [];
      gridRef.current?.forEachNode((n) => {
        if (n.data && n.data.recipient === answer.subject && n.data.departments.length && n.data.timestamp <= at) ids.push(n.data.id);
      });
      const day = answer.forgottenAt.slice(0, 10);
      if (ids.length === 0) return setNote({ ok: true, text: `Forgotten on ${day}: none of this person's records is loaded here; any you load will say so.` });
      const batch = ids.slice(0, MAX_IDS);
      const deadline = Date.now() + SETTLE_MS;
      setNote({ ok: true, text: `Forgotten on ${day}: re-opening this person's ${formatCount(batch.length)} loaded rows…` });
      try {
        for (;;) {
          const res = await api.decrypt({ topic, ids: batch, profile });
          store(res.rows);
          const open = stillOpen(res.rows);
          if (open === 0) {
            const see = decrypting ? '' : ' (turn on "Decrypt visible rows" to see them)';
            return setNote({ ok: true, text: `Forgotten on ${day}: this person's ${formatCount(batch.length)} loaded rows now show "forgotten on ${day}"${see}.` });
          }
          if (Date.now() >= deadline) {
            return setNote({
              ok: false,
              text: `${formatCount(open)} of this person's rows still open here ${SETTLE_MS / 1000} s after the forget: this console may read another keys topic than the service (Settings, keys topic).`,
            });
          }
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      } catch (err) {
        onError(err);
      }
    },
    [gridRef, topic, profile, decrypting, store, onError],
  );

  return { note, refresh, dismiss: useCallback(() => setNote(null), []) };
}
