import type { ConsumerEvent } from './open-record.js';

/**
 * The one line per event that the CLI and the Python and Java recipes print (docs/consumers.md), keys in
 * that order, so outputs compare line for line across languages.
 */
export function eventLine(event: ConsumerEvent): string {
  const e = event.envelope;
  const head = {
    id: e?.id ?? null,
    type: e?.type ?? null,
    time: e?.time ?? null,
    source: e?.source ?? null,
    partition: event.partition,
    offset: event.offset,
    clear: e?.clear ?? {},
  };
  return JSON.stringify(event.state === 'open' ? { ...head, fields: event.fields } : { ...head, locked: event.locked });
}

/**
 * The same event as the seed's consumers printed it (001: "DECRYPTED MESSAGE" then "PARTITION"), for a
 * person watching a terminal.
 */
export function eventTable(event: ConsumerEvent, department: string): string {
  const e = event.envelope;
  const what = event.state === 'open' ? 'DECRYPTED MESSAGE' : 'LOCKED MESSAGE';
  const body =
    event.state === 'open'
      ? JSON.stringify({ department, id: e?.id, type: e?.type, time: e?.time, data: event.fields })
      : JSON.stringify({ department, id: e?.id ?? null, reason: event.locked.reason, message: event.locked.message });
  return [`---------------- ${what} --------------`, body, '---------------- PARTITION --------------', `${event.partition} (offset ${event.offset})`, ''].join('\n');
}
