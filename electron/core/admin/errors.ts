import { SealpostError } from '../../../shared/errors/index.js';

/** Stable codes of the console's connection to the ingest service's admin API. */
export const SERVICE_ERRORS = {
  /** A service channel was called with no service connected. */
  notConnected: 'SP_CONSOLE_SERVICE_NOT_CONNECTED',
  /** Token sign-in without a token typed and none saved. */
  noToken: 'SP_CONSOLE_SERVICE_NO_TOKEN',
  /** The service connection could not be saved or read back. */
  store: 'SP_CONSOLE_SERVICE_STORE',
  /** Too many audit reports waiting for a slow or absent service: the newest was dropped. */
  reportQueueFull: 'SP_CONSOLE_AUDIT_QUEUE_FULL',
} as const;

/** Raised by a service channel naming a service the console is not signed in to (or none, with none signed in). */
export function serviceNotConnected(service?: string): SealpostError {
  const which = service ? `Not signed in to the ingest service ${service}.` : 'Not connected to an ingest service.';
  return new SealpostError(SERVICE_ERRORS.notConnected, `${which} Open Ingest service, enter its admin URL and sign in.`, { status: 409 });
}
