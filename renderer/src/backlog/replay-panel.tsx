import { useCallback, useEffect, useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import type { ReplayJob } from '../../../shared/console-api/service-types.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount, formatTime, parseUtcInput } from '../common/format.js';

interface Form {
  sourceTopic: string;
  targetTopic: string;
  partition: string;
  by: 'offset' | 'time';
  from: string;
  to: string;
}

const EMPTY: Form = { sourceTopic: '', targetTopic: '', partition: 'all', by: 'time', from: '', to: '' };

function toRequest(f: Form): Omit<ArgsIn<'replay:start'>, 'service'> {
  const pos = (v: string, end: boolean) => {
    if (f.by === 'offset') return { offset: v.trim() };
    const ms = parseUtcInput(v);
    return { time: ms ?? (end ? Date.now() : 0) };
  };
  return {
    sourceTopic: f.sourceTopic.trim(),
    targetTopic: f.targetTopic.trim(),
    ranges: [{ partition: f.partition === 'all' ? 'all' : Number(f.partition), from: pos(f.from, false), to: pos(f.to, true) }],
  };
}

function JobRow(props: { job: ReplayJob; canRun: boolean; onCancel(id: string): void }) {
  const j = props.job;
  const pct = j.total > 0 ? Math.min(100, (j.copied / j.total) * 100) : j.state === 'running' ? 0 : 100;
  return (
    <li className={`job scan-${j.state === 'running' ? 'running' : j.state === 'done' ? 'done' : j.state === 'cancelled' ? 'cancelled' : 'failed'}`} data-testid="replay-job" data-state={j.state}>
      <div className="job-head">
        <span className="mono">
          {j.sourceTopic} → {j.targetTopic}
        </span>
        <span className="muted">
          {j.state} · {formatCount(j.copied)} of {formatCount(j.total)} records · started {formatTime(j.createdAt).slice(11)}
        </span>
        <span className="spacer" />
        {j.state === 'running' ? (
          <button type="button" className="small" disabled={!props.canRun} onClick={() => props.onCancel(j.id)} data-testid="replay-cancel">
            Cancel
          </button>
        ) : null}
      </div>
      <div className="progress" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      {j.error ? (
        <div className="small bad">
          {j.error.code}: {j.error.message}
        </div>
      ) : null}
      {j.state !== 'running' && j.state !== 'done' ? (
        <div className="small muted">Resume from: {j.partitions.map((p) => `p${p.partition}@${p.nextOffset}`).join(', ')}</div>
      ) : null}
    </li>
  );
}

/**
 * Replay a range of a topic (offsets or times, one partition or all) into another topic, for a
 * consumer that must re-read. Records are copied as they are (still sealed); jobs show progress and
 * can be cancelled (what was copied stays).
 */
export function ReplayPanel(props: { service: string; topics: string[]; canRun: boolean; canRead: boolean }) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [jobs, setJobs] = useState<ReplayJob[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const { service, canRead } = props;

  const load = useCallback(async () => {
    if (!canRead) return;
    try {
      setJobs(await api.listReplays({ service }));
    } catch (err) {
      setError(err);
    }
  }, [service, canRead]);
  useEffect(() => void load(), [load]);
  const running = jobs.some((j) => j.state === 'running');
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void load(), 1_000);
    return () => clearInterval(t);
  }, [running, load]);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const job = await api.startReplay({ service, ...toRequest(form) });
      setJobs((js) => [job, ...js.filter((j) => j.id !== job.id)]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const cancel = async (id: string) => {
    try {
      const job = await api.cancelReplay({ service, id });
      setJobs((js) => js.map((j) => (j.id === id ? job : j)));
    } catch (err) {
      setError(err);
    }
  };

  const isTime = form.by === 'time';
  return (
    <div className="panel" data-testid="replay-panel">
      <h2>Replay a topic range into another topic</h2>
      <form
        className="replay-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label>
          Source topic
          <input list="replay-topics" value={form.sourceTopic} onChange={(e) => set('sourceTopic', e.target.value)} className="mono" required data-testid="replay-source" />
          <datalist id="replay-topics">
            {props.topics.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label className="narrow">
          Partition
          <input value={form.partition} onChange={(e) => set('partition', e.target.value)} className="mono" placeholder="all" data-testid="replay-partition" />
        </label>
        <label className="narrow">
          By
          <select value={form.by} onChange={(e) => set('by', e.target.value as Form['by'])} data-testid="replay-by">
            <option value="time">time (UTC)</option>
            <option value="offset">offset</option>
          </select>
        </label>
        <label>
          From {isTime ? '(inclusive)' : 'offset (inclusive)'}
          {isTime ? (
            <input type="datetime-local" step={1} value={form.from} onChange={(e) => set('from', e.target.value)} data-testid="replay-from" />
          ) : (
            <input value={form.from} onChange={(e) => set('from', e.target.value)} className="mono" required data-testid="replay-from" />
          )}
        </label>
        <label>
          To {isTime ? '(exclusive; empty = now)' : 'offset (exclusive)'}
          {isTime ? (
            <input type="datetime-local" step={1} value={form.to} onChange={(e) => set('to', e.target.value)} data-testid="replay-to" />
          ) : (
            <input value={form.to} onChange={(e) => set('to', e.target.value)} className="mono" required data-testid="replay-to" />
          )}
        </label>
        <label>
          Target topic
          <input value={form.targetTopic} onChange={(e) => set('targetTopic', e.target.value)} className="mono" required placeholder="billing.reread" data-testid="replay-target" />
        </label>
        <button type="submit" className="primary" disabled={busy || !props.canRun} title={props.canRun ? '' : 'Your roles do not include replay:run'} data-testid="replay-start">
          {busy ? 'Starting…' : 'Start replay'}
        </button>
      </form>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {jobs.length ? (
        <ul className="jobs">
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} canRun={props.canRun} onCancel={(id) => void cancel(id)} />
          ))}
        </ul>
      ) : (
        <p className="muted small">{canRead ? 'No replay jobs on this service yet.' : 'Your roles do not include replay:read.'}</p>
      )}
    </div>
  );
}
