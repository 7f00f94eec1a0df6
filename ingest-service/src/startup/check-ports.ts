import { createServer } from 'node:net';
import { SealpostError } from '../../../shared/errors/index.js';
import type { Config } from '../config/index.js';
import { STARTUP_ERRORS } from './errors.js';

/** One port the service will listen on, and how an operator changes it. */
export interface PlannedPort {
  host: string;
  port: number;
  /** The config key, and the environment variable when there is one. */
  setting: string;
}

/** The ports a config will listen on, in start order (port 0 means "any free port": nothing to check). */
export function plannedPorts(config: Config): PlannedPort[] {
  const ports: PlannedPort[] = [{ host: config.listen.host, port: config.listen.port, setting: 'listen.port (or SEALPOST_LISTEN_PORT)' }];
  if (config.admin) ports.push({ host: config.admin.listen.host, port: config.admin.listen.port, setting: 'admin.listen.port in the config file' });
  return ports.filter((p) => p.port !== 0);
}

/** Why a bind failed, said for an operator. */
function reasonFor(code: string | undefined): string {
  if (code === 'EADDRINUSE') return 'is already in use';
  if (code === 'EACCES') return 'needs privileges this process lacks (ports below 1024)';
  if (code === 'EADDRNOTAVAIL') return 'is on an address this machine does not have';
  return `cannot be opened (${code ?? 'unknown error'})`;
}

/** The one-line error for a port the service cannot listen on (also used when the real listen fails the same way). */
export function portUnavailableError(p: PlannedPort, code: string | undefined, cause?: unknown): SealpostError {
  return new SealpostError(
    STARTUP_ERRORS.portUnavailable,
    `port ${p.port} on ${p.host} ${reasonFor(code)}: stop what holds it or choose another port with ${p.setting}`,
    { cause, details: { host: p.host, port: p.port, reason: code ?? 'unknown' } },
  );
}

async function tryBind(p: PlannedPort): Promise<void> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', (err: NodeJS.ErrnoException) => reject(portUnavailableError(p, err.code, err)));
    srv.listen({ host: p.host, port: p.port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

/**
 * Checks every port before anything starts, so a taken port is one line naming the port and the setting that
 * changes it, not a stack trace after the journal opened and the admin listener already started. A port taken
 * between this check and the real listen still fails the start; main() maps that to the same error.
 */
export async function checkPorts(config: Config): Promise<void> {
  const ports = plannedPorts(config);
  const [a, b] = ports;
  const anyAddress = (h: string): boolean => h === '0.0.0.0' || h === '::';
  if (a && b && a.port === b.port && (a.host === b.host || anyAddress(a.host) || anyAddress(b.host))) {
    throw new SealpostError(STARTUP_ERRORS.portUnavailable, `listen.port and admin.listen.port are both ${a.port}: give the admin API its own port`, {
      details: { port: a.port, reason: 'same_port' },
    });
  }
  for (const p of ports) await tryBind(p);
}

/** A listen error (EADDRINUSE...) raised by the real start, as the same one-line error; anything else unchanged. */
export function asPortError(err: unknown, config: Config): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (!e || typeof e !== 'object' || e.syscall !== 'listen') return err;
  const p = plannedPorts(config).find((x) => x.port === e.port);
  return p ? portUnavailableError(p, e.code, err) : err;
}
