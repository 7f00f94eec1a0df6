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

/** Raised by every service channel while no service is connected. */
export function serviceNotConnected(): SealpostError {
  return new SealpostError(SERVICE_ERRORS.notConnected, 'Not connected to an ingest service. Open Service, enter its admin URL and sign in.', { status: 409 });
}
