import { auditTarget, type AuditRecordRequest, type ClearDetails } from '../../../shared/admin-api/index.js';
import type { ConsoleHandlers } from '../../../shared/console-api/contract.js';
import type { DecryptedRow } from '../../../shared/console-api/types.js';
import { isSealpostError } from '../../../shared/errors/index.js';
import type { OpenedRunReport } from '../scan/scan-registry.js';

/** The handlers that decrypt or export, and so leave an audit event when a service is connected. */
export type ReportedChannel = 'messages:decrypt' | 'export' | 'access:matrix' | 'activity:links' | 'activity:timeline';

/** An identifier the audit trail accepts as a clear detail, or undefined (a profile named after a person stays out). */
function clearId(value: string | undefined): string | undefined {
  return value !== undefined && auditTarget.safeParse(value).success ? value : undefined;
}

const partitionsOf = (ids: readonly string[]): number[] => [...new Set(ids.map((id) => Number(id.split(':')[0])))].sort((a, b) => a - b).slice(0, 100);

/** Departments opened at least once, and sections that stayed locked. */
function sectionFacts(rows: readonly DecryptedRow[]): { opened: string[]; locked: number } {
  const opened = new Set<string>();
  let locked = 0;
  for (const r of rows) {
    for (const [dept, s] of Object.entries(r.sections)) {
      if (s.state === 'open') opened.add(dept);
      else locked++;
    }
  }
  return { opened: [...opened].sort().slice(0, 100), locked };
}

function failure(err: unknown): ClearDetails {
  return { code: isSealpostError(err) && clearId(err.code) ? err.code : 'SP_CONSOLE_INTERNAL' };
}

/**
 * Wraps the decrypt, export and access-matrix handlers so that each call, once done, is reported to
 * the service's audit trail: who (the service session), what (`decrypt` / `export`), on which topic,
 * outcome, and clear facts (record counts, partitions, departments opened). `report` must not block:
 * the user's result is returned whatever happens to the report.
 */
export function withAuditReports<H extends Pick<ConsoleHandlers, ReportedChannel>>(handlers: H, report: (event: AuditRecordRequest) => void): H {
  const safe = (event: AuditRecordRequest): void => {
    try {
      report(event);
    } catch {
      /* reporting never breaks the user's action */
    }
  };
  return {
    ...handlers,
    async 'messages:decrypt'(args) {
      const base = { action: 'decrypt' as const, target: `topic/${args.topic}` };
      const profile = clearId(args.profile);
      const facts = { records: args.ids.length, partitions: partitionsOf(args.ids), ...(profile ? { profile } : {}) };
      try {
        const result = await handlers['messages:decrypt'](args);
        const { opened, locked } = sectionFacts(result.rows);
        safe({ ...base, outcome: opened.length === 0 && locked > 0 ? 'denied' : 'success', details: { ...facts, opened, locked } });
        return result;
      } catch (err) {
        safe({ ...base, outcome: 'failure', details: { ...facts, ...failure(err) } });
        throw err;
      }
    },
    async export(args) {
      const base = { action: 'export' as const, target: `topic/${args.topic}` };
      const profile = clearId(args.profile);
      const facts = { records: args.ids.length, format: args.format, decrypted: args.profile !== undefined, ...(profile ? { profile } : {}) };
      try {
        const result = await handlers.export(args);
        safe({ ...base, outcome: 'success', details: { ...facts, rows: result.rows, bytes: result.bytes } });
        return result;
      } catch (err) {
        safe({ ...base, outcome: 'failure', details: { ...facts, ...failure(err) } });
        throw err;
      }
    },
    async 'activity:links'(args) {
      const base = { action: 'decrypt' as const, target: 'activity/links' };
      const profile = clearId(args.profile);
      const facts = { purpose: 'top-links', ...(profile ? { profile } : {}) };
      try {
        const result = await handlers['activity:links'](args);
        const opened = result.links.filter((l) => l.url !== null).length;
        const locked = result.links.length - opened;
        safe({ ...base, outcome: opened === 0 && locked > 0 ? 'denied' : 'success', details: { ...facts, links: result.links.length, opened, locked } });
        return result;
      } catch (err) {
        safe({ ...base, outcome: 'failure', details: { ...facts, ...failure(err) } });
        throw err;
      }
    },
    async 'activity:timeline'(args) {
      const base = { action: 'decrypt' as const, target: `topic/${args.topic}` };
      const profile = clearId(args.profile);
      const facts = { purpose: 'recipient-timeline', ...(profile ? { profile } : {}) };
      try {
        const result = await handlers['activity:timeline'](args);
        const { opened, locked } = sectionFacts(result.events.map((e) => ({ id: e.row.id, sections: e.sections })));
        // The blind index is the person's pseudonym: it is what the trail may say about whose events were opened.
        const subject = clearId(result.recipient);
        safe({
          ...base,
          outcome: opened.length === 0 && locked > 0 ? 'denied' : 'success',
          details: { ...facts, records: result.events.length, partitions: [result.partition], opened, locked, ...(subject ? { recipient: subject } : {}) },
        });
        return result;
      } catch (err) {
        safe({ ...base, outcome: 'failure', details: { ...facts, ...failure(err) } });
        throw err;
      }
    },
    async 'access:matrix'(args) {
      const base = { action: 'decrypt' as const, target: `topic/${args.topic}` };
      const profile = clearId(args.profile);
      const facts = { purpose: 'access-matrix', ...(profile ? { profile } : {}) };
      try {
        const result = await handlers['access:matrix'](args);
        const readable = result.departments.filter((d) => d.access.state === 'readable').map((d) => d.department).sort();
        safe({ ...base, outcome: 'success', details: { ...facts, opened: readable, departments: result.departments.length } });
        return result;
      } catch (err) {
        safe({ ...base, outcome: 'failure', details: { ...facts, ...failure(err) } });
        throw err;
      }
    },
  };
}

/**
 * The audit event of one run of an opened-field scan (a scan decrypts every record it searches, so it is
 * reported like "Decrypt visible rows"): counts, departments opened, the field searched — never the keyword
 * or value searched for, which may be personal.
 */
export function openedScanEvent(r: OpenedRunReport): AuditRecordRequest {
  const profile = clearId(r.profile);
  const field = clearId(r.field);
  const outcome = r.state === 'failed' ? 'failure' : r.opened.length === 0 && r.locked > 0 ? 'denied' : 'success';
  return {
    action: 'decrypt',
    target: `topic/${r.topic}`,
    outcome,
    details: {
      purpose: 'opened-field-scan',
      state: r.state,
      records: r.searched,
      matched: r.matched,
      locked: r.locked,
      opened: r.opened.slice(0, 100),
      ...(field ? { field } : {}),
      ...(profile ? { profile } : {}),
      ...(r.error ? { code: clearId(r.error.code) ?? 'SP_CONSOLE_INTERNAL' } : {}),
    },
  };
}
