import { useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';

/** A filter on opened fields, as `scan:start` takes it. */
export type OpenedFilter = NonNullable<ArgsIn<'scan:start'>['opened']>;

/**
 * Search inside the sections the selected identity can open: a keyword anywhere, or one field equal to a
 * value. Always a scan (each candidate must be decrypted), after the clear filters above; what is typed
 * goes to main for the scan only and is never logged or audited.
 */
export function OpenedFilterBar(props: { profile: string; busy: boolean; onSearch(f: OpenedFilter): void }) {
  const [mode, setMode] = useState<'keyword' | 'field'>('keyword');
  const [keyword, setKeyword] = useState('');
  const [field, setField] = useState('email');
  const [value, setValue] = useState('');
  const filter: OpenedFilter | null =
    mode === 'keyword' ? (keyword.trim().length >= 2 ? { keyword: keyword.trim() } : null) : field.trim() && value.trim() ? { field: field.trim(), value: value.trim() } : null;
  return (
    <form
      className="filters opened-filters"
      onSubmit={(e) => {
        e.preventDefault();
        if (filter) props.onSearch(filter);
      }}
      data-testid="opened-filters"
    >
      <label className="mode">
        Opened fields
        <select value={mode} onChange={(e) => setMode(e.target.value as 'keyword' | 'field')} data-testid="opened-mode">
          <option value="keyword">keyword</option>
          <option value="field">field =</option>
        </select>
      </label>
      {mode === 'keyword' ? (
        <label className="wide">
          Keyword (in any opened field)
          <input value={keyword} onChange={(e) => setKeyword(e.target.value)} placeholder="bob@ or example.com/p/" autoComplete="off" data-testid="opened-keyword" />
        </label>
      ) : (
        <>
          <label>
            Field
            <input value={field} onChange={(e) => setField(e.target.value)} placeholder="email, ip, url, reason" data-testid="opened-field" />
          </label>
          <label className="wide">
            Value (whole value, any case)
            <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="bob@example.com" autoComplete="off" data-testid="opened-value" />
          </label>
        </>
      )}
      <div className="filter-actions">
        <button type="submit" className="primary" disabled={props.busy || !filter} data-testid="opened-search">
          Scan opened fields
        </button>
        <span className="muted">as {props.profile}, after the filters above; sections it cannot open are counted, never searched</span>
      </div>
    </form>
  );
}
