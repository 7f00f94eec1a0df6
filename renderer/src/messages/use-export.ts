import { useCallback, useState, type MutableRefObject } from 'react';
import type { GridApi } from 'ag-grid-community';
import type { MessageRow } from '../../../shared/console-api/types.js';
import { exportLoadedRows } from './export-view.js';

/** Export of the loaded rows (with the opened sections when decrypting), and the note saying where it went. */
export function useExport(opts: { gridRef: MutableRefObject<GridApi<MessageRow> | null>; topic: string; profile: string; decrypt: boolean; onError(err: unknown): void }) {
  const { gridRef, topic, profile, decrypt, onError } = opts;
  const [note, setNote] = useState<string | null>(null);
  const exportRows = useCallback(
    async (format: 'csv' | 'json') => {
      if (!gridRef.current) return;
      setNote(null);
      try {
        setNote(await exportLoadedRows(gridRef.current, { topic, format, ...(decrypt ? { profile } : {}) }));
      } catch (err) {
        onError(err);
      }
    },
    [gridRef, topic, decrypt, profile, onError],
  );
  return { exportNote: note, exportRows };
}
