import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { dispatch, isChannel } from '../../shared/console-api/index.js';
import { createConsoleService } from '../core/console-service.js';
import { createBlindIndexResolver } from '../core/identity/blind-index-key.js';
import { createProfileIdentities, type ProfileIdentitiesOptions } from '../core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX, type SettingsPatch } from '../core/settings/settings-store.js';
import { resolveAppAsset } from '../main/security/app-assets.js';
import { contentSecurityPolicy } from '../main/security/csp.js';

export interface BridgeOptions {
  /** The built browser renderer (see build-bridge-renderer.ts). */
  rendererDir: string;
  /** Settings to start with (a fresh in-memory store: nothing is ever written to disk). */
  settings?: SettingsPatch;
  identities?: Omit<ProfileIdentitiesOptions, 'settings'>;
  port?: number;
}

/** The AWS shared files the identities were given, as the service sign-in takes them. */
function awsFiles(ids: NonNullable<BridgeOptions['identities']>): { configFile?: string; credentialsFile?: string } {
  return { ...(ids.configFile ? { configFile: ids.configFile } : {}), ...(ids.credentialsFile ? { credentialsFile: ids.credentialsFile } : {}) };
}

export interface Bridge {
  url: string;
  close(): Promise<void>;
}

/**
 * FOR TESTS AND BENCHMARKS ONLY: serves the renderer to a real browser and answers its calls over
 * HTTP with the SAME Node side Electron main runs (createConsoleService), through the same contract
 * dispatch (schemas, errors as values). Loopback only, a random per-run token in the page that every
 * call must echo (so no other local page can drive it), only `Host: 127.0.0.1:<port>` answered (421
 * otherwise: no DNS rebinding), no CORS, and no secret store at all.
 */
export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = randomBytes(24).toString('base64url');
  const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
  if (opts.settings) settings.patch(opts.settings);
  const identities = createProfileIdentities({ settings, ...opts.identities });
  const service = createConsoleService({
    settings,
    identities,
    blindIndex: createBlindIndexResolver(settings, identities),
    // Service sign-in with an AWS profile reads the same shared files as "Decrypt as" (never the machine's ~/.aws).
    service: { file: null, ...(opts.identities?.configFile || opts.identities?.credentialsFile ? { aws: awsFiles(opts.identities) } : {}) },
  });
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const csp = contentSecurityPolicy();
  const expected = Buffer.from(token);
  // DNS rebinding: a page on evil.example whose name later resolves to 127.0.0.1 reaches this port with its own
  // Host. Only the exact address the bridge listens on is answered, before any route (the page holds the token).
  let allowedHost = '';
  app.addHook('onRequest', async (req, reply) => {
    if (req.headers.host !== allowedHost) return reply.code(421).header('content-type', 'text/plain').send('Misdirected request: use http://' + allowedHost);
  });

  app.post<{ Params: { channel: string }; Body: { args?: unknown } }>('/api/:channel', async (req, reply) => {
    const given = Buffer.from(String(req.headers['x-sealpost-bridge'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(403).send({ ok: false, error: { code: 'SP_CONSOLE_UNTRUSTED_SENDER', message: 'Refused.', retriable: false } });
    const channel = req.params.channel;
    if (!isChannel(channel)) return reply.code(404).send({ ok: false, error: { code: 'SP_CONSOLE_UNKNOWN_CHANNEL', message: 'No such console operation.', retriable: false } });
    return dispatch(service.handlers, channel, req.body?.args);
  });

  app.get('/*', async (req, reply) => {
    const asset = resolveAppAsset(`sealpost://app${req.url.split('?')[0]}`, opts.rendererDir);
    if (!asset) return reply.code(404).send('Not found');
    let body: Buffer;
    try {
      body = await readFile(asset.file);
    } catch {
      return reply.code(404).send('Not found');
    }
    if (asset.type.startsWith('text/html')) {
      body = Buffer.from(body.toString('utf8').replace('<head>', `<head>\n    <meta name="sealpost-bridge-token" content="${token}">`));
    }
    return reply.header('content-type', asset.type).header('content-security-policy', csp).header('cache-control', 'no-store').send(body);
  });

  const address = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  allowedHost = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url: address,
    async close() {
      await app.close();
      await service.close();
    },
  };
}
