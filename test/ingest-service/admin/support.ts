// Helpers for admin API tests: the real service with an admin section, and moto with SigV4 checking on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigInput } from '../../../ingest-service/src/config/index.js';
import type { AdminHandle } from '../../../ingest-service/src/admin/index.js';
import { createAdminClient, type AdminClient } from '../../../shared/aws-sign-in/index.js';
import { accountCredentials, startMoto, type MotoCredentials, type MotoServer } from '../../support/moto.js';
import { startTestService, type TestService } from '../../support/ingest.js';

export type AdminInput = NonNullable<ConfigInput['admin']>;

export interface AdminTestService extends TestService {
  admin: AdminHandle;
  /** A client signed in with the local admin token (loopback), when the config enables it. */
  local(): AdminClient;
}

/** Starts the real service with `admin` (listener on a free loopback port unless given). */
export async function startAdminService(opts: { admin: AdminInput; brokers?: string[]; dataDir?: string; overrides?: Partial<ConfigInput>; extraSources?: ConfigInput['sources'] }): Promise<AdminTestService> {
  const admin: AdminInput = { ...opts.admin, listen: { host: '127.0.0.1', port: 0, ...opts.admin.listen } };
  const svc = await startTestService({
    ...(opts.brokers ? { brokers: opts.brokers } : {}),
    ...(opts.extraSources ? { extraSources: opts.extraSources } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    overrides: { ...opts.overrides, admin },
  });
  const handle = svc.service.admin;
  if (!handle) throw new Error('the service started without its admin API');
  return {
    ...svc,
    admin: handle,
    local() {
      if (!handle.localToken) throw new Error('local token disabled in this config');
      return createAdminClient({ url: handle.url, token: handle.localToken.token });
    },
  };
}

/** moto with credentials for each account, then SigV4 verification switched on (reset-auth 0), as real STS verifies. */
export async function startVerifyingMoto(accounts: { account: string; role: string }[]): Promise<{ moto: MotoServer; creds: MotoCredentials[] }> {
  const moto = await startMoto();
  try {
    const creds: MotoCredentials[] = [];
    for (const a of accounts) creds.push(await accountCredentials(moto.endpoint, a.account, a.role));
    const r = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    if (!r.ok) throw new Error(`moto reset-auth answered ${r.status}`);
    await r.arrayBuffer();
    return { moto, creds };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}

/** An HTTP server that records every request it receives: a host that must never be contacted. */
export async function startTrap(): Promise<{ url: string; host: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::999999999999:assumed-role/admin/evil</Arn><UserId>X</UserId><Account>999999999999</Account></GetCallerIdentityResult></GetCallerIdentityResponse>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** POSTs a raw login body and returns status and error code. */
export async function postLogin(adminUrl: string, body: unknown): Promise<{ status: number; code: string | undefined; json: any }> {
  const res = await fetch(`${adminUrl}/admin/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as any;
  return { status: res.status, code: json?.error?.code, json };
}
