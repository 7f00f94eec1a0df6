import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';
import type { GridApi, IRowNode } from 'ag-grid-community';
import type { DecryptedRow, MessageRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';

const DECRYPT_BATCH = 500;
const SCROLL_SETTLE_MS = 120;

/**
 * Decryption of what is on screen, and only that, with the chosen profile: the opened sections by row id
 * (kept in a ref the grid's cells read; `version` changes when it does), the "Decrypt visible rows" switch,
 * re-decrypting after scrolls settle, and one row on demand (the detail pane).
 */
export function useDecryption(opts: { gridRef: MutableRefObject<GridApi<MessageRow> | null>; topic: string; profile: string; onError(err: unknown): void }) {
  const { gridRef, topic, profile, onError } = opts;
  const [decrypt, setDecrypt] = useState(false);
  const decrypted = useRef(new Map<string, DecryptedRow>());
  const [version, setVersion] = useState(0);

  const decryptVisible = useCallback(async () => {
    const g = gridRef.current;
    if (!g || !decrypt) return;
    // The rows in the viewport (right after a load too, before the grid has painted them).
    const pending: MessageRow[] = [];
    const last = Math.min(g.getLastDisplayedRowIndex(), g.getFirstDisplayedRowIndex() + 200);
    for (let i = Math.max(0, g.getFirstDisplayedRowIndex()); i <= last; i++) {
      const r = g.getDisplayedRowAtIndex(i)?.data;
      if (r && r.departments.length && !decrypted.current.has(r.id)) pending.push(r);
    }
    for (let i = 0; i < pending.length; i += DECRYPT_BATCH) {
      const batch = pending.slice(i, i + DECRYPT_BATCH);
      try {
        const res = await api.decrypt({ topic, ids: batch.map((r) => r.id), profile });
        for (const row of res.rows) decrypted.current.set(row.id, row);
        const nodes = batch.map((r) => g.getRowNode(r.id)).filter((n): n is IRowNode<MessageRow> => Boolean(n));
        g.refreshCells({ rowNodes: nodes, force: true });
        setVersion((v) => v + 1);
      } catch (err) {
        onError(err);
        return;
      }
    }
  }, [gridRef, decrypt, topic, profile, onError]);

  // Callers that run after a load (whose closure may be older) always reach the current one.
  const decryptVisibleRef = useRef(decryptVisible);
  decryptVisibleRef.current = decryptVisible;

  useEffect(() => {
    decrypted.current.clear();
    setVersion((v) => v + 1);
    if (decrypt) void decryptVisible();
  }, [decrypt, profile, decryptVisible]);

  const scrollTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onScroll = useCallback(() => {
    if (scrollTimer.current) clearTimeout(scrollTimer.current);
    scrollTimer.current = setTimeout(() => void decryptVisible(), SCROLL_SETTLE_MS);
  }, [decryptVisible]);

  const decryptOne = useCallback(
    (id: string) => {
      void api.decrypt({ topic, ids: [id], profile }).then(
        (res) => {
          for (const row of res.rows) decrypted.current.set(row.id, row);
          setVersion((v) => v + 1);
        },
        (err) => onError(err),
      );
    },
    [topic, profile, onError],
  );

  /** Puts rows decrypted elsewhere (a refresh after forgetting a person) in place, and repaints them. */
  const store = useCallback(
    (rows: readonly DecryptedRow[]) => {
      for (const row of rows) decrypted.current.set(row.id, row);
      const g = gridRef.current;
      const nodes = rows.map((r) => g?.getRowNode(r.id)).filter((n): n is IRowNode<MessageRow> => Boolean(n));
      if (g && nodes.length) g.refreshCells({ rowNodes: nodes, force: true });
      setVersion((v) => v + 1);
    },
    [gridRef],
  );

  const forget = useCallback((ids: readonly string[]) => {
    for (const id of ids) decrypted.current.delete(id);
  }, []);
  const clear = useCallback(() => decrypted.current.clear(), []);
  const latest = useCallback(() => decryptVisibleRef.current(), []);

  return { decrypt, setDecrypt, decrypted, version, decryptVisible, decryptVisibleLatest: latest, onScroll, decryptOne, store, forget, clear };
}
