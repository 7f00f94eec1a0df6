import kafkajs from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { LogLike } from '../journal/types.js';

const { logLevel } = kafkajs;

/**
 * Routes kafkajs' own logging (by default straight to the console) into our pino logger, as
 * structured fields. kafkajs reports at ERROR every connection failure it is about to retry; those
 * become warnings here, because the forwarder logs the outcome that matters (a batch failed, backing
 * off) at error level. Stack traces are dropped: they name only kafkajs internals.
 */
export function pinoLogCreator(log: LogLike): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...fields } = entry as Record<string, unknown> & { message: string };
      const obj = { kafkajs: namespace, ...fields };
      // Our idempotent producer limits kafkajs' retries on purpose: the forwarder retries the same records
      // in the same order, and a failed producer is replaced (new producer id) before the next attempt.
      if (typeof message === 'string' && message.startsWith('Limiting retries for the idempotent producer')) {
        log.debug(obj, message);
        return;
      }
      if (level === logLevel.ERROR || level === logLevel.WARN) log.warn(obj, message);
      else if (level === logLevel.INFO) log.info(obj, message);
      else log.debug(obj, message);
    };
}
