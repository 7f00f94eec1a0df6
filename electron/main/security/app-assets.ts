import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Maps a request to the app protocol (sealpost://app/assets/x.js) to a file inside `root`, or null.
 * Refuses any other host, encoded or plain traversal, backslashes, NUL bytes, and files of types the
 * app does not ship. `/` serves index.html. Pure apart from path arithmetic; tested with hostile URLs.
 */
export function resolveAppAsset(rawUrl: string, root: string, appHost = 'app'): { file: string; type: string } | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.host !== appHost || url.username || url.password) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((seg) => seg === '..')) return null;
  if (path === '' || path === '/') path = '/index.html';
  const file = resolve(root, `.${path}`);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  const type = TYPES[extname(file).toLowerCase()];
  return type ? { file, type } : null;
}
