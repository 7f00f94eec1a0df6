import { useState } from 'react';
import type { ArgsIn } from '../../../shared/console-api/contract.js';
import { isAddress } from '../../../shared/policy/split-event.js';
import { parseUtcInput, splitList } from '../common/format.js';
import { ForgetButton } from '../forget/forget-button.js';
import type { ForgetAvailability } from '../forget/forget-availability.js';

export type Filters = NonNullable<ArgsIn<'messages:window'>['filters']>;

/** True when at least one filter is set. */
export function hasFilters(f: Filters): boolean {
  return Boolean(f.types?.length || f.sources?.length || f.categories?.length || f.partitions?.length || f.timeFrom !== undefined || f.timeTo !== undefined || f.recipient);
}

/**
 * Clear-part filters. They run in the console's Node side before any decryption; the recipient
 * address is turned into its blind index there and never comes back. Beside the recipient box, *Forget
 * this person* starts forgetting the address typed there.
 */
export function FiltersBar(props: { onApply(f: Filters): void; busy: boolean; forget: { availability: ForgetAvailability; onForget(address: string): void } }) {
  const [types, setTypes] = useState('');
  const [sources, setSources] = useState('');
  const [categories, setCategories] = useState('');
  const [partitions, setPartitions] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [recipient, setRecipient] = useState('');

  const build = (): Filters => {
    const f: Filters = {};
    const t = splitList(types);
    if (t.length) f.types = t;
    const s = splitList(sources);
    if (s.length) f.sources = s;
    const c = splitList(categories);
    if (c.length) f.categories = c;
    const p = splitList(partitions).map(Number).filter((n) => Number.isInteger(n) && n >= 0);
    if (p.length) f.partitions = p;
    const a = parseUtcInput(from);
    const b = parseUtcInput(to);
    if (a !== undefined) f.timeFrom = a;
    if (b !== undefined) f.timeTo = b;
    if (recipient.trim()) f.recipient = recipient.trim();
    return f;
  };
  const clear = () => {
    setTypes('');
    setSources('');
    setCategories('');
    setPartitions('');
    setFrom('');
    setTo('');
    setRecipient('');
    props.onApply({});
  };

  return (
    <form
      className="filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(build());
      }}
      data-testid="filters"
    >
      <label>
        Type
        <input value={types} onChange={(e) => setTypes(e.target.value)} placeholder="bounce, dropped" data-testid="filter-types" />
      </label>
      <label>
        Source
        <input value={sources} onChange={(e) => setSources(e.target.value)} placeholder="sendgrid-main" />
      </label>
      <label>
        Category
        <input value={categories} onChange={(e) => setCategories(e.target.value)} placeholder="invoice" data-testid="filter-categories" />
      </label>
      <label className="narrow">
        Partition
        <input value={partitions} onChange={(e) => setPartitions(e.target.value)} placeholder="0, 3" data-testid="filter-partitions" />
      </label>
      <label>
        From (UTC)
        <input type="datetime-local" step="1" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" step="1" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <label className="wide">
        Recipient address
        <input type="email" value={recipient} onChange={(e) => setRecipient(e.target.value)} placeholder="bob@example.com (matched by blind index)" autoComplete="off" data-testid="filter-recipient" />
      </label>
      <div className="filter-actions">
        <button type="submit" className="primary" disabled={props.busy} data-testid="filter-apply">
          Apply
        </button>
        <button type="button" className="ghost" onClick={clear}>
          Clear
        </button>
      </div>
      <ForgetButton
        where="search"
        availability={props.forget.availability}
        missing={isAddress(recipient.trim()) ? null : "Type the person's address in Recipient address first."}
        onClick={() => props.forget.onForget(recipient.trim())}
      />
    </form>
  );
}
