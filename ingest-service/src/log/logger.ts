import { pino, type Logger } from 'pino';

/**
 * Paths redacted from every log line. The service never logs bodies or events on purpose; these are
 * the belt to those braces, for anything that slips into a log object by mistake.
 */
export const REDACT_PATHS = [
  'email', '*.email', 'ip', '*.ip', 'useragent', '*.useragent', 'url', '*.url', 'address', '*.address',
  'body', '*.body', 'payload', '*.payload', 'fields', '*.fields', 'authorization', '*.authorization',
  'req.headers.authorization', 'headers.authorization', 'password', '*.password', 'secret', '*.secret',
  'hmacSecret', '*.hmacSecret', 'token', '*.token',
  // An SNS SubscribeURL (and its Token) confirms a subscription for whoever visits it.
  'subscribeUrl', '*.subscribeUrl', 'SubscribeURL', '*.SubscribeURL', 'Token', '*.Token',
];

/** The service's structured JSON logger (stdout), with redaction. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sealpost-ingest' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
