import pino from 'pino';

/** Main's log: structured, to stderr, with anything that could hold a secret or a personal value redacted. */
export type MainLog = pino.Logger;

/** Why redaction paths: errors from the AWS SDK and kafkajs may carry request configs with credentials. */
export function createMainLog(): MainLog {
  return pino({
    name: 'sealpost-console',
    level: process.env.SEALPOST_CONSOLE_LOG ?? 'info',
    redact: {
      paths: ['*.password', '*.secretAccessKey', '*.sessionToken', '*.token', 'err.config', 'err.$metadata', 'err.request', 'args', 'filters.recipient'],
      censor: '[redacted]',
    },
  });
}
