import { useCallback, useState, type MutableRefObject } from 'react';
import type { GridApi } from 'ag-grid-community';
import type { MessageRow } from '../../../shared/console-api/types.js';

/** Rows the grid holds at most: beyond it the oldest loaded rows are dropped, so memory stays bounded. */
export const MAX_ROWS = 100_000;

/** Where new rows go: instead of what is there, after it, or on top (live tail). */
export type RowPlacement = 'replace' | 'append' | 'prepend';

/**
 * The grid's rows: adding them where they belong, dropping the farthest beyond MAX_ROWS (and telling
 * `forget`, so decrypted sections of dropped rows go too), and the departments seen so far (one column each).
 */
export function useGridRows(opts: { gridRef: MutableRefObject<GridApi<MessageRow> | null>; forget(ids: readonly string[]): void }) {
  const { gridRef, forget } = opts;
  const [departments, setDepartments] = useState<string[]>([]);
  const [rowCount, setRowCount] = useState(0);

  const noteDepartments = useCallback((rows: readonly MessageRow[]) => {
    setDepartments((cur) => {
      const next = new Set(cur);
      for (const r of rows) for (const d of r.departments) next.add(d);
      return next.size === cur.length ? cur : [...next].sort();
    });
  }, []);

  const addRows = useCallback(
    (rows: MessageRow[], where: RowPlacement) => {
      const g = gridRef.current;
      if (!g) return;
      if (where === 'replace') g.setGridOption('rowData', rows);
      else if (rows.length) g.applyTransaction(where === 'prepend' ? { add: rows, addIndex: 0 } : { add: rows });
      const count = g.getDisplayedRowCount();
      if (count > MAX_ROWS) {
        const drop: MessageRow[] = [];
        const first = where === 'prepend' ? MAX_ROWS : 0;
        const last = where === 'prepend' ? count : count - MAX_ROWS;
        for (let i = first; i < last; i++) {
          const n = g.getDisplayedRowAtIndex(i);
          if (n?.data) drop.push(n.data);
        }
        g.applyTransaction({ remove: drop });
        forget(drop.map((r) => r.id));
      }
      noteDepartments(rows);
      setRowCount(g.getDisplayedRowCount());
    },
    [gridRef, forget, noteDepartments],
  );

  return { departments, rowCount, addRows };
}
