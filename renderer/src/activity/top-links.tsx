import type { ActivityLinks } from '../../../shared/console-api/activity-types.js';
import { ErrorBanner } from '../common/error-banner.js';
import { formatCount } from '../common/format.js';

/** The most clicked links, opened with the operator's identity; a locked one says why instead of its URL. */
export function TopLinks(props: { links: ActivityLinks | null; error: unknown; busy: boolean; profile: string }) {
  const l = props.links;
  return (
    <div className="panel activity-panel" data-testid="activity-links">
      <h2>
        Top clicked links <span className="muted small">opened as {l?.identity ?? props.profile}</span>
      </h2>
      <ErrorBanner error={props.error} />
      {props.busy && !l ? <p className="muted small">Opening…</p> : null}
      {l && l.links.length === 0 ? <p className="muted small">No clicks in this range.</p> : null}
      <ol className="links">
        {l?.links.map((x) => (
          <li key={`${x.source}/${x.ref}`} data-testid="link-row" data-state={x.url ? 'open' : 'locked'}>
            <span className="bar-count num">{formatCount(x.clicks)}</span>
            {x.url ? (
              <span className="mono wrap link-url" data-testid="link-url">
                {x.url}
              </span>
            ) : (
              <span className="locked-link" data-testid="link-locked" title={x.locked?.code}>
                <span className="lock-tag">locked</span> {x.locked?.message}
              </span>
            )}
          </li>
        ))}
      </ol>
      <p className="muted small">URLs are personal: the service counts them by a keyed reference and keeps them sealed for the departments granted the URL field.</p>
    </div>
  );
}
