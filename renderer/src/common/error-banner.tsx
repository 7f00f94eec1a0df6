import { ConsoleError } from '../api/client.js';

/** Shows an error as the Node side worded it, with its code for support and a retry when it may help. */
export function ErrorBanner(props: { error: unknown; onRetry?: () => void; onDismiss?: () => void }) {
  const { error } = props;
  if (!error) return null;
  const code = error instanceof ConsoleError ? error.code : undefined;
  const retriable = error instanceof ConsoleError ? error.retriable : true;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div className="banner-text">
        <strong>{error instanceof Error ? error.message : String(error)}</strong>
        {code ? <span className="banner-code">{code}</span> : null}
      </div>
      <div className="banner-actions">
        {retriable && props.onRetry ? (
          <button type="button" onClick={props.onRetry}>
            Retry
          </button>
        ) : null}
        {props.onDismiss ? (
          <button type="button" className="ghost" onClick={props.onDismiss} aria-label="Dismiss">
            ✕
          </button>
        ) : null}
      </div>
    </div>
  );
}
