import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { resolveAppAsset } from './app-assets.js';
import { contentSecurityPolicy } from './csp.js';

const SCHEME = 'sealpost';

/**
 * Declares the app scheme before the app is ready. Why a scheme rather than file://: a page on
 * file:// may read any local file the user can; sealpost://app serves only the built renderer.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true } }]);
}

/** Serves the built renderer from `root` on sealpost://app/, with the CSP on every response. */
export function setupAppProtocol(root: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(SCHEME, async (request) => {
    const asset = resolveAppAsset(request.url, root);
    if (!asset) return new Response('Not found', { status: 404 });
    try {
      return new Response(await readFile(asset.file), {
        headers: { 'content-type': asset.type, 'content-security-policy': csp, 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
