/**
 * Which URLs the console may hand to the operating system's browser: only parsed `https:` URLs,
 * with a host, without credentials, and printable. Everything else (javascript:, file:, smb:,
 * custom schemes that launch programs, http:) is refused. Pure, tested with hostile inputs.
 */
export function safeExternalUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  // Control characters and whitespace are never part of a URL we would open.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  if (!url.hostname || url.username || url.password) return null;
  return url;
}

/** The origin the console's own pages are served from (the app protocol, or the dev server in development). */
export const APP_ORIGIN = 'sealpost://app';

/**
 * True when `raw` is a page of the console itself: same origin as `appOrigin`. Used for the sender
 * check; navigation away is refused whatever the target.
 */
export function isAppUrl(raw: unknown, appOrigin: string): boolean {
  if (typeof raw !== 'string') return false;
  try {
    const url = new URL(raw);
    // Non-special schemes (sealpost:) have an opaque origin "null": compare protocol and host instead.
    const app = new URL(appOrigin);
    return url.protocol === app.protocol && url.host === app.host && !url.username && !url.password;
  } catch {
    return false;
  }
}
