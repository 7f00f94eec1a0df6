/**
 * The console's Content-Security-Policy: scripts only from the app itself (no inline, no eval),
 * nothing fetched from anywhere (the renderer talks to main over IPC only), no plugins, no frames,
 * no forms, no <base>. Styles allow inline <style> because ag-grid injects its theme CSS that way;
 * style attributes do not run code. In development the Vite dev server also needs its own origin
 * and websocket for hot reload, and nothing else.
 */
export function contentSecurityPolicy(opts: { devServer?: string } = {}): string {
  const dev = opts.devServer ? new URL(opts.devServer) : undefined;
  const devSrc = dev ? ` ${dev.origin}` : '';
  const devWs = dev ? ` ws://${dev.host}` : '';
  return [
    "default-src 'none'",
    `script-src 'self'${devSrc}${dev ? " 'unsafe-inline'" : ''}`,
    `style-src 'self' 'unsafe-inline'${devSrc}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${devSrc}${devWs}`,
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
