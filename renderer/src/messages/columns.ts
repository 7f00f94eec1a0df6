import type { ColDef } from 'ag-grid-community';
import type { DecryptedRow, MessageRow } from '../../../shared/console-api/types.js';
import { formatBytes, formatTime, summarizeFields } from '../common/format.js';

/** Short words for lock reasons: the cell says it, the tooltip says the whole sentence. */
export const LOCK_LABEL: Record<string, string> = {
  access_denied: 'access denied',
  key_not_found: 'key not found',
  no_credentials: 'no credentials',
  sso_expired: 'SSO expired',
  kms_unreachable: 'KMS unreachable',
  no_local_key: 'no local key',
  tampered: 'tampered',
  forgotten: 'forgotten',
  subject_key_missing: 'no subject key',
  unknown: 'reason unknown',
};

/** What a locked cell says: "forgotten on DATE" for a forgotten person's section, else "locked: reason". */
export function lockedCellText(s: { code: string; forgottenAt?: string }): string {
  if (s.code === 'forgotten') return s.forgottenAt ? `forgotten on ${s.forgottenAt.slice(0, 10)}` : 'forgotten';
  return `locked: ${LOCK_LABEL[s.code] ?? 'unknown'}`;
}

const TYPE_CLASS: Record<string, string> = {
  delivered: 'type-ok',
  processed: 'type-neutral',
  open: 'type-info',
  click: 'type-info',
  bounce: 'type-bad',
  dropped: 'type-bad',
  spamreport: 'type-bad',
  deferred: 'type-warn',
  Bounce: 'type-bad',
  Complaint: 'type-bad',
  Delivery: 'type-ok',
  Reject: 'type-bad',
  DeliveryDelay: 'type-warn',
};

/** Columns of the message grid: the clear part, then one column per department when decryption is on. */
export function messageColumns(opts: { departments: string[]; decrypt: boolean; decrypted: () => ReadonlyMap<string, DecryptedRow> }): ColDef<MessageRow>[] {
  const base: ColDef<MessageRow>[] = [
    { field: 'time', headerName: 'Event time (UTC)', width: 205, valueFormatter: (p) => formatTime(p.value), cellClass: 'mono', sortable: true },
    {
      field: 'type',
      headerName: 'Type',
      width: 120,
      cellClass: (p) => ['type', TYPE_CLASS[p.value ?? ''] ?? 'type-neutral'],
    },
    { field: 'source', headerName: 'Source', width: 140 },
    { field: 'category', headerName: 'Category', width: 140 },
    { field: 'partition', headerName: 'P', width: 62, type: 'numericColumn' },
    { field: 'offset', headerName: 'Offset', width: 100, type: 'numericColumn', cellClass: 'mono', comparator: (a: string, b: string) => Number(a) - Number(b) },
    {
      field: 'recipient',
      headerName: 'Recipient (blind index)',
      width: 185,
      cellClass: 'mono muted-cell',
      valueFormatter: (p) => (p.value ? `${String(p.value).slice(0, 12)}…` : '—'),
      tooltipValueGetter: (p) => (p.value ? `blind index ${p.value}: search by address to find all of this recipient's events` : undefined),
    },
    { field: 'eventId', headerName: 'Event id', width: 190, cellClass: 'mono' },
    { headerName: 'Sections', width: 150, valueGetter: (p) => p.data?.departments.join(', ') ?? '' },
    { field: 'sizeBytes', headerName: 'Size', width: 90, type: 'numericColumn', valueFormatter: (p) => formatBytes(p.value ?? 0) },
    { field: 'timestamp', headerName: 'Kafka time (UTC)', width: 205, valueFormatter: (p) => formatTime(p.value), cellClass: 'mono', hide: false },
  ];
  if (!opts.decrypt) return base;
  const sections: ColDef<MessageRow>[] = opts.departments.map((dept) => ({
    colId: `section:${dept}`,
    headerName: `${dept} (section)`,
    width: 320,
    valueGetter: (p) => {
      const id = p.data?.id;
      if (!id || !p.data?.departments.includes(dept)) return '';
      const d = opts.decrypted().get(id);
      if (!d) return '…';
      const s = d.sections[dept];
      if (!s) return '';
      return s.state === 'open' ? summarizeFields(s.fields) : lockedCellText(s);
    },
    tooltipValueGetter: (p) => {
      const s = p.data ? opts.decrypted().get(p.data.id)?.sections[dept] : undefined;
      return s?.state === 'locked' ? s.message : undefined;
    },
    cellClass: (p) => {
      const s = p.data ? opts.decrypted().get(p.data.id)?.sections[dept] : undefined;
      return s ? (s.state === 'open' ? 'cell-open' : 'cell-locked') : 'muted-cell';
    },
  }));
  return [...base.slice(0, 3), ...sections, ...base.slice(3)];
}
