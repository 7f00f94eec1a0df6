import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the console's connection to the ingest service's admin API. */
export const SERVICE_ERRORS = {
  /** A service channel was called with no service connected. */
  notConnected: 'SP_CONSOLE_SERVICE_NOT_CONNECTED',
  /** Token sign-in without a token typed and none saved. */
  noToken: 'SP_CONSOLE_SERVICE_NO_TOKEN',
  /** The service connection could not be saved or read back. */
  store: 'SP_CONSOLE_SERVICE_STORE',
  /** The remembered fleet already holds its maximum of services: forget one before adding another. */
  fleetFull: 'SP_CONSOLE_SERVICE_FLEET_FULL',
  /** A service of the fleet did not answer its status in time (Backlog shows it as not answering). */
  slow: 'SP_CONSOLE_SERVICE_SLOW',
  /** Too many audit reports waiting for a slow or absent service: the newest was dropped. */
  reportQueueFull: 'SP_CONSOLE_AUDIT_QUEUE_FULL',
} as const;

/** Raised by a service channel naming a service the console is not signed in to (or none, with none signed in). */
export function serviceNotConnected(service?: string): SealpostError {
  const which = service ? `Not signed in to the ingest service ${service}.` : 'Not connected to an ingest service.';
  return new SealpostError(SERVICE_ERRORS.notConnected, `${which} Open Ingest service, enter its admin URL and sign in.`, { status: 409 });
}

/** A fleet member that did not answer within the fleet status's deadline. */
export function serviceSlow(service: string, deadlineMs: number): SealpostError {
  return new SealpostError(
    SERVICE_ERRORS.slow,
    `${service} did not answer within ${Math.round(deadlineMs / 1000)} s (network, or the service is overloaded); it is left out of the totals until it answers.`,
    { status: 504, retriable: true },
  );
}
