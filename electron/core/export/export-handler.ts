import type { ArgsOf, ResultOf } from '../../../shared/console-api/index.js';
import type { DecryptedRow, MessageRow } from '../../../shared/console-api/types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { CONSOLE_ERRORS } from '../errors.js';
import type { RawRecord } from '../kafka/raw-fetch.js';
import { decodeRecord } from '../messages/decode-row.js';
import { toCsv, toJson } from './export-rows.js';

export interface ExportDeps {
  envelopesFor(topic: string, ids: readonly string[]): Promise<Map<string, RawRecord>>;
  /** Opens rows as `profile` through the connection's keys topic (the same path as the grid's decrypt). */
  decryptRows(topic: string, ids: readonly string[], profile: string): Promise<{ rows: DecryptedRow[] }>;
  /** Writes where the user chooses (Electron's save dialog); absent: the content is returned. */
  saveExport?(fileName: string, content: string): Promise<string | null>;
}

/** The `export` channel: the chosen rows as CSV or JSON, decrypted as a profile when asked (1,000 rows per open). */
export async function exportRecords(deps: ExportDeps, args: ArgsOf<'export'>): Promise<ResultOf<'export'>> {
  const raws = await deps.envelopesFor(args.topic, args.ids);
  const rows: MessageRow[] = [];
  for (const id of args.ids) {
    const raw = raws.get(id);
    if (raw) rows.push(decodeRecord(Number(id.split(':')[0]), raw).row);
  }
  let decrypted: Map<string, DecryptedRow> | undefined;
  if (args.profile) {
    decrypted = new Map();
    for (let i = 0; i < args.ids.length; i += 1_000) {
      const part = await deps.decryptRows(args.topic, args.ids.slice(i, i + 1_000), args.profile);
      for (const r of part.rows) decrypted.set(r.id, r);
    }
  }
  const content = args.format === 'csv' ? toCsv(rows, decrypted) : toJson(rows, decrypted);
  const fileName = `${args.topic}-${new Date().toISOString().replace(/[:.]/g, '-')}.${args.format}`;
  const bytes = Buffer.byteLength(content);
  if (deps.saveExport) {
    const savedTo = await deps.saveExport(fileName, content);
    if (!savedTo) throw new SealpostError(CONSOLE_ERRORS.exportCancelled, 'Export cancelled: nothing was written.', { status: 400 });
    return { rows: rows.length, bytes, fileName, savedTo };
  }
  return { rows: rows.length, bytes, fileName, content };
}
