import type { GridApi } from 'ag-grid-community';
import type { MessageRow } from '../../../shared/console-api/types.js';
import { api } from '../api/client.js';
import { formatCount } from '../common/format.js';

/**
 * Exports the rows loaded in the grid, in their displayed order (with the sections `profile` opens,
 * when given). Electron writes the file where the user chose; in a browser the content is downloaded.
 * Returns a sentence for the status line.
 */
export async function exportLoadedRows(grid: GridApi<MessageRow>, opts: { topic: string; format: 'csv' | 'json'; profile?: string }): Promise<string | null> {
  const ids: string[] = [];
  grid.forEachNodeAfterFilterAndSort((n) => n.data && ids.push(n.data.id));
  if (!ids.length) return null;
  const res = await api.exportRows({ topic: opts.topic, format: opts.format, ids, ...(opts.profile ? { profile: opts.profile } : {}) });
  if (res.content !== undefined) {
    const url = URL.createObjectURL(new Blob([res.content], { type: opts.format === 'csv' ? 'text/csv' : 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = res.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return `Exported ${formatCount(res.rows)} rows${res.savedTo ? ` to ${res.savedTo}` : ` as ${res.fileName}`}${opts.profile ? ' (with the sections this profile opens)' : ''}.`;
}
