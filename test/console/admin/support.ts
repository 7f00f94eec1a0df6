// Helpers for the console's service-channel tests: a console Node side (the same handlers Electron main runs)
// called through the contract's dispatch, and a polling helper.
import { connect, createServer, type Socket } from 'node:net';
import { createConsoleService } from '../../../electron/core/console-service.js';
import type { ServiceModuleOptions } from '../../../electron/core/admin/service-module.js';
import { createBlindIndexResolver } from '../../../electron/core/identity/blind-index-key.js';
import { createProfileIdentities } from '../../../electron/core/identity/profile-identities.js';
import { createSettingsStore, NO_SECRET_BOX, type SecretBox } from '../../../electron/core/settings/settings-store.js';
import { dispatch, type ArgsIn, type Channel, type ConsoleHandlers, type ResultOf } from '../../../shared/console-api/index.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reversible box standing in for the OS keychain: what it seals is not the token's text. */
export const TEST_BOX: SecretBox = {
  available: () => true,
  encrypt: (plain) => `sealed:${Buffer.from(plain).reverse().toString('base64')}`,
  decrypt: (sealed) => Buffer.from(sealed.slice(7), 'base64').reverse().toString(),
};

export type Failure = Error & { code: string };

/** A console Node side with its own settings and service store; `call` unwraps, `refusal` expects an error. */
export function consoleOn(opts: { file?: string | null; secrets?: SecretBox; keysDir?: string; keysTopic?: string; aws?: ServiceModuleOptions['aws'] } = {}) {
  const settings = createSettingsStore({ file: null, secrets: NO_SECRET_BOX });
  if (opts.keysDir) settings.patch({ localKeysDir: opts.keysDir });
  // The keys topic of the service under test (each test service has its own; the console's default is shared).
  if (opts.keysTopic) settings.patch({ subjectKeysTopic: opts.keysTopic });
  const svc = createConsoleService({
    settings,
    identities: createProfileIdentities({ settings, configFile: opts.aws?.configFile ?? '/dev/null', credentialsFile: opts.aws?.credentialsFile ?? '/dev/null' }),
    blindIndex: createBlindIndexResolver(settings),
    service: { file: opts.file ?? null, ...(opts.secrets ? { secrets: opts.secrets } : {}), ...(opts.aws ? { aws: opts.aws } : {}) },
  });
  async function call<C extends Channel>(channel: C, args?: ArgsIn<C>): Promise<ResultOf<C>> {
    const reply = await dispatch(svc.handlers as ConsoleHandlers, channel, args);
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.value as ResultOf<C>;
  }
  async function refusal(channel: Channel, args?: unknown): Promise<Failure> {
    const reply = await dispatch(svc.handlers as ConsoleHandlers, channel, args);
    if (reply.ok) throw new Error(`${channel} was expected to fail`);
    return Object.assign(new Error(reply.error.message), { code: reply.error.code });
  }
  return { call, refusal, close: svc.close };
}

/**
 * A loopback TCP relay in front of a real service: `stall()` makes it stop passing what clients send (on open
 * connections too), as a network partition or a wedged load balancer would, so requests wait without an answer.
 */
export async function startStallingRelay(target: string): Promise<{ url: string; stall(): void; close(): Promise<void> }> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => void (stalled || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (stalled || client.write(chunk)));
    for (const s of [client, upstream]) s.on('error', () => {}).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stall: () => void (stalled = true),
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}
