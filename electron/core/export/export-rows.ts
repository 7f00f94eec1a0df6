import type { DecryptedRow, MessageRow } from '../../../shared/console-api/types.js';

/**
 * One CSV cell: quoted when it holds a quote, comma or line break, and defused when it starts like a
 * spreadsheet formula (=, +, -, @, tab, CR) — event fields come from outside (URLs, reasons, custom
 * args), and an export opened in a spreadsheet must never run one of them.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

/** Rows (and, when decrypted, their sections) as CSV: one column per department with its fields or why it is locked. */
export function toCsv(rows: readonly MessageRow[], decrypted?: ReadonlyMap<string, DecryptedRow>): string {
  const departments = decrypted ? [...new Set(rows.flatMap((r) => r.departments))].sort() : [];
  const header = ['partition', 'offset', 'timestamp', 'time', 'type', 'source', 'kind', 'event_id', 'category', 'recipient_index', 'departments', ...departments.map((d) => `section_${d}`)];
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) {
    const d = decrypted?.get(r.id);
    const cells: unknown[] = [r.partition, r.offset, iso(r.timestamp), iso(r.time), r.type, r.source, r.kind, r.eventId, r.category, r.recipient, r.departments.join(' ')];
    for (const dept of departments) {
      const s = d?.sections[dept];
      cells.push(!s ? '' : s.state === 'open' ? s.fields : `locked: ${s.message}`);
    }
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Rows (and decrypted sections) as a JSON array, one object per record. */
export function toJson(rows: readonly MessageRow[], decrypted?: ReadonlyMap<string, DecryptedRow>): string {
  return JSON.stringify(
    rows.map((r) => ({ ...r, timestamp: iso(r.timestamp), time: iso(r.time), ...(decrypted?.get(r.id) ? { sections: decrypted.get(r.id)!.sections } : {}) })),
    null,
    2,
  );
}
