import type { ArgsIn } from '../../../shared/console-api/contract.js';
import { parseUtcInput } from '../common/format.js';

export type Mode = 'newest' | 'oldest' | 'offset' | 'timestamp';

/** Where a window starts and how many rows it holds, as the toolbar edits it. */
export interface Position {
  mode: Mode;
  partition: string;
  offset: string;
  from: string;
  limit: number;
}

export const START: Position = { mode: 'newest', partition: '', offset: '', from: '', limit: 500 };

type WindowStart = Pick<ArgsIn<'messages:window'>, 'mode' | 'partition' | 'offset' | 'timestamp' | 'limit'>;

/** The window arguments a position stands for (an empty partition means all partitions). */
export function windowStart(p: Position): WindowStart {
  const partition = p.partition.trim() === '' ? undefined : Number(p.partition);
  const base = { mode: p.mode, limit: p.limit, ...(partition !== undefined && Number.isInteger(partition) ? { partition } : {}) };
  if (p.mode === 'offset') return { ...base, offset: p.offset.trim() || '0' };
  if (p.mode === 'timestamp') return { ...base, timestamp: parseUtcInput(p.from) ?? 0 };
  return base;
}

/** The toolbar's "from where, how many" controls: newest, oldest, an offset (of a partition) or a time. */
export function PositionControls(props: { value: Position; onChange(p: Position): void }) {
  const p = props.value;
  const set = (patch: Partial<Position>) => props.onChange({ ...p, ...patch });
  return (
    <>
      <label className="inline-label">
        From
        <select value={p.mode} onChange={(e) => set({ mode: e.target.value as Mode })} data-testid="mode-select">
          <option value="newest">newest</option>
          <option value="oldest">oldest</option>
          <option value="offset">offset</option>
          <option value="timestamp">time</option>
        </select>
      </label>
      {p.mode === 'offset' || p.mode === 'timestamp' || p.partition ? (
        <label className="inline-label">
          Partition
          <input className="tiny" value={p.partition} onChange={(e) => set({ partition: e.target.value })} placeholder="all" data-testid="mode-partition" />
        </label>
      ) : null}
      {p.mode === 'offset' ? (
        <label className="inline-label">
          Offset
          <input className="small-input mono" value={p.offset} onChange={(e) => set({ offset: e.target.value })} placeholder="0" data-testid="mode-offset" />
        </label>
      ) : null}
      {p.mode === 'timestamp' ? (
        <label className="inline-label">
          Time (UTC)
          <input type="datetime-local" step="1" value={p.from} onChange={(e) => set({ from: e.target.value })} data-testid="mode-time" />
        </label>
      ) : null}
      <label className="inline-label">
        Rows
        <select value={p.limit} onChange={(e) => set({ limit: Number(e.target.value) })} data-testid="rows-select">
          {[100, 500, 1000, 5000].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
